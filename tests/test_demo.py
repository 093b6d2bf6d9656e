"""`tourplanner demo`: the realistic demo data set, loaded once, identical when loaded again."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tourplanner import demo
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.db import utcnow
from tourplanner.demo_data import COMPANIES, DEMO_DOMAIN, TERRITORY_BOUNDS, TOURS, ZONES
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Tour


@pytest.fixture
def loaded(db) -> str:  # noqa: ANN001
    """The demo loaded and committed once; its summary."""
    text = demo.load_demo()
    db.session.commit()
    return text


def dump(db) -> dict[str, list[tuple[Any, ...]]]:  # noqa: ANN001
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


def test_loading_twice_leaves_every_table_identical(loaded, db, monkeypatch) -> None:
    """A second run, the same day or weeks later, adds, changes and removes nothing."""
    before = dump(db)
    assert before["slots"] and before["tours"] and before["audit_entries"]
    again = demo.load_demo()
    db.session.commit()
    assert dump(db) == before
    assert "rien n'a changé" in again
    later = utcnow() + timedelta(days=40)
    monkeypatch.setattr(demo, "utcnow", lambda: later)
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


def test_slots_are_weekday_half_days_of_realistic_visits(loaded, db) -> None:
    """Slots: one half-day a day per site, on working days; visits of 45–90 min for 10–30 people."""
    slots = db.session.scalars(select(Slot)).all()
    assert len(slots) >= 2 * len(COMPANIES)
    days = [(slot.site_id, to_local(slot.start_at).date()) for slot in slots]
    assert len(days) == len(set(days))  # else a coach could come back to the same site
    for slot in slots:
        start, end = to_local(slot.start_at), to_local(slot.end_at)
        assert demo.is_working_day(start.date()) and start.date() == end.date()
        assert (start.time(), end.time()) in (demo.MORNING, demo.AFTERNOON)
        assert 45 <= slot.visit_minutes <= 90 and 10 <= slot.max_visitors <= 30
        assert timedelta(minutes=slot.visit_minutes) <= slot.end_at - slot.start_at


def test_the_three_tours_exist_with_candidates_and_ambassadors(loaded, db) -> None:
    """Two published ZI Tours' worth of states: a published coach tour, a draft, a small group."""
    tours = {tour.title: tour for tour in db.session.scalars(select(Tour)) if tour.end_at > utcnow()}  # not the past ones
    assert set(tours) == {data.title for data in TOURS}
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
    kinds = [tours[d.title].kind for d in TOURS]
    assert kinds.count(TourKind.ZI_TOUR) == 2 and TourKind.COMPANY_VISIT in kinds


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


@pytest.mark.parametrize("start", [date(2026, 1, 5), date(2026, 7, 20), date(2026, 11, 23), date(2027, 3, 1)])
def test_dates_fall_on_working_days_whatever_the_anchor(start: date) -> None:
    """From any first-load day, tours and slots avoid weekends, holidays and closures."""
    for offset in range(0, 63, 3):
        anchor = start + timedelta(days=offset)
        for data in TOURS:
            day = demo.tour_day(anchor, data)
            assert day.weekday() == data.weekday and demo.is_working_day(day)
            assert day >= anchor + timedelta(days=data.days_after)
        for index, company in enumerate(COMPANIES):
            for day, _window in demo.slot_plan(anchor, index, company):
                assert demo.is_working_day(day) and day > anchor


def test_working_days_know_french_holidays() -> None:
    """Easter-based holidays and fixed ones are not working days; an ordinary Tuesday is."""
    assert demo.easter_sunday(2027) == date(2027, 3, 28)
    for holiday in (date(2027, 3, 29), date(2027, 5, 6), date(2027, 5, 17), date(2026, 7, 14),
                    date(2026, 11, 11), date(2026, 12, 24), date(2027, 1, 1)):
        assert not demo.is_working_day(holiday), holiday
    assert demo.is_working_day(date(2026, 11, 24))


def test_every_zone_named_by_a_company_exists() -> None:
    """The data hangs together: each company's zone is a declared zone of a known territory."""
    zones = {zone.name: zone for zone in ZONES}
    for company in COMPANIES:
        assert company.zone in zones
        assert zones[company.zone].territory in TERRITORY_BOUNDS
    assert len({company.name for company in COMPANIES}) == len(COMPANIES)
