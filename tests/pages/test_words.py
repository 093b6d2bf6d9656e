"""One word per idea: a booking is « inscription » on every page, the vehicle is `bus` in code (« car » on pages)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The code, the routing engine with its tests and benchmark included.
CODE = (
    "tourplanner/**/*.py",
    "routes/**/*.py",
    "routes/templates/**/*.html",
    "static/**/*.js",
    "tests/routing/**/*.py",
    "bench/tour.py",
)
#: The only places « coach » may still be written, and only in these names: the published API's name of a site's
#: has_bus_parking (the sites' schemas and the kit it serves map it), and the configuration key's deprecated name.
STILL_COACH = {
    "has_coach_parking": {"routes/api/sites.py", "routes/api/kit.py", "tourplanner/kit/layout.py"},
    "ROUTING_COACH_SPEED_KMH": {"tourplanner/config.py"},
}


def _coach_lines(name: str, text: str) -> list[int]:
    """Numbers of the lines of the file `name` (from the repository root) that say coach where they may not."""
    allowed = [word for word, places in STILL_COACH.items() if name in places]
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for word in allowed:
            line = line.replace(word, "")
        if re.search("coach", line, re.IGNORECASE):
            found.append(number)
    return found


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


def test_code_says_bus_not_coach() -> None:
    """Names, comments and templates say bus, never coach, in the routing engine too; only the API's field name
    has_coach_parking and the deprecated key ROUTING_COACH_SPEED_KMH keep the word, where they are mapped."""
    sources = [path for pattern in CODE for path in ROOT.glob(pattern)]
    assert any("routing" in path.parts for path in sources)
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        for number in _coach_lines(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_coach_is_allowed_only_in_the_api_name_and_the_alias_where_they_are_mapped() -> None:
    """The check finds coach in any other name, and in the allowed names anywhere else."""
    assert _coach_lines("tourplanner/routing/problem.py", "def add_coach(self):\n    pass") == [1]
    assert _coach_lines("routes/api/sites.py", "has_coach_parking: bool\ncoach_id = 1") == [2]
    assert _coach_lines("tourplanner/sites/models.py", "has_coach_parking: Mapped[bool]") == [1]
    assert _coach_lines("tourplanner/tours/itinerary.py", 'config["ROUTING_COACH_SPEED_KMH"]') == [1]
    assert _coach_lines("tourplanner/config.py", 'DEPRECATED_KEYS = {"ROUTING_COACH_SPEED_KMH": "…"}') == []
