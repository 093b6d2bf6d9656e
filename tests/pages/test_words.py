"""One word per idea: a booking is « inscription » on every page, the vehicle is `bus` in code (« car » on pages)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The routing engine still names its vehicle Coach (renamed there later); a site's coach parking and the
#: configuration key ROUTING_COACH_SPEED_KMH are stored or set outside the code.
ENGINE_OR_STORED = re.compile(
    r"has_coach_parking|ROUTING_COACH_SPEED_KMH|add_coach|coach_id|CoachRoute|problem\.coaches|\bcoach=|a Coach"
)


def test_pages_say_inscription_never_reservation() -> None:
    """No template nor page module calls a booking « réservation » (the seats may still be « réservées »)."""
    pages = [*ROOT.glob("routes/templates/**/*.html"), *ROOT.glob("routes/pages/*.py")]
    assert pages
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in pages
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bréservations?\b", line, re.IGNORECASE)
    ]
    assert found == []


def test_code_outside_the_engine_says_bus_not_coach() -> None:
    """Outside tourplanner/routing, names, comments and templates say bus, never coach."""
    sources = [
        path
        for pattern in ("tourplanner/**/*.py", "routes/**/*.py", "routes/templates/**/*.html", "static/**/*.js")
        for path in ROOT.glob(pattern)
        if "routing" not in path.relative_to(ROOT).parts
    ]
    assert sources
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"coach", ENGINE_OR_STORED.sub("", line), re.IGNORECASE)
    ]
    assert found == []
