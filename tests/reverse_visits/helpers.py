"""Times and bodies for the reverse-visit tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Paris wall-clock time in 2027."""
    return datetime(2027, month, day, hour, minute, tzinfo=PARIS)


def visit_body(host_organisation_id: int | None, **overrides: Any) -> dict[str, Any]:
    """A complete POST /api/v1/tours body for a reverse visit on 9 March 2027."""
    body: dict[str, Any] = {
        "title": "Visite inversée : l'atelier chantier d'insertion du Gier",
        "kind": "siae_visit",
        "start": paris(9, 9).isoformat(),
        "end": paris(9, 12).isoformat(),
        "meeting_point": {"name": "ACI du Gier, 4 rue Jean Jaurès, Rive-de-Gier", "lat": 45.5285, "lon": 4.6180},
        "buses": [{"seats": 4}],
        "booking_deadline": paris(5, 18).isoformat(),
    }
    if host_organisation_id is not None:
        body["host_organisation_id"] = host_organisation_id
    body.update(overrides)
    return body
