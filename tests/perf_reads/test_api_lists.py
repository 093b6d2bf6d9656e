"""The API's lists run a constant number of SQL statements whatever their length, and are paginated."""

from __future__ import annotations

import pytest

from tests.perf_reads.conftest import World
from tourplanner.extensions import db

#: Most statements any list may take (token, user, rows and what they show): a small bound.
MOST = 12


def count(statements, api, path: str) -> int:
    """Statements taken by GET `path` (which must answer 200)."""
    with statements.counting() as seen:
        response = api.get(path)
    db.session.remove()
    assert response.status_code == 200, response.get_json()
    return len(seen)


def lists(world: World) -> dict[str, tuple[str, str]]:
    """Path of each list, and who reads it: o(rganiser), p(rescriber), c(ompany)."""
    tour_id = world.tour_ids[0]
    return {
        "tours (organiser)": ("o", "/tours"),
        "tours (prescriber)": ("p", "/tours"),
        "sites": ("o", "/sites"),
        "sites (company)": ("c", "/sites"),
        "slots": ("o", "/slots"),
        "slots (company)": ("c", "/slots"),
        "visits": ("c", "/visits"),
        "bookings of a tour": ("o", f"/tours/{tour_id}/bookings"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "tours (organiser)",
        "tours (prescriber)",
        "sites",
        "sites (company)",
        "slots",
        "slots (company)",
        "visits",
        "bookings of a tour",
    ],
)
def test_a_list_takes_as_many_statements_for_20_rows_as_for_2(name, make_world, api_as, statements) -> None:
    """Statements do not grow with the rows: 2 and 20 tours (their sites, slots, visits) take the same number."""
    few = make_world(2)
    who = {"o": few.organiser, "p": few.prescriber, "c": few.company}
    role, path = lists(few)[name]
    small = count(statements, api_as(who[role]), path)
    more = make_world(18)  # a second company and its rows: the first company's lists do not grow
    many_who = {"o": more.organiser, "p": more.prescriber, "c": more.company}
    role, path = lists(more)[name]
    if name == "bookings of a tour":
        # The same tour with ten times the bookings.
        from tests.perf_reads.conftest import add_bookings

        add_bookings(few.tour_ids[0], few.prescriber, 20)
        role, path, many_who = "o", lists(few)[name][1], who
    large = count(statements, api_as(db.session.merge(many_who[role])), path)
    assert small == large, "\n".join(s[:150].replace("\n", " ") for s in statements.statements[:60])
    assert large <= MOST
