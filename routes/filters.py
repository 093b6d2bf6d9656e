"""Template filters: local times with French day and month names."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from tourplanner.timeutil import to_local

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def localtime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """Format `value` in the tours' zone; %A and %B give French names, %-d the day as French writes it (1er, 2…)."""
    if value is None:
        return ""
    local = to_local(value)
    day = "1er" if local.day == 1 else str(local.day)
    fmt = fmt.replace("%A", DAYS[local.weekday()]).replace("%B", MONTHS[local.month - 1]).replace("%-d", day)
    return local.strftime(fmt)


def register(app: Flask) -> None:
    """Install the filters on `app`."""
    app.add_template_filter(localtime, "localtime")
