"""Long lists on the pages come a page at a time, with « Page suivante » links that keep the filters."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tourplanner.extensions import db


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Pages of two rows, so that five tours make three pages."""
    return {"LIST_PAGE_SIZE": 2}


NEXT = re.compile(r'<a class="button" href="([^"]+)" rel="next">Page suivante</a>')
TITLE = re.compile(r"ZI Tour (\d+)")
SLOT = re.compile(r'id="creneau-(\d+)"')


def walk(client, path: str, pattern: re.Pattern[str]) -> list[list[str]]:
    """What `pattern` finds on each page, following « Page suivante » until there is none."""
    pages = []
    while path:
        response = client.get(path)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        pages.append(list(dict.fromkeys(pattern.findall(text))))
        found = NEXT.search(text)
        path = html.unescape(found.group(1)) if found else None
        if len(pages) > 1:
            assert "Première page" in text
        assert len(pages) < 20
    return pages


@pytest.mark.parametrize(
    "role, path", [("o", "/tours"), ("p", "/inscriptions/tours"), ("p", "/inscriptions/tours?territoire=Lyon+Est")]
)
def test_tours_and_the_catalogue_come_two_by_two(role, path, make_world, client, sign_in) -> None:
    """Five tours on pages of two: three pages, each tour once, in start order; the filters stay in the links."""
    world = make_world(5)
    sign_in(db.session.merge(world.organiser if role == "o" else world.prescriber))
    pages = walk(client, path, TITLE)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sum(pages, []) == [str(i) for i in range(5)]


def test_the_slot_catalogue_comes_two_by_two(make_world, client, sign_in) -> None:
    """The organisers' slot catalogue (ten slots of five sites) on pages of two: each slot once, by start."""
    world = make_world(5)
    sign_in(db.session.merge(world.organiser))
    pages = walk(client, "/organisateur/creneaux?statut=tous", SLOT)
    assert [len(page) for page in pages] == [2] * 5
    assert len(set(sum(pages, []))) == 10


def test_a_page_address_that_is_not_ours_is_a_french_422(make_world, client, sign_in) -> None:
    """A tampered page parameter: a clear French error page, never a 500."""
    world = make_world(1)
    sign_in(db.session.merge(world.organiser))
    response = client.get("/tours?page=n-importe-quoi")
    assert response.status_code == 422
    assert "curseur invalide" in response.get_data(as_text=True)


BOOKING = re.compile(r'<tr id="reservation-(\d+)">')
POSITION = re.compile(r'<td data-label="Position">(\d+)</td>')
SITE = re.compile(r"· (Atelier \d+)</h3>")


def test_a_tours_bookings_come_two_by_two_with_the_tours_totals(make_world, client, sign_in) -> None:
    """Five bookings on pages of two: each once, confirmed then waiting; bus totals and waiting positions are
    the tour's, not the page's."""
    from tests.perf_reads.conftest import add_bookings

    world = make_world(1)
    add_bookings(world.tour_ids[0], world.prescriber, 3)
    sign_in(db.session.merge(world.organiser))
    path = f"/tours/{world.tour_ids[0]}/inscriptions"
    pages = walk(client, path, BOOKING)
    assert [len(page) for page in pages] == [2, 2, 1]
    ids = [int(i) for i in sum(pages, [])]
    assert len(set(ids)) == 5
    confirmed, waiting = ids[:3], ids[3:]
    assert confirmed == sorted(confirmed) and waiting == sorted(waiting)
    last = client.get(path).get_data(as_text=True)
    assert "3 / 3 places occupées" in last and "2 / 20 places occupées" in last
    assert '<span class="meta">— 2 inscriptions</span>' in last
    second = client.get(html.unescape(NEXT.search(last).group(1)))
    third = client.get(html.unescape(NEXT.search(second.get_data(as_text=True)).group(1))).get_data(as_text=True)
    assert POSITION.findall(third) == ["2"]  # the second on the waiting list, though first on its page
    assert "3 / 3 places occupées" in third


def test_company_visits_come_two_by_two_to_come_then_past(make_world, client, sign_in) -> None:
    """Five visits on pages of two: to come soonest first; once past, on their own pages, latest first."""
    import time_machine

    from tests.perf_reads.conftest import at

    world = make_world(5)
    sign_in(db.session.merge(world.company))
    pages = walk(client, "/entreprise/visites", SITE)
    assert pages == [["Atelier 0", "Atelier 1"], ["Atelier 2", "Atelier 3"], ["Atelier 4"]]
    assert walk(client, "/entreprise/visites?periode=passees", SITE) == [[]]
    with time_machine.travel(at(12, 18), tick=False):
        assert walk(client, "/entreprise/visites", SITE) == [["Atelier 3", "Atelier 4"]]
        past = walk(client, "/entreprise/visites?periode=passees", SITE)
    assert past == [["Atelier 2", "Atelier 1"], ["Atelier 0"]]
