"""Time zone helpers: times are stored in UTC and shown in the tours' local zone."""

from __future__ import annotations

from datetime import datetime
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
