"""Fixtures of the calendar tests: a real SMTP server on a free local port, and the app using it."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.mail.smtp_sink import SmtpSink


@pytest.fixture
def config_overrides(mailbox: SmtpSink) -> dict[str, Any]:
    """Send mail to the test server, at once after each request."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "sync"}


@pytest.fixture
def book(app, db):
    """Book as the bookings domain does (confirmed and invited, or `waiting`): book(tour, prescriber, seats=2)."""
    from tourplanner.bookings.enums import BookingStatus
    from tourplanner.bookings.models import Booking, Participant
    from tourplanner.db import utcnow
    from tourplanner.tours.notices import plan_changed

    def make(
        tour,
        prescriber,
        seats: int = 2,
        participants: list[tuple[str, str | None]] = (),
        waiting: bool = False,
    ):
        booking = Booking(
            tour=tour,
            prescriber=prescriber,
            seats=seats,
            participants=[Participant(name=n, email=e) for n, e in participants],
            status=BookingStatus.WAITLISTED if waiting else BookingStatus.CONFIRMED,
            bus=None if waiting else tour.buses[0],
            confirmed_at=None if waiting else utcnow(),
        )
        db.session.add(booking)
        db.session.flush()
        if not waiting:
            plan_changed(tour)
        settle_calendars()
        return booking

    return make


def settle_calendars() -> int:
    """Commit, then bring the marked tours' calendars up to date as the after-commit step does."""
    from tourplanner.calendar.updates import send_due_updates
    from tourplanner.extensions import db

    db.session.commit()
    return send_due_updates()


@pytest.fixture
def add_stop(app, db, make_slot):
    """Put a visit in a tour's first bus itinerary: add_stop(tour, site, hour=10)."""
    from datetime import timedelta

    from tests.conftest import future
    from tourplanner.tours.models import Stop

    def make(tour, site, hour: int = 10, minute: int = 0, position: int | None = None):
        slot = make_slot(site=site, start_at=future(30, hour - 1), end_at=future(30, hour + 2))
        arrival = future(30, hour, minute)
        bus = tour.buses[0]
        stop = Stop(
            tour_id=tour.id,
            bus=bus,
            slot=slot,
            position=len(bus.stops) if position is None else position,
            arrival_at=arrival,
            start_at=arrival + timedelta(minutes=5),
            end_at=arrival + timedelta(minutes=65),
            departure_at=arrival + timedelta(minutes=70),
        )
        db.session.add(stop)
        db.session.flush()
        return stop

    return make


class FeedPeople(NamedTuple):
    """A company's site and three people who hold a feed: its contact, a prescriber, an ambassador."""

    site: Any
    contact: Any
    prescriber: Any
    ambassador: Any

    @property
    def all(self) -> list:
        return [self.contact, self.prescriber, self.ambassador]


@pytest.fixture
def feed_people(app, db, make_site, make_user) -> FeedPeople:
    """The people of the feed series tests: the Fonderie's contact, paul@example.fr, an ambassador, each with a feed."""
    from tourplanner.accounts.enums import Role
    from tourplanner.calendar import tokens

    site = make_site(name="Fonderie")
    people = FeedPeople(
        site,
        make_user(Role.COMPANY, organisation=site.organisation.name),
        make_user(Role.PRESCRIBER, email="paul@example.fr"),
        make_user(Role.AMBASSADOR),
    )
    for user in people.all:
        tokens.feed_secret(user)
    return people
