"""Which days a weekly cohort meets: the rule's weekdays less public and school holidays.

Pure: dates in, dates out. Public holidays come from the `holidays` package (as for the
companies' slot series), school holidays from `vacances-scolaires-france`, which ships the
ministry's calendar as data inside the package (no network at run time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from vacances_scolaires_france import SchoolHolidayDates

from tourplanner.sites.recurrence import public_holiday

#: A cohort lasts a school year at most: longer rules are surely typing mistakes.
MAX_WEEKS = 53


@dataclass(frozen=True)
class RuleDay:
    """A day the weekly rule falls on, and why there is no session that day, if there is none."""

    day: date
    skipped_because: str | None = None


@lru_cache(maxsize=1)
def _school_calendar() -> SchoolHolidayDates:
    return SchoolHolidayDates()


def school_calendar_last_day() -> date:
    """The last day the shipped school calendar knows of: later series cannot be checked."""
    return max(_school_calendar().data)


def school_holiday(day: date, zone: str) -> str | None:
    """The name of the school holidays of `zone` on `day` (« Vacances d'hiver »), or None."""
    entry = _school_calendar().data.get(day)
    if entry is None or not entry[f"vacances_zone_{zone.lower()}"]:
        return None
    return str(entry["nom_vacances"])


def first_on_or_after(day: date, weekday: int) -> date:
    """The first `weekday` (0 = Monday) on or after `day`."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def rule_days(first_day: date, last_day: date, weekday: int, zone: str) -> list[RuleDay]:
    """Every `weekday` from `first_day` to `last_day`, each with the holiday that skips it, if any."""
    days = []
    day = first_on_or_after(first_day, weekday)
    while day <= last_day:
        reason = public_holiday(day)
        if reason is not None:
            reason = f"jour férié ({reason})"
        else:
            holiday = school_holiday(day, zone)
            reason = f"vacances scolaires ({holiday}, zone {zone.upper()})" if holiday else None
        days.append(RuleDay(day, reason))
        day += timedelta(days=7)
    return days
