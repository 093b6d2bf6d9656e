"""The outbox: MIME shape, delivery through a real SMTP server, retries, and no mail sent twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from flask import Flask

from tests.mail.smtp_sink import SmtpSink, free_port, invitation_of
from tourplanner import jobs
from tourplanner.db import utcnow
from tourplanner.mail.delivery import RETRY_SECONDS, deliver_in_own_context, start_delivery, stop_delivery
from tourplanner.mail.models import OutboxMail
from tourplanner.mail.operations import CONNECTION_RETRY, build_message, deliver_pending, enqueue

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:tour-1@test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270309T080000Z\r\nSUMMARY:Été\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _queue(db, count: int = 1, recipient: str = "lea@example.fr") -> list[OutboxMail]:
    mails = [
        enqueue(recipient, f"Invitation n°{n}", "Bonjour,\n\nÀ bientôt.", "<p>Bonjour</p>", ICS, "REQUEST")
        for n in range(count)
    ]
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
    for _ in range(6):  # a long outage: round after round fails
        assert deliver_pending() == 0
        db.session.refresh(mail)
        mail.send_after_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert deliver_pending() == 0
    db.session.refresh(mail)
    # A server away is not the mail's fault: no backoff piles up, it is due again within CONNECTION_RETRY.
    assert mail.sent_at is None and mail.attempts == 0 and mail.last_error
    assert utcnow() < mail.send_after_at <= utcnow() + CONNECTION_RETRY

    server = SmtpSink(port).start()
    try:
        assert deliver_pending() == 0  # not due yet
        mail.send_after_at = utcnow() - timedelta(seconds=1)  # CONNECTION_RETRY later
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


def _event_mail(recipient: str, method: str, sequence: int, uid: str = "tour-1@test") -> OutboxMail:
    return enqueue(
        recipient,
        f"{method} {sequence}",
        "Bonjour",
        None,
        ICS.replace("REQUEST", method),
        method,
        event_uid=uid,
        event_sequence=sequence,
    )


def test_only_the_latest_waiting_version_of_an_event_leaves(mailbox, db):
    """Three versions of one event wait for one person: only the last is sent; others' and other events' are not
    touched."""
    _event_mail("lea@example.fr", "REQUEST", 0)
    _event_mail("lea@example.fr", "REQUEST", 1)
    _event_mail("noe@example.fr", "REQUEST", 0)
    _event_mail("lea@example.fr", "REQUEST", 2)
    _event_mail("lea@example.fr", "REQUEST", 0, uid="tour-2@test")
    db.session.commit()
    assert deliver_pending() == 3
    assert sorted(r.message["Subject"] + " " + r.recipients[0] for r in mailbox.received) == [
        "REQUEST 0 lea@example.fr",
        "REQUEST 0 noe@example.fr",
        "REQUEST 2 lea@example.fr",
    ]
    superseded = db.session.query(OutboxMail).filter(OutboxMail.superseded_at.is_not(None)).all()
    assert sorted(m.event_sequence for m in superseded) == [0, 1]


def test_a_request_cancelled_before_it_left_is_not_sent_at_all(mailbox, db):
    """REQUEST then CANCEL of the same event, both waiting: neither reaches the person (nothing to withdraw)."""
    _event_mail("lea@example.fr", "REQUEST", 0)
    _event_mail("lea@example.fr", "CANCEL", 1)
    db.session.commit()
    assert deliver_pending() == 0
    assert mailbox.received == []


def test_a_later_version_never_leaves_before_an_earlier_one(mailbox, db):
    """A version whose first attempt was refused waits in backoff; the next version supersedes it instead of
    overtaking it, so the person never receives SEQUENCE 1 before SEQUENCE 0."""
    first = _event_mail("lea@example.fr", "REQUEST", 0)
    db.session.commit()
    first.attempts = 1
    first.send_after_at = utcnow() + timedelta(minutes=5)  # in backoff after a refusal
    db.session.commit()
    _event_mail("lea@example.fr", "REQUEST", 1)
    db.session.commit()
    assert deliver_pending() == 1
    first.send_after_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver_pending() == 0
    assert [r.message["Subject"] for r in mailbox.received] == ["REQUEST 1"]


def test_a_waiting_retry_loop_stops_with_its_app(app: Flask, db):
    """While mail waits, one retry thread sleeps between rounds; stop_delivery (the app's teardown) ends it at once,
    before a round, and no delivery thread starts afterwards."""
    app.config.update(MAIL_DELIVERY="thread", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens
    _queue(db)
    deliver_in_own_context(app)
    [retry] = [t for t in threading.enumerate() if t.name == "outbox-retry" and t.is_alive()]
    began = time.monotonic()
    stop_delivery(app)
    assert not retry.is_alive()
    assert time.monotonic() - began < RETRY_SECONDS / 2
    assert start_delivery(app) is None
    db.session.expire_all()
    assert db.session.query(OutboxMail).one().sent_at is None  # left for the scheduler's job
