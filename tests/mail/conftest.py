"""Fixtures of the mail tests: a real SMTP server on a free local port, and the app using it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.mail.smtp_sink import SmtpSink


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    """An aiosmtpd server on 127.0.0.1, shared by the session."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpSink) -> SmtpSink:
    """The SMTP server, emptied for this test."""
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def config_overrides(mailbox: SmtpSink) -> dict[str, Any]:
    """Send mail to the test server, at once after each request."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "sync"}
