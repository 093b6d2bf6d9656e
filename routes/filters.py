"""Template filters: local times with French day and month names, numbers and plurals (tourplanner.formatting)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from tourplanner import formatting


def localtime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """Format `value` in the tours' zone; %A and %B give French names, %-d the day as French writes it (1er, 2…)."""
    if value is None:
        return ""
    return formatting.strftime(value, fmt)


def register(app: Flask) -> None:
    """Install the filters on `app`."""
    app.add_template_filter(localtime, "localtime")
    # {{ n|counted("place") }} → « 3 places »; {{ n|plural("inscrit confirmé") }} → the agreeing word alone.
    app.add_template_filter(formatting.counted, "counted")
    app.add_template_filter(formatting.plural, "plural")
    app.add_template_filter(formatting.number, "number")
    app.add_template_filter(formatting.percent, "percent")
    # {{ moment|long_date }} → « mardi 9 mars 2027 »; {{ moment|hm }} → « 8h30 » (the mails' templates).
    app.add_template_filter(formatting.long_date, "long_date")
    app.add_template_filter(formatting.hm, "hm")
