"""Recurring availabilities skip French public holidays and say so to the company."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from tests.pages.helpers import text_of
from tourplanner.extensions import db
from tourplanner.sites import recurrence
from tourplanner.sites import series as series_ops
from tourplanner.sites.models import Slot
from tourplanner.timeutil import to_local

#: A Tuesday of April 2027, before the May holidays (1 May and 8 May are Saturdays, Ascension Thursday 6 May).
NOW = datetime(2027, 4, 20, 8, 0, tzinfo=UTC)


def every_day(site_id: int) -> series_ops.SeriesDetails:
    """Every day from Monday 26 April to Monday 10 May 2027, 9:00–12:00."""
    from datetime import time

    return series_ops.SeriesDetails(
        site_id=site_id,
        rrule="FREQ=DAILY",
        start_time=time(9),
        end_time=time(12),
        starts_on=date(2027, 4, 26),
        ends_on=date(2027, 5, 10),
        visit_minutes=90,
        max_visitors=20,
    )


def test_public_holidays_get_no_slot_and_are_reported(app, contact_a, site_a) -> None:
    """1 May, Ascension and 8 May get no slot; the expansion reports them as « jour férié » with their name."""
    series, expansion = series_ops.create_series(every_day(site_a.id), contact_a, now=NOW)
    db.session.commit()
    days = {
        to_local(slot.start_at).date() for slot in db.session.scalars(select(Slot).where(Slot.series_id == series.id))
    }
    holidays = {date(2027, 5, 1), date(2027, 5, 6), date(2027, 5, 8)}
    assert not days & holidays
    assert len(days) == 15 - 3
    skipped = {item.day: item.reason for item in expansion.skipped}
    assert skipped == {
        date(2027, 5, 1): "jour férié (Fête du Travail)",
        date(2027, 5, 6): "jour férié (Ascension)",
        date(2027, 5, 8): "jour férié (Fête de la Victoire)",
    }
    assert series_ops.expand_series(series, NOW).created == []  # idempotent: holidays stay empty


def test_the_series_page_tells_the_company(client, sign_in, contact_a, site_a) -> None:
    """The series page says « pas de créneau le 1er mai (jour férié) » and marks those days."""
    with time_machine.travel(NOW, tick=False):
        series, _ = series_ops.create_series(every_day(site_a.id), contact_a)
        db.session.commit()
        sign_in(contact_a)
        page = text_of(client.get(f"/entreprise/series/{series.id}"))
    assert "Pas de créneau le 1er mai (jour férié)" in page
    assert "Pas de créneau le 8 mai (jour férié)" in page and "Fête de la Victoire" in page
    assert page.count("Jour férié</span>") == 3


def test_french_day_names_the_first_of_the_month_as_people_say_it() -> None:
    """« 1er mai », « 14 juillet »."""
    assert recurrence.french_day(date(2027, 5, 1)) == "1er mai"
    assert recurrence.french_day(date(2027, 7, 14)) == "14 juillet"
