"""The plan people receive is the plan tourplanner holds: meeting time, return, and one update per change burst.

Through the API, a real SMTP server and parsed iCalendar (invitations and feed).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.mail.smtp_sink import invitation_of
from tourplanner.accounts.enums import Role
from tourplanner.calendar.updates import send_due_updates
from tourplanner.db import utcnow
from tourplanner.mail.operations import deliver_pending
from tourplanner.tours.models import Stop

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def config_overrides(mailbox) -> dict[str, Any]:
    """Mail to the test server; a 60-second window in which changes make one update."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "sync", "NOTIFY_DELAY_SECONDS": 60}


def _day() -> date:
    # Any day far enough ahead for bookings to be open; the outcome does not depend on it.
    return (datetime.now(PARIS) + timedelta(days=40)).date()


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(_day(), datetime.min.time()).replace(hour=hour, minute=minute, tzinfo=PARIS)


def _settle() -> None:
    """Let the burst window close, as the scheduler or the web process's thread would, then deliver."""
    send_due_updates(now=utcnow() + timedelta(seconds=61))
    deliver_pending()


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_invitations_and_feed_follow_the_itinerary_and_a_decline_then_reoptimisation_is_one_update(
    api_as, make_site, make_user, make_slot, mailbox, client, db
):
    """After optimise, publish and bookings, the invitation and the feed start at the meeting time and end at the
    bus's return; a decline followed by a re-optimisation sends each concerned person exactly one update (the
    declining company one cancellation) with the new programme, and nothing to anyone else."""
    organiser = api_as(Role.ORGANISER)
    site_a, site_b = make_site(name="Aciérie Alpha"), make_site(name="Brasserie Bêta")
    contact_a = make_user(Role.COMPANY, organisation=site_a.organisation.name)
    contact_b = make_user(Role.COMPANY, organisation=site_b.organisation.name)
    bystander = make_user(Role.COMPANY)
    slot_a = make_slot(site=site_a, start_at=_at(9), end_at=_at(12), visit_minutes=60)
    slot_b = make_slot(site=site_b, start_at=_at(10, 30), end_at=_at(16), visit_minutes=60)
    body = {
        "title": "ZI Tour Meyzieu",
        "start": _at(8, 30).isoformat(),
        "end": _at(17).isoformat(),
        "meeting_point": {"name": "Gare de Meyzieu", "lat": 45.766, "lon": 5.003},
        "buses": [{"seats": 20}],
        "booking_deadline": (_at(8) - timedelta(days=3)).isoformat(),
        "boarding_minutes": 15,
    }
    created = organiser.post("/tours", json=body)
    assert created.status_code == 201, created.get_json()
    tour_id = created.get_json()["id"]
    assert organiser.post(f"/tours/{tour_id}/candidates", json={"slot_ids": [slot_a.id, slot_b.id]}).status_code == 200
    itinerary = organiser.post(f"/tours/{tour_id}/optimise", json={}).get_json()
    [bus] = itinerary["buses"]
    assert _parse(bus["departure"]) == _at(8, 45)
    assert [stop["slot_id"] for stop in bus["stops"]] == [slot_a.id, slot_b.id]
    # Visits begin as early as their windows allow from that departure.
    assert _parse(bus["stops"][0]["start"]) == _at(9)
    assert organiser.post(f"/tours/{tour_id}/publish").status_code == 200
    ambassador = make_user(Role.AMBASSADOR)
    assert (
        organiser.post(f"/tours/{tour_id}/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code == 201
    )
    prescriber = api_as(Role.PRESCRIBER)
    booking = prescriber.post(
        f"/tours/{tour_id}/bookings",
        json={"seats": 2, "participants": [{"name": "Léa", "email": "lea@example.fr"}, {"name": "Noé"}]},
    )
    assert booking.status_code == 201
    _settle()

    back = _parse(bus["return"]).replace(second=0)
    people = {prescriber.user.email, "lea@example.fr", ambassador.email}
    for address in people:
        [received] = mailbox.to(address)
        event = invitation_of(received).event
        assert event.start == _at(8, 30) and event.end == back
        assert "Aciérie Alpha" in str(event["DESCRIPTION"])
    assert "8h45  Départ du car" in invitation_of(mailbox.to(prescriber.user.email)[0]).text
    feed_url = prescriber.get("/me/calendar").get_json()["url"]
    feed = Calendar.from_ical(client.get(feed_url.split("tourplanner.test", 1)[1]).data)
    [feed_event] = feed.walk("VEVENT")
    assert feed_event.start == _at(8, 30) and feed_event.end == back
    sent_before = {
        address: invitation_of(mailbox.to(address)[0]) for address in people | {contact_a.email, contact_b.email}
    }
    mailbox.clear()

    # The company B (the day's last visit) declines; the organiser re-optimises within the window.
    stop_b = db.session.query(Stop).filter_by(slot_id=slot_b.id).one()
    assert api_as(contact_b).post(f"/visits/{stop_b.id}/decline", json={"reason": "Inventaire"}).status_code == 200
    after = organiser.post(f"/tours/{tour_id}/optimise", json={}).get_json()
    deliver_pending()
    assert all(
        not r.message.get_content_type() == "multipart/alternative" or "text/calendar" not in r.raw.decode()
        for r in mailbox.received
    ), "nothing is sent before the window closes"
    _settle()

    [new_bus] = after["buses"]
    assert [stop["slot_id"] for stop in new_bus["stops"]] == [slot_a.id]
    new_back = _parse(new_bus["return"]).replace(second=0)
    assert new_back != back
    for address in people:
        [received] = mailbox.to(address)
        update = invitation_of(received)
        assert update.method_param == "REQUEST"
        assert int(update.event["SEQUENCE"]) == int(sent_before[address].event["SEQUENCE"]) + 1
        assert update.event.end == new_back
        assert "Brasserie Bêta" not in update.text and "Aciérie Alpha" in update.text
    [cancel] = mailbox.to(contact_b.email)
    assert invitation_of(cancel).method_param == "CANCEL"
    assert str(invitation_of(cancel).event["SUMMARY"]).startswith("Annulé : ")
    a_moved = bus["stops"][0]["start"] != new_bus["stops"][0]["start"]
    assert [invitation_of(r).method_param for r in mailbox.to(contact_a.email)] == (["REQUEST"] if a_moved else [])
    assert mailbox.to(bystander.email) == []
    calendar_mails = [r for r in mailbox.received if b"text/calendar" in r.raw]
    assert len(calendar_mails) == len(people) + 1 + int(a_moved)


def test_the_boarding_margin_is_optional_and_at_most_30_minutes(api_as):
    """boarding_minutes defaults to 0 (the bus leaves at the meeting time); 31 is refused with a French 422."""
    organiser = api_as(Role.ORGANISER)
    body = {
        "title": "ZI Tour",
        "start": _at(8, 30).isoformat(),
        "end": _at(17).isoformat(),
        "meeting_point": {"name": "Gare", "lat": 45.766, "lon": 5.003},
        "buses": [{"seats": 20}],
        "booking_deadline": (_at(8) - timedelta(days=3)).isoformat(),
    }
    created = organiser.post("/tours", json=body)
    assert created.status_code == 201 and created.get_json()["boarding_minutes"] == 0
    itinerary = organiser.get(f"/tours/{created.get_json()['id']}/itinerary").get_json()
    assert _parse(itinerary["buses"][0]["departure"]) == _at(8, 30)
    refused = organiser.post("/tours", json={**body, "boarding_minutes": 31})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.get_json()["errors"]] == ["boarding_minutes"]


def test_a_tour_over_sends_no_invitation_update_or_withdrawal(app, db, make_tour, book, make_user):
    """Once a tour has ended, a change marked on it (its attendance taken, a title corrected, a seat cancelled)
    sends nobody anything; before it ended, the same change did."""
    import time_machine

    from tourplanner.bookings import operations as booking_ops
    from tourplanner.calendar import updates
    from tourplanner.mail.models import OutboxMail
    from tourplanner.tours.notices import plan_changed

    tour = make_tour(published=True)
    booking = book(tour, make_user(Role.PRESCRIBER))
    db.session.commit()
    assert updates.send_due_updates(tour.notify_after_at) >= 1  # invited while to come
    sent = db.session.query(OutboxMail).count()

    with time_machine.travel(tour.end_at + timedelta(hours=1), tick=False):
        tour.title = "Titre corrigé après coup"
        plan_changed(tour)
        booking_ops.cancel_booking(booking, tour.created_by)  # by the organiser, past the deadline
        db.session.commit()
        assert updates.send_due_updates(tour.notify_after_at) == 0
        assert db.session.query(OutboxMail).count() == sent
        assert db.session.get(type(tour), tour.id).notify_after_at is None  # the mark is done with
