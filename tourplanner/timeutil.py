"""Time zone helpers: times are stored in UTC and shown in the tours' local zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    """The configured zone of tours (TOURPLANNER_TIMEZONE, Europe/Paris by default)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(value: datetime) -> datetime:
    """`value` in the local zone."""
    return value.astimezone(local_zone())


def isoformat_local(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset, e.g. 2027-03-09T09:00:00+01:00."""
    return to_local(value).isoformat() if value is not None else None


def is_existing_local_time(value: datetime) -> bool:
    """Whether the wall-clock time `value` (naive) exists in the local zone.

    The night summer time begins (last Sunday of March in Paris) clocks jump from 02:00
    to 03:00: 02:30 that night never happens.
    """
    zone = local_zone()
    aware = value.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == value


def aware_local(value: datetime) -> datetime:
    """The wall-clock time `value` (naive) in the local zone.

    A time that happens twice (02:30 the night summer time ends, last Sunday of October in
    Paris) is taken at its first occurrence, still in summer time (+02:00). A time that
    does not exist is the caller's to refuse first (is_existing_local_time).
    """
    return value.replace(tzinfo=local_zone(), fold=0)
