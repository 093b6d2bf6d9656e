"""Times for the Ambassadeurs des métiers tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Paris wall-clock time in 2027."""
    return datetime(2027, month, day, hour, minute, tzinfo=PARIS)


def agenda_body() -> dict:
    """The three steps of the 9 March 2027 session, in order."""
    return {
        "steps": [
            {"step": "briefing", "start": paris(9, 8, 30).isoformat(), "place": "Café de la Gare, Rive-de-Gier"},
            {"step": "visit", "start": paris(9, 9, 15).isoformat(), "place": "Chantier Bâtir Gier, quai du Canal"},
            {"step": "debriefing", "start": paris(9, 11, 30).isoformat(), "place": "Mission locale, salle 2"},
        ]
    }
