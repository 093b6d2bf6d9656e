"""The pages that list tours, bookings, slots and visits run a constant number of SQL statements."""

from __future__ import annotations

import pytest
from flask import g

from tests.perf_reads.conftest import add_bookings
from tourplanner.extensions import db

#: Most statements a list page may take (session, user, rows and what they show, the menu): a small bound.
MOST = 25

PAGES = {
    "tours": ("o", "/tours"),
    "catalogue": ("p", "/inscriptions/tours"),
    "bookings of a tour": ("o", "/tours/{tour_id}/inscriptions"),
    "slot catalogue": ("o", "/organisateur/creneaux?statut=tous"),
    "company visits": ("c", "/entreprise/visites"),
}


def count(statements, client, path: str) -> int:
    """Statements taken by GET `path` (which must answer 200)."""
    with statements.counting() as seen:
        response = client.get(path)
    db.session.remove()
    g.pop("_login_user", None)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return len(seen)


@pytest.mark.parametrize("name", list(PAGES))
def test_a_list_page_takes_as_many_statements_for_20_rows_as_for_2(
    name, make_world, client, sign_in, statements
) -> None:
    """2 and 20 tours (their bookings, slots, visits) take the same number of statements, and few."""
    few = make_world(2)
    role, path = PAGES[name]
    user = {"o": few.organiser, "p": few.prescriber, "c": few.company}[role]
    sign_in(user)
    path = path.format(tour_id=few.tour_ids[0])
    count(statements, client, path)  # warm: the first request after signing in does one-off work
    small = count(statements, client, path)
    first = list(statements.statements)
    if name == "bookings of a tour":
        add_bookings(few.tour_ids[0], few.prescriber, 20)
    else:
        make_world(18)
    large = count(statements, client, path)
    assert small == large, "\n".join(s[:150].replace("\n", " ") for s in first + ["----"] + statements.statements)
    assert large <= MOST
