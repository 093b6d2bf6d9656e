"""The outbox: MIME shape, delivery through a real SMTP server, retries, and no mail sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask

from tests.mail.smtp_sink import SmtpSink, free_port, invitation_of
from tourplanner import jobs
from tourplanner.db import utcnow
from tourplanner.mail.delivery import deliver_in_own_context
from tourplanner.mail.models import OutboxMail
from tourplanner.mail.operations import build_message, deliver_pending, enqueue

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:tour-1@test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270309T080000Z\r\nSUMMARY:Été\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _queue(db, count: int = 1, recipient: str = "lea@example.fr") -> list[OutboxMail]:  # noqa: ANN001
    mails = [enqueue(recipient, f"Invitation n°{n}", "Bonjour,\n\nÀ bientôt.", "<p>Bonjour</p>", ICS, "REQUEST")
             for n in range(count)]
    db.session.commit()
    return mails


def test_a_mail_is_text_html_and_calendar_alternatives(app, db):
    """build_message makes multipart/alternative: text/plain, text/html, then text/calendar with its method."""
    [mail] = _queue(db)
    message = build_message(mail, "tourplanner@localhost")
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    assert parts[2].get_param("method") == "REQUEST"
    assert "SUMMARY:Été" in parts[2].get_content()
    assert parts[0].get_content().startswith("Bonjour,")
    assert message["Message-ID"] == build_message(mail, "tourplanner@localhost")["Message-ID"]


def test_delivery_sends_each_due_mail_once(mailbox, db):
    """deliver_pending sends what waits, marks it sent, and a second round sends nothing again."""
    _queue(db, count=3)
    assert deliver_pending() == 3
    assert deliver_pending() == 0
    assert len(mailbox.received) == 3
    invite = invitation_of(mailbox.received[0])
    assert invite.method_param == "REQUEST" == str(invite.calendar["METHOD"])
    assert all(mail.sent_at is not None for mail in db.session.query(OutboxMail))


def test_two_senders_at_once_send_each_mail_once(app: Flask, mailbox, db):
    """Two delivery threads racing on the same outbox send every mail exactly once between them."""
    _queue(db, count=6)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def sender() -> None:
        barrier.wait()
        results.append(deliver_in_own_context(app))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(results) == 6
    subjects = [r.message["Subject"] for r in mailbox.received]
    assert sorted(subjects) == sorted(f"Invitation n°{n}" for n in range(6))


def test_an_unreachable_server_keeps_the_mail_for_a_later_round(app: Flask, db):
    """With the SMTP port closed the mail stays unsent with its error; once the server is up a later round sends it."""
    port = free_port()
    app.config["SMTP_PORT"] = port
    [mail] = _queue(db)
    assert deliver_pending() == 0
    db.session.refresh(mail)
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    assert mail.send_after_at > utcnow()

    server = SmtpSink(port).start()
    try:
        assert deliver_pending() == 0  # not due yet: retries back off
        mail.send_after_at = utcnow() - timedelta(seconds=1)  # a minute later
        db.session.commit()
        assert jobs.deliver_outbox() == 1
        assert [r.recipients for r in server.received] == [["lea@example.fr"]]
    finally:
        server.stop()
    db.session.refresh(mail)
    assert mail.sent_at is not None and mail.last_error is None


def test_without_smtp_host_nothing_is_sent_and_nothing_lost(app: Flask, mailbox, db):
    """With SMTP_HOST unset deliver_pending sends nothing and the mail waits in the outbox."""
    app.config["SMTP_HOST"] = None
    [mail] = _queue(db)
    assert deliver_pending() == 0
    assert mailbox.received == []
    db.session.refresh(mail)
    assert mail.sent_at is None and mail.attempts == 0
