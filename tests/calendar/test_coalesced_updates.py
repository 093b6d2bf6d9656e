"""A burst of changes reaches each person as one update, within a minute of its first change; a site's new
name or address reaches the people of the coming tours that visit it.

Through the API, the real SMTP sink and parsed invitations, with the clock frozen at explicit dates.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine

from tests.calendar.conftest import settle_calendars
from tests.conftest import PARIS
from tests.mail.smtp_sink import invitation_of
from tourplanner.accounts.enums import Role
from tourplanner.calendar.updates import send_due_updates
from tourplanner.mail.operations import deliver_pending
from tourplanner.tours.models import Stop, Tour
from tourplanner.tours.notices import plan_changed

#: The first change of the burst; the tour is 40 days later.
T0 = datetime(2027, 3, 10, 9, 0, tzinfo=PARIS)
DAY = datetime(2027, 4, 19, tzinfo=PARIS)


def _at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


@pytest.fixture
def config_overrides(mailbox) -> dict[str, Any]:
    """Mail to the test server; a 30-second quiet time, at most 50 seconds after a burst's first change."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": mailbox.port,
        "MAIL_DELIVERY": "sync",
        "NOTIFY_DELAY_SECONDS": 30,
        "NOTIFY_MAX_DELAY_SECONDS": 50,
    }


def _run() -> None:
    """What the scheduler's job does every few seconds: send what is due, deliver."""
    send_due_updates()
    deliver_pending()


def _calendar_mails(mailbox) -> list:
    return [received for received in mailbox.received if b"text/calendar" in received.raw]


def test_each_change_pushes_the_update_back_but_never_beyond_the_cap(app, db, make_tour):
    """30 s after the last change, unless the burst's first change is 50 s old by then; a new burst starts afresh."""
    with time_machine.travel(T0, tick=False) as clock:
        tour = make_tour(published=True)
        tour.notify_after_at = tour.notify_first_at = None
        plan_changed(tour)
        assert tour.notify_after_at == T0 + timedelta(seconds=30)
        clock.shift(15)
        plan_changed(tour)
        assert tour.notify_after_at == T0 + timedelta(seconds=45)
        clock.shift(15)
        plan_changed(tour)
        assert tour.notify_after_at == T0 + timedelta(seconds=50)
        db.session.commit()
        clock.shift(20)
        send_due_updates()
        db.session.refresh(tour)
        assert tour.notify_after_at is None and tour.notify_first_at is None
        plan_changed(tour)
        assert tour.notify_after_at == T0 + timedelta(seconds=80)


def test_a_decline_then_two_reoptimisations_make_one_update_per_person_within_50_seconds(
    api_as, make_site, make_user, make_slot, mailbox, db
):
    """A decline, a re-optimisation 25 s later and another 45 s after the first change: nothing leaves at 35 s nor
    at 49 s; at 50 s each concerned person gets exactly one REQUEST with the new programme (the declining company
    one CANCEL), and nobody else anything."""
    with time_machine.travel(T0 - timedelta(minutes=10), tick=False) as clock:
        organiser = api_as(Role.ORGANISER)
        site_a, site_b = make_site(name="Aciérie Alpha"), make_site(name="Brasserie Bêta")
        contact_b = make_user(Role.COMPANY, organisation=site_b.organisation.name)
        bystander = make_user(Role.COMPANY)
        slot_a = make_slot(site=site_a, start_at=_at(9), end_at=_at(12), visit_minutes=60)
        slot_b = make_slot(site=site_b, start_at=_at(10, 30), end_at=_at(16), visit_minutes=60)
        created = organiser.post(
            "/tours",
            json={
                "title": "ZI Tour Meyzieu",
                "start": _at(8, 30).isoformat(),
                "end": _at(17).isoformat(),
                "meeting_point": {"name": "Gare de Meyzieu", "lat": 45.766, "lon": 5.003},
                "buses": [{"seats": 20}],
                "booking_deadline": (_at(8) - timedelta(days=3)).isoformat(),
            },
        )
        assert created.status_code == 201, created.get_json()
        tour_id = created.get_json()["id"]
        assert (
            organiser.post(f"/tours/{tour_id}/candidates", json={"slot_ids": [slot_a.id, slot_b.id]}).status_code == 200
        )
        assert organiser.post(f"/tours/{tour_id}/optimise", json={}).status_code == 200
        assert organiser.post(f"/tours/{tour_id}/publish").status_code == 200
        ambassador = make_user(Role.AMBASSADOR)
        assert (
            organiser.post(f"/tours/{tour_id}/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code
            == 201
        )
        prescriber = api_as(Role.PRESCRIBER)
        assert (
            prescriber.post(
                f"/tours/{tour_id}/bookings",
                json={"seats": 2, "participants": [{"name": "Léa", "email": "lea@example.fr"}]},
            ).status_code
            == 201
        )
        clock.shift(60)
        _run()
        people = {prescriber.user.email, "lea@example.fr", ambassador.email}
        first = {address: invitation_of(mailbox.to(address)[0]) for address in people}
        mailbox.clear()

        clock.move_to(T0)
        stop_b = db.session.query(Stop).filter_by(slot_id=slot_b.id).one()
        assert api_as(contact_b).post(f"/visits/{stop_b.id}/decline", json={"reason": "Inventaire"}).status_code == 200
        clock.shift(25)
        assert organiser.post(f"/tours/{tour_id}/optimise", json={}).status_code == 200
        clock.shift(10)  # 35 s: a fixed 30-second window would have sent the decline alone by now
        _run()
        assert _calendar_mails(mailbox) == []
        clock.shift(10)  # 45 s: another change joins the burst, and cannot push it beyond 50 s
        assert organiser.post(f"/tours/{tour_id}/optimise", json={}).status_code == 200
        clock.shift(4)
        _run()
        assert _calendar_mails(mailbox) == []
        clock.shift(1)  # 50 s after the first change
        _run()

        for address in people:
            [received] = mailbox.to(address)
            update = invitation_of(received)
            assert update.method_param == "REQUEST"
            assert int(update.event["SEQUENCE"]) == int(first[address].event["SEQUENCE"]) + 1
            assert "Brasserie Bêta" not in update.text and "Aciérie Alpha" in update.text
        [cancel] = mailbox.to(contact_b.email)
        assert invitation_of(cancel).method_param == "CANCEL"
        assert mailbox.to(bystander.email) == []
        calendar_mails = _calendar_mails(mailbox)
        company_a = [
            r
            for r in calendar_mails
            if r not in mailbox.to(contact_b.email) and all(r not in mailbox.to(a) for a in people)
        ]
        assert len(calendar_mails) == len(people) + 1 + len(company_a)
        assert len(company_a) <= 1


def test_a_site_renamed_or_moved_reaches_the_people_of_the_coming_tours_visiting_it(
    api_as, make_tour, make_site, make_user, add_stop, book, mailbox, db
):
    """PUT /api/v1/sites/{id} with a new name sends the people of the tour visiting it one update carrying it, a new
    address the company its visit's new place; a change nobody is told of (its trades) or of a site no tour visits
    sends nothing."""
    with time_machine.travel(T0, tick=False) as clock:
        site = make_site(name="Forge du Rhône")
        other = make_site(name="Scierie Sud")
        contact = make_user(Role.COMPANY, organisation=site.organisation.name)
        tour = make_tour(published=True)
        add_stop(tour, site, hour=10)
        prescriber = make_user(Role.PRESCRIBER)
        book(tour, prescriber)
        plan_changed(tour)
        settle_calendars()
        clock.shift(60)
        _run()
        sent = invitation_of(mailbox.to(prescriber.email)[-1])
        mailbox.clear()
        body = {"name": "Forge du Rhône", "address": site.address, "lat": site.lat, "lon": site.lon}
        api = api_as(contact)

        clock.shift(60)
        assert api.put(f"/sites/{site.id}", json={**body, "trades": ["Soudeur"]}).status_code == 200
        assert db.session.get(Tour, tour.id).notify_after_at is None
        assert (
            api_as(Role.ORGANISER)
            .put(
                f"/sites/{other.id}",
                json={"name": "Scierie Nord", "address": other.address, "lat": other.lat, "lon": other.lon},
            )
            .status_code
            == 200
        )
        clock.shift(60)
        _run()
        assert _calendar_mails(mailbox) == []

        assert api.put(f"/sites/{site.id}", json={**body, "name": "Forges Réunies"}).status_code == 200
        clock.shift(60)
        _run()
        [received] = mailbox.to(prescriber.email)
        update = invitation_of(received)
        assert int(update.event["SEQUENCE"]) == int(sent.event["SEQUENCE"]) + 1
        assert "Forges Réunies" in update.text and "Forge du Rhône" not in update.text
        mailbox.clear()

        assert (
            api.put(
                f"/sites/{site.id}", json={**body, "name": "Forges Réunies", "address": "3 quai des Forges, 69007 Lyon"}
            ).status_code
            == 200
        )
        clock.shift(60)
        _run()
        # The address is where the company's visit takes place; the prescriber's programme does not change.
        [received] = mailbox.to(contact.email)
        assert "3 quai des Forges" in str(invitation_of(received).event["LOCATION"])
        assert mailbox.to(prescriber.email) == []
