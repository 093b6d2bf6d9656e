"""`tourplanner demo`: the realistic demo data set, loaded once, identical when loaded again."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from tourplanner import demo
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import User
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.db import utcnow
from tourplanner.demo_cohorts import TITLE as COHORT_TITLE
from tourplanner.demo_data import (
    COMPANIES,
    DECLINED_VISIT,
    DEMO_DOMAIN,
    PAST_TOURS,
    REVERSE_VISIT,
    REVERSE_VISIT_HOST,
    TERRITORY_BOUNDS,
    TOURS,
    WORKSHOP_EVENT,
    ZONES,
)
from tourplanner.mail.models import OutboxMail
from tourplanner.sites.enums import SlotStatus, VisitResponse
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Stop, Tour


@pytest.fixture
def loaded(db) -> str:
    """The demo loaded and committed once; its summary."""
    text = demo.load_demo()
    db.session.commit()
    return text


def dump(db) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    db.session.expire_all()
    return {
        table.name: [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))]
        for table in db.metadata.sorted_tables
    }


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def test_demo_loads_on_an_empty_database(loaded, db) -> None:
    """On an empty database: ≥ 20 fictional companies with a site and future slots, every role."""
    sites = db.session.scalars(select(Site)).all()
    assert len({site.organisation_id for site in sites}) >= 20
    now = utcnow()
    for site in sites:
        assert site.zone is not None and site.sector and site.trades and site.access_notes
        assert any(slot.start_at > now for slot in site.slots), site.name
    users = db.session.scalars(select(User)).all()
    assert users and all(user.email.endswith("@" + DEMO_DOMAIN) for user in users)
    assert {user.role for user in users} == set(Role)
    assert "éléments ajoutés" in loaded


def test_loading_twice_leaves_every_table_identical(loaded, db) -> None:
    """A second run, the same day or weeks later, adds, changes and removes nothing."""
    before = dump(db)
    assert before["slots"] and before["tours"] and before["audit_entries"]
    again = demo.load_demo()
    db.session.commit()
    assert dump(db) == before
    assert "rien n'a changé" in again
    with time_machine.travel(utcnow() + timedelta(days=40), tick=False):
        demo.load_demo()
        db.session.commit()
    assert dump(db) == before


def test_sites_and_zones_lie_in_their_territory(loaded, db) -> None:
    """Zones sit in their territory's box; each site is within 2 km of its zone's point."""
    for zone in db.session.scalars(select(IndustrialZone)):
        south, west, north, east = TERRITORY_BOUNDS[zone.territory]
        assert south <= zone.lat <= north and west <= zone.lon <= east, zone.name
        for site in zone.sites:
            assert south <= site.lat <= north and west <= site.lon <= east, site.name
            assert km_between(site.lat, site.lon, zone.lat, zone.lon) < 2.0, site.name
    territories = db.session.scalars(select(IndustrialZone.territory).distinct()).all()
    assert sorted(territories) == sorted(TERRITORY_BOUNDS)


#: The bilan's two years of history (tourplanner.demo_impact) are tested in tests/impact.
IMPACT_TITLES = "% – bilan n°%"


def programme_slots(db):
    """The slots companies offer for the programme, not those of the bilan's history."""
    history = select(Stop.slot_id).join(Tour, Stop.tour_id == Tour.id).where(Tour.title.like(IMPACT_TITLES))
    return db.session.scalars(select(Slot).where(Slot.id.not_in(history))).all()


def programme_tours(db) -> dict[str, Tour]:
    """The demo's programme by title, without the bilan's history."""
    return {tour.title: tour for tour in db.session.scalars(select(Tour).where(Tour.title.not_like(IMPACT_TITLES)))}


def assert_realistic_slots(db) -> None:
    """Slots: one half-day a day per site, on working days; visits of 45–90 min for 10–30 people."""
    slots = programme_slots(db)
    assert len(slots) >= 2 * len(COMPANIES)
    days = [(slot.site_id, to_local(slot.start_at).date()) for slot in slots]
    assert len(days) == len(set(days))  # else a bus could come back to the same site
    for slot in slots:
        start, end = to_local(slot.start_at), to_local(slot.end_at)
        assert demo.is_working_day(start.date()) and start.date() == end.date()
        assert (start.time(), end.time()) in (demo.MORNING, demo.AFTERNOON)
        assert 45 <= slot.visit_minutes <= 90 and 10 <= slot.max_visitors <= 30
        assert timedelta(minutes=slot.visit_minutes) <= slot.end_at - slot.start_at


def test_slots_are_weekday_half_days_of_realistic_visits(loaded, db) -> None:
    """Slots: one half-day a day per site, on working days; visits of 45–90 min for 10–30 people."""
    assert_realistic_slots(db)


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "today",
    [
        datetime(2026, 11, 30, 9, 0, tzinfo=PARIS),  # two offsets once met on 4 January, after the Christmas closure
        datetime(2027, 7, 14, 9, 0, tzinfo=PARIS),  # summer time, a public holiday, the August closure ahead
        datetime(2027, 12, 31, 23, 30, tzinfo=PARIS),  # 22:30 UTC: the anchor is Paris's day, not UTC's
        datetime(2028, 2, 29, 10, 0, tzinfo=PARIS),  # a leap day
        datetime(2027, 3, 28, 3, 30, tzinfo=PARIS),  # the night summer time begins
    ],
)
def test_the_demo_and_its_rules_agree_whatever_today_is(db, today: datetime) -> None:
    """Loaded on any day: realistic slots, coming tours ahead with candidates, held tours behind; twice changes
    nothing."""
    with time_machine.travel(today, tick=False):
        text = demo.load_demo()
        db.session.commit()
        assert f"à partir du {today:%d/%m/%Y}" in text
        assert_realistic_slots(db)
        now = utcnow()
        tours = programme_tours(db)
        assert set(tours) == {data.title for data in TOURS + PAST_TOURS} | {
            REVERSE_VISIT.title,
            WORKSHOP_EVENT.title,
            COHORT_TITLE,
        }
        held = {c.slot_id for data in PAST_TOURS for c in tours[data.title].candidates}
        assert all(slot.start_at > now or slot.id in held for slot in programme_slots(db))
        for data in TOURS:
            tour = tours[data.title]
            assert tour.booking_deadline_at > now and tour.candidates, tour.title
            assert demo.is_working_day(to_local(tour.start_at).date())
        for data in PAST_TOURS:
            assert tours[data.title].end_at < now and tours[data.title].status is TourStatus.DONE
        assert tours[DECLINED_VISIT[0]].needs_reoptimisation
        before = dump(db)
        assert "rien n'a changé" in demo.load_demo()
        db.session.commit()
        assert dump(db) == before


def test_the_coming_tours_exist_with_candidates_and_ambassadors(loaded, db) -> None:
    """The coming programme: a published ZI Tour, a draft, a published small group; each with its candidates."""
    tours = programme_tours(db)
    assert set(tours) == {data.title for data in TOURS + PAST_TOURS} | {
        REVERSE_VISIT.title,
        WORKSHOP_EVENT.title,
        COHORT_TITLE,
    }
    for data in TOURS:
        tour = tours[data.title]
        assert tour.kind is data.kind
        assert tour.status is (TourStatus.PUBLISHED if data.publish else TourStatus.DRAFT)
        assert [bus.seats for bus in tour.buses] == list(data.bus_seats)
        assert tour.booking_deadline_at > utcnow() and demo.is_working_day(to_local(tour.start_at).date())
        assert tour.candidates, tour.title
        for candidate in tour.candidates:
            slot = candidate.slot
            assert slot.site.zone.territory == data.territory
            assert tour.start_at <= slot.start_at and slot.end_at <= tour.end_at
            assert slot.max_visitors >= max(data.bus_seats)
        riders = {(a.user.email.split("@")[0], a.bus.position) for a in tour.ambassadors}
        assert riders == set(data.ambassadors)
        assert all(a.user.role is Role.AMBASSADOR for a in tour.ambassadors)
        # Published tours were optimised: every bus has its itinerary; the draft waits for « Optimiser ».
        stops = [stop for bus in tour.buses for stop in bus.stops]
        assert bool(stops) == data.publish, tour.title
    kinds = [tours[d.title].kind for d in TOURS]
    assert kinds.count(TourKind.ZI_TOUR) == 2 and TourKind.COMPANY_VISIT in kinds


def seats_of(tour: Tour, status: BookingStatus) -> int:
    """Seats of the tour's bookings in that status."""
    return sum(b.seats for b in tour.bookings if b.status is status)


def test_a_full_optimised_tour_has_a_waiting_list_and_a_declined_visit(loaded, db) -> None:
    """The Lyon Est ZI Tour: every seat booked by prescribers with named participants, bookings waiting,
    and a company's decline with its reason, the tour marked for re-optimisation."""
    tour = db.session.scalar(select(Tour).where(Tour.title == DECLINED_VISIT[0]))
    assert seats_of(tour, BookingStatus.CONFIRMED) == tour.seats_total
    waiting = [b for b in tour.bookings if b.status is BookingStatus.WAITLISTED]
    assert waiting and all(b.bus is None for b in waiting)
    assert all(len(b.participants) == b.seats and b.prescriber.role is Role.PRESCRIBER for b in tour.bookings)
    declined = [stop for bus in tour.buses for stop in bus.stops if stop.company_response is VisitResponse.DECLINED]
    assert len(declined) == 1 and declined[0].decline_reason == DECLINED_VISIT[1]
    assert declined[0].slot.status is SlotStatus.DECLINED and tour.needs_reoptimisation
    small = db.session.scalar(select(Tour).where(Tour.title == TOURS[2].title))
    assert 0 < seats_of(small, BookingStatus.CONFIRMED) <= small.seats_total
    assert "en liste d'attente" in loaded and "à réoptimiser" in loaded


def test_past_tours_were_held_with_attendance_and_absences(loaded, db) -> None:
    """Held tours: done, in the past, optimised, confirmed bookings whose every participant is marked
    present or absent, with some absences; no mail left for the fictional demo addresses."""
    now = utcnow()
    for data in PAST_TOURS:
        tour = db.session.scalar(select(Tour).where(Tour.title == data.title))
        assert tour.status is TourStatus.DONE and tour.end_at < now
        assert demo.is_working_day(to_local(tour.start_at).date())
        stops = [stop for bus in tour.buses for stop in bus.stops]
        assert stops and all(tour.start_at <= stop.start_at and stop.end_at <= tour.end_at for stop in stops)
        assert all(b.status is BookingStatus.CONFIRMED and b.bus is not None for b in tour.bookings)
        assert seats_of(tour, BookingStatus.CONFIRMED) == sum(seats for _, seats in data.bookings) <= tour.seats_total
        marks = [p.attendance for b in tour.bookings for p in b.participants]
        assert len(marks) == seats_of(tour, BookingStatus.CONFIRMED)
        assert set(marks) == {Attendance.PRESENT, Attendance.ABSENT}
    assert not db.session.scalars(select(OutboxMail).where(OutboxMail.recipient.like(f"%@{DEMO_DOMAIN}"))).all()
    assert "absents" in loaded and "terminé" in loaded


def test_the_reverse_visit_is_hosted_by_its_insertion_structure(loaded, db) -> None:
    """The demo's siae_visit is published, hosted by a SIAE, and its sites carry the passeport's facts."""
    tour = db.session.scalar(select(Tour).where(Tour.title == REVERSE_VISIT.title))
    assert tour.kind is TourKind.SIAE_VISIT and tour.status is TourStatus.PUBLISHED
    assert tour.host_organisation.name == REVERSE_VISIT_HOST
    assert tour.host_organisation.kind is OrganisationKind.SIAE
    site = db.session.scalar(select(Site).where(Site.name.startswith("Ateliers Vercanne")))
    assert site.how_to_apply and site.pay_range


def test_demo_command_exits_0_twice_and_lists_the_accounts(runner, db) -> None:
    """`tourplanner demo` commits, can run again, and prints each account's role and address."""
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count()).select_from(Slot))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count()).select_from(Slot)) == count > 0
    for user in db.session.scalars(select(User)):
        line = next(line for line in second.stderr.splitlines() if user.email in line)
        assert user.role.label in line and user.name in line
    assert "/connexion" in second.stderr


@pytest.mark.parametrize(
    "start",
    [date(2026, 1, 5), date(2026, 7, 20), date(2026, 11, 23), date(2027, 3, 1), date(2027, 12, 1), date(2028, 2, 1)],
)
def test_dates_fall_on_working_days_whatever_the_anchor(start: date) -> None:
    """From any first-load day, tours and slots avoid weekends, holidays and closures, one half-day a day a site."""
    for offset in range(0, 63):
        anchor = start + timedelta(days=offset)
        for data in TOURS:
            day = demo.tour_day(anchor, data)
            assert day.weekday() == data.weekday and demo.is_working_day(day)
            assert day >= anchor + timedelta(days=data.days_after)
        for index, company in enumerate(COMPANIES):
            plan = demo.slot_plan(anchor, index, company)
            assert len({day for day, _window in plan}) == len(plan) >= 2, (anchor, company.name)
            for day, _window in plan:
                assert demo.is_working_day(day) and day > anchor
        for data in PAST_TOURS:
            day = demo.past_tour_day(anchor, data)
            assert day.weekday() == data.weekday and demo.is_working_day(day)
            assert day <= anchor - timedelta(days=data.days_before)


def test_working_days_know_french_holidays() -> None:
    """Easter-based holidays and fixed ones are not working days; an ordinary Tuesday is."""
    assert demo.easter_sunday(2027) == date(2027, 3, 28)
    for holiday in (
        date(2027, 3, 29),
        date(2027, 5, 6),
        date(2027, 5, 17),
        date(2026, 7, 14),
        date(2026, 11, 11),
        date(2026, 12, 24),
        date(2027, 1, 1),
    ):
        assert not demo.is_working_day(holiday), holiday
    assert demo.is_working_day(date(2026, 11, 24))


def test_every_zone_named_by_a_company_exists() -> None:
    """The data hangs together: each company's zone is a declared zone of a known territory."""
    zones = {zone.name: zone for zone in ZONES}
    for company in COMPANIES:
        assert company.zone in zones
        assert zones[company.zone].territory in TERRITORY_BOUNDS
    assert len({company.name for company in COMPANIES}) == len(COMPANIES)


def test_the_workshop_event_and_the_small_group_agenda(loaded, db) -> None:
    """The demo's workshop event is published with its workshops; the Ambassadeurs session has its three-step agenda."""
    from tourplanner.company_visits.operations import tour_agenda
    from tourplanner.workshops.operations import tour_workshops

    event = db.session.scalar(select(Tour).where(Tour.title == WORKSHOP_EVENT.title))
    assert event.kind is TourKind.WORKSHOP and event.status is TourStatus.PUBLISHED
    assert len(tour_workshops(event)) == 3
    session = db.session.scalar(
        select(Tour).where(Tour.kind == TourKind.COMPANY_VISIT, Tour.status == TourStatus.PUBLISHED)
    )
    assert [item.step.value for item in tour_agenda(session)] == ["briefing", "visit", "debriefing"]


def test_the_weekly_cohort_is_booked_with_an_override_and_a_cancelled_week(loaded, db) -> None:
    """The demo's cohort: published, two referents' groups confirmed, one session moved, one cancelled."""
    from tourplanner.cohorts.enums import SessionStatus
    from tourplanner.cohorts.operations import cohort_participants, series_of

    cohort = db.session.scalar(select(Tour).where(Tour.title == COHORT_TITLE))
    assert cohort.kind is TourKind.COHORT and cohort.status is TourStatus.PUBLISHED
    assert len(cohort_participants(cohort)) == 7
    sessions = series_of(cohort).sessions
    assert sum(s.status is SessionStatus.CANCELLED for s in sessions) == 1
    assert sum(s.is_held and s.start_at != s.planned_start_at for s in sessions) == 1
