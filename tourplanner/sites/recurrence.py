"""When a recurring availability recurs: its RFC 5545 rule, its days, French public holidays, its description.

Pure calendar logic with no database: the rule text is read by python-dateutil; the period
(first and last day) and the times of day are the series' own, in local wall-clock time
(Europe/Paris). tourplanner.sites.series turns these days into slots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING

import holidays
from dateutil import rrule as dateutil_rrule

from tourplanner.errors import InvalidInput
from tourplanner.formatting import DAYS, day_month
from tourplanner.timeutil import local_zone

if TYPE_CHECKING:  # the rule reads a stored series as well as new details, without loading the models
    from tourplanner.sites.models import SlotSeries

#: Frequencies that give days: finer ones (HOURLY…) make no sense with a window per day.
DAY_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
#: Rule parts the series gives itself (period, times of day): refused inside the rule text.
FORBIDDEN_PARTS = {"DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"}
FRENCH_DAYS = dict(zip(("MO", "TU", "WE", "TH", "FR", "SA", "SU"), DAYS, strict=True))
#: Example given in every message about a faulty rule.
RULE_EXAMPLE = "ex. FREQ=WEEKLY;BYDAY=TU pour chaque mardi"


@dataclass(frozen=True)
class SeriesDetails:
    """A recurring availability as a company contact describes it (local dates and times)."""

    site_id: int
    rrule: str
    start_time: time
    end_time: time
    starts_on: date
    ends_on: date
    visit_minutes: int
    max_visitors: int
    exdates: list[date] = field(default_factory=list)


def normalise_rule(text: str) -> str:
    """The rule as stored: upper case, no "RRULE:" prefix, no spaces or trailing semicolon."""
    rule = "".join((text or "").split()).upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:") :]
    return rule.strip(";")


def parse_rule(text: str, starts_on: date, start_time: time = time(0, 0)) -> dateutil_rrule.rrule:
    """The dateutil rule of `text` from `starts_on`; InvalidInput on "rrule" when it cannot be used."""
    rule = normalise_rule(text)
    if not rule:
        raise InvalidInput.one("rrule", f"la règle de récurrence est obligatoire ({RULE_EXAMPLE})")
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not name or not value:
            raise InvalidInput.one(
                "rrule", f"règle de récurrence illisible : « {part} » n'est pas NOM=VALEUR ({RULE_EXAMPLE})"
            )
        parts[name] = value
    if "FREQ" not in parts:
        raise InvalidInput.one("rrule", f"la règle doit indiquer sa fréquence FREQ ({RULE_EXAMPLE})")
    if parts["FREQ"] not in DAY_FREQUENCIES:
        raise InvalidInput.one(
            "rrule", "FREQ doit valoir DAILY, WEEKLY, MONTHLY ou YEARLY : les horaires se donnent à part"
        )
    forbidden = sorted(FORBIDDEN_PARTS & parts.keys())
    if forbidden:
        raise InvalidInput.one(
            "rrule",
            f"{', '.join(forbidden)} n'a pas sa place dans la règle : la période et les horaires se donnent à part",
        )
    try:
        parsed = dateutil_rrule.rrulestr(rule, dtstart=datetime.combine(starts_on, start_time))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise InvalidInput.one("rrule", f"règle de récurrence illisible ({exc}) ; {RULE_EXAMPLE}") from exc
    if not isinstance(parsed, dateutil_rrule.rrule):
        raise InvalidInput.one("rrule", f"une seule règle RRULE est attendue ({RULE_EXAMPLE})")
    return parsed


def occurrence_days(series: SlotSeries | SeriesDetails, first: date, last: date) -> Iterator[date]:
    """The days of the rule between `first` and `last` (both included, within the series' period), exceptions
    included."""
    first = max(first, series.starts_on)
    last = min(last, series.ends_on)
    if first > last:
        return iter(())
    rule = parse_rule(series.rrule, series.starts_on, series.start_time)
    found = rule.between(datetime.combine(first, time.min), datetime.combine(last, time.max), inc=True)
    return (moment.date() for moment in found)


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> dict[date, str]:
    """France's public holidays of `year` (metropolitan calendar), with their French names."""
    return dict(holidays.France(years=year, language="fr"))


def public_holiday(day: date) -> str | None:
    """The French name of the public holiday on `day` (« Fête du Travail »…), or None on a working day."""
    return _french_holidays(day.year).get(day)


def french_day(day: date) -> str:
    """« 1er mai », « 14 juillet »: a date as people say it."""
    return day_month(day)


@dataclass(frozen=True)
class HolidaySkip:
    """A day of the rule that gets no slot because it is a public holiday."""

    day: date
    name: str

    @property
    def sentence(self) -> str:
        """What the company reads: « pas de créneau le 1er mai (jour férié) »."""
        return f"pas de créneau le {french_day(self.day)} (jour férié)"


def holidays_skipped(series: SlotSeries | SeriesDetails) -> list[HolidaySkip]:
    """The days of the series' whole period that fall on a public holiday: they get no slot."""
    excluded = {str(day) for day in (series.exdates or [])}
    return [
        HolidaySkip(day, name)
        for day in occurrence_days(series, series.starts_on, series.ends_on)
        if day.isoformat() not in excluded and (name := public_holiday(day)) is not None
    ]


def window_of(series: SlotSeries | SeriesDetails, day: date) -> tuple[datetime, datetime]:
    """The occurrence's window on `day`, as aware local times (the zone's offset of that day)."""
    zone = local_zone()
    return datetime.combine(day, series.start_time, tzinfo=zone), datetime.combine(day, series.end_time, tzinfo=zone)


def describe_rule(series: SlotSeries) -> str:
    """The rule in French for the pages when it is a simple weekly one ("chaque mardi"), else its text."""
    parts = dict(part.partition("=")[::2] for part in series.rrule.split(";"))
    if parts.get("FREQ") == "WEEKLY" and set(parts) <= {"FREQ", "BYDAY", "INTERVAL"} and parts.get("BYDAY"):
        days = [FRENCH_DAYS.get(day) for day in parts["BYDAY"].split(",")]
        if all(days):
            every = "chaque" if parts.get("INTERVAL", "1") == "1" else f"toutes les {parts['INTERVAL']} semaines, le"
            return f"{every} {', '.join(days)}"  # type: ignore[arg-type]
    if parts.get("FREQ") == "DAILY" and set(parts) == {"FREQ"}:
        return "chaque jour"
    return series.rrule
