"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for the mail tests."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        """The parsed message."""
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]


class SmtpSink:
    """An SMTP server collecting messages in `received`; start() and stop() it."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        """Keep the message."""
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        """Listen on 127.0.0.1:port."""
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="localhost")
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        """Forget what was received."""
        with self._lock:
            self.received.clear()

    def to(self, address: str) -> list[Received]:
        """The messages for `address`."""
        with self._lock:
            return [r for r in self.received if address in r.recipients]

    def wait_for(self, count: int, timeout_s: float = 10) -> list[Received]:
        """Wait until at least `count` messages arrived; returns them all."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self._lock:
            return list(self.received)


@dataclass(frozen=True)
class Invitation:
    """The parts of a received invitation mail that the tests look at."""

    message: EmailMessage
    #: The `method` parameter of the text/calendar part's Content-Type.
    method_param: str
    calendar: object
    text: str
    html: str | None

    @property
    def event(self):
        """The one VEVENT."""
        events = self.calendar.walk("VEVENT")  # type: ignore[attr-defined]
        assert len(events) == 1
        return events[0]


def invitation_of(received: Received) -> Invitation:
    """Parse an invitation mail: its text, HTML and text/calendar parts."""
    from icalendar import Calendar

    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in message.iter_parts()}
    calendar_part = parts["text/calendar"]
    return Invitation(
        message=message,
        method_param=calendar_part.get_param("method"),
        calendar=Calendar.from_ical(calendar_part.get_content()),
        text=parts["text/plain"].get_content(),
        html=parts["text/html"].get_content() if "text/html" in parts else None,
    )
