"""Fixtures for weekly cohorts: a clock frozen in December 2026, mail to a real SMTP sink, a published cohort."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any

import pytest
import time_machine

from tests.conftest import PARIS
from tests.mail.smtp_sink import SmtpSink
from tourplanner.accounts.enums import Role
from tourplanner.bookings.operations import BookingRequest, ParticipantDetails, book_seats
from tourplanner.cohorts import operations
from tourplanner.extensions import db
from tourplanner.tours.models import Tour
from tourplanner.tours.operations import publish_tour


def paris(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock time in Paris."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[time_machine.Coordinates]:
    """Every test here starts on Tuesday 1 December 2026, 10:00 in Paris (the clock ticks from there)."""
    with time_machine.travel(paris(2026, 12, 1, 10), tick=True) as traveller:
        yield traveller


@pytest.fixture
def config_overrides(mailbox: SmtpSink) -> dict[str, Any]:
    """Send mail to the test server, at once after each request."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "sync"}


@pytest.fixture
def organiser(make_user):
    """An organiser."""
    return make_user(Role.ORGANISER, name="Odile Organisatrice")


def details(**overrides: Any) -> operations.CohortDetails:
    """Made in Métal: every Tuesday 9:00–12:00 from 5 January to 29 June 2027 (zone A), ten places."""
    values: dict[str, Any] = dict(
        title="Made in Métal — cohorte de printemps",
        weekday=1,
        start_time=time(9),
        end_time=time(12),
        first_day=date(2027, 1, 5),
        last_day=date(2027, 6, 29),
        place_name="Pôle métal, Saint-Chamond",
        lat=45.475,
        lon=4.515,
        seats=10,
    )
    values.update(overrides)
    return operations.CohortDetails(**values)


@pytest.fixture
def make_cohort(app, organiser) -> Callable[..., Tour]:
    """Create (and publish) a cohort: make_cohort(weekday=0, ...)."""

    def make(published: bool = True, **overrides: Any) -> Tour:
        tour = operations.create_cohort(details(**overrides), organiser)
        if published:
            publish_tour(tour, organiser)
        db.session.commit()
        return tour

    return make


@pytest.fixture
def join(app):
    """Book seats on the cohort as a prescriber does: join(tour, prescriber, [("Nina", "nina@x.fr")])."""

    def make(tour, prescriber, people):
        outcome = book_seats(
            tour,
            prescriber,
            BookingRequest(seats=len(people), participants=[ParticipantDetails(name, email) for name, email in people]),
        )
        db.session.commit()
        return outcome.booking

    return make
