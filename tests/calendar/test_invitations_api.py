"""Invitations end to end: an API request queues them and they reach the SMTP server right after it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.mail.smtp_sink import invitation_of
from tourplanner.accounts.enums import Role
from tourplanner.mail.models import OutboxMail


def test_booking_through_the_api_mails_at_once_and_cancel_follows(api_as, make_tour, mailbox, db):
    """POST a booking: the REQUEST arrives after the request; DELETE it: a CANCEL with the same UID."""
    tour = make_tour(published=True)
    api = api_as(Role.PRESCRIBER)
    created = api.post(
        f"/tours/{tour.id}/bookings",
        json={"seats": 2, "participants": [{"name": "Léa", "email": "lea@example.fr"}, {"name": "Noé"}]},
    )
    assert created.status_code == 201
    assert sorted(r.recipients[0] for r in mailbox.received) == sorted([api.user.email, "lea@example.fr"])

    mailbox.clear()
    assert api.delete(f"/bookings/{created.get_json()['id']}").status_code == 200
    cancels = {r.recipients[0]: invitation_of(r) for r in mailbox.received}
    assert set(cancels) == {api.user.email, "lea@example.fr"}
    for cancel in cancels.values():
        assert cancel.method_param == "CANCEL"
        assert str(cancel.event["UID"]) == f"tour-{tour.id}@tourplanner.test"
        assert int(cancel.event["SEQUENCE"]) == 1


def test_a_promotion_from_the_waiting_list_is_invited(api_as, make_tour, mailbox, db):
    """When a seat frees up, the prescriber promoted from the waiting list gets a REQUEST; nobody else but the canceller
    hears."""
    tour = make_tour(published=True, bus_seats=[2])
    first = api_as(Role.PRESCRIBER)
    second = api_as(Role.PRESCRIBER)
    booking = first.post(f"/tours/{tour.id}/bookings", json={"seats": 2}).get_json()
    assert second.post(f"/tours/{tour.id}/bookings", json={"seats": 1}).get_json()["status"] == "waitlisted"
    assert mailbox.to(second.user.email) == []

    first.delete(f"/bookings/{booking['id']}")
    [promoted] = mailbox.to(second.user.email)
    invite = invitation_of(promoted)
    assert invite.method_param == "REQUEST"
    assert str(invite.event["ATTENDEE"]) == f"mailto:{second.user.email}"
    assert {r.recipients[0] for r in mailbox.received} == {first.user.email, second.user.email}


class TestThreadDelivery:
    """MAIL_DELIVERY = "thread": the request answers at once and a thread sends the mail."""

    @pytest.fixture
    def config_overrides(self, mailbox) -> dict[str, Any]:
        """The default delivery mode, to the test server."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "thread"}

    def test_the_mail_arrives_within_seconds(self, api_as, make_tour, mailbox, db):
        """After the booking request, a background thread delivers the invitation without any scheduler."""
        tour = make_tour(published=True)
        api = api_as(Role.PRESCRIBER)
        assert api.post(f"/tours/{tour.id}/bookings", json={"seats": 1}).status_code == 201
        [received] = mailbox.wait_for(1, timeout_s=20)
        assert received.recipients == [api.user.email]
        deadline = time.monotonic() + 20  # let the thread record the delivery before the database goes
        while db.session.query(OutboxMail).filter(OutboxMail.sent_at.is_(None)).count() and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.05)
        assert db.session.query(OutboxMail).filter(OutboxMail.sent_at.is_(None)).count() == 0


class TestNoDelivery:
    """MAIL_DELIVERY = "off": requests leave mail to the scheduler."""

    @pytest.fixture
    def config_overrides(self, mailbox) -> dict[str, Any]:
        """Delivery left to the scheduler's job."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "off"}

    def test_the_mail_waits_for_the_job(self, api_as, make_tour, mailbox, db):
        """Nothing leaves after the request; the scheduler's jobs queue the invitation, then send it."""
        from tourplanner import jobs

        tour = make_tour(published=True)
        api = api_as(Role.PRESCRIBER)
        api.post(f"/tours/{tour.id}/bookings", json={"seats": 1})
        assert mailbox.received == []
        assert db.session.query(OutboxMail).count() == 0
        assert jobs.send_calendar_updates() == 1
        assert db.session.query(OutboxMail).filter(OutboxMail.sent_at.is_(None)).count() == 1
        assert jobs.deliver_outbox() == 1
        assert [r.recipients for r in mailbox.received] == [[api.user.email]]
