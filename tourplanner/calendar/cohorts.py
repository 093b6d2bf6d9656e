"""A cohort in calendars: one recurring event (RRULE), EXDATE for weeks without a session, an override
(RECURRENCE-ID) per moved session. Read by `events` beside it, for invitations and feeds alike: it lives on the
calendar side so that the cohorts package never imports the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tourplanner.calendar import ical
from tourplanner.cohorts.models import CohortSeries
from tourplanner.formatting import DAYS
from tourplanner.timeutil import to_local


@dataclass(frozen=True)
class SeriesCalendar:
    """A cohort as one recurring event: its first instance, the rule and its exceptions, the programme."""

    start: datetime
    end: datetime
    recurrence: ical.Recurrence
    lines: list[str]


def series_calendar(series: CohortSeries, place: str) -> SeriesCalendar:
    """The recurring event of a cohort: RRULE from the first week to the last, EXDATE for the weeks without
    a session (holidays, cancellations), an override for each moved session."""
    sessions = sorted(series.sessions, key=lambda s: s.planned_start_at)
    length = timedelta(minutes=series.end_minute - series.start_minute)
    first, last = sessions[0], sessions[-1]
    exdates = tuple(s.planned_start_at for s in sessions if not s.is_held)
    overrides = tuple(
        ical.Occurrence(recurrence_id=s.planned_start_at, start=s.start_at, end=s.end_at, location=s.place)
        for s in sessions
        if s.is_held and (s.start_at != s.planned_start_at or s.end_at != s.planned_start_at + length or s.place)
    )
    start_local = to_local(first.planned_start_at)
    end_local = start_local + length
    lines = [
        f"Chaque {DAYS[series.weekday]}, {start_local.hour}h{start_local:%M}–{end_local.hour}h{end_local:%M}, "
        f"du {series.first_day:%d/%m/%Y} au {series.last_day:%d/%m/%Y} : {place}",
        "Séances :",
    ]
    for session in sessions:
        local = to_local(session.start_at)
        if session.is_held:
            where = f" — {session.place}" if session.place else ""
            lines.append(f"  {DAYS[local.weekday()]} {local:%d/%m} {local.hour}h{local:%M}{where}")
        else:
            lines.append(f"  {to_local(session.planned_start_at):%d/%m} : pas de séance ({session.reason})")
    return SeriesCalendar(
        first.planned_start_at,
        first.planned_start_at + length,
        ical.Recurrence(until=last.planned_start_at, exdates=exdates, overrides=overrides),
        lines,
    )
