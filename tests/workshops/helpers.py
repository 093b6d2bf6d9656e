"""Times for the workshop tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Paris wall-clock time in 2027."""
    return datetime(2027, month, day, hour, minute, tzinfo=PARIS)
