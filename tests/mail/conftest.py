"""Fixtures of the mail tests: a real SMTP server on a free local port, and the app using it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mail.smtp_sink import SmtpSink


@pytest.fixture
def config_overrides(mailbox: SmtpSink) -> dict[str, Any]:
    """Send mail to the test server, at once after each request."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "sync"}
