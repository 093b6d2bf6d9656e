"""Territories in the pages: another territory's tours are not managed, its participants' e-mails not shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.territory.conftest import TODAY


@pytest.mark.parametrize(
    "path",
    [
        "/tours/{id}/inscriptions",
        "/tours/{id}/inscriptions.csv",
        "/tours/{id}/presence",
        "/tours/{id}/itineraire",
        "/tours/{id}/modifier",
    ],
)
def test_other_territory_pages_refused(territories, client, sign_in, path):
    """Saint-Étienne's organiser gets 403 on the Lyon tour's management pages, without its participants."""
    t = territories
    sign_in(t.saint_etienne)
    response = client.get(path.format(id=t.lyon_tour.id))
    assert response.status_code == 403
    assert "ines.garnier" not in response.get_data(as_text=True)


def test_own_territory_page_shows_participants(territories, client, sign_in):
    """Lyon's organiser sees the Lyon tour's bookings with their participants' e-mails."""
    t = territories
    sign_in(t.lyon)
    response = client.get(f"/tours/{t.lyon_tour.id}/inscriptions.csv")
    assert response.status_code == 200
    assert "ines.garnier@example.fr" in response.get_data(as_text=True)


def test_other_territory_itinerary_edits_refused(territories, client, sign_in):
    """Posting candidates or a re-optimisation on another territory's tour is refused (403)."""
    t = territories
    sign_in(t.saint_etienne)
    assert client.post(f"/tours/{t.lyon_tour.id}/itineraire", data={}).status_code == 403
    assert client.post(f"/tours/{t.lyon_tour.id}/itineraire/reoptimiser", data={}).status_code == 403
    assert client.post(f"/tours/{t.lyon_tour.id}/publier", data={}).status_code == 403


def test_other_territory_draft_is_not_found_and_not_listed(territories, client, sign_in):
    """Another territory's draft is 404 and absent from the tours list and the home page."""
    t = territories
    sign_in(t.saint_etienne)
    assert client.get(f"/tours/{t.lyon_draft.id}").status_code == 404
    assert "ZI Tour Corbas (brouillon)" not in client.get("/tours").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "ZI Tour Vallée du Gier" in home
    assert "ZI Tour Meyzieu" not in home


def test_bilan_page_counts_only_the_organisers_territory(territories, client, sign_in):
    """/organisateur/bilan counts the organiser's own participants only (3 in Saint-Étienne, 2 in Lyon)."""
    t = territories
    day = (TODAY + timedelta(days=30)).date().isoformat()
    sign_in(t.saint_etienne)
    assert _participants(client.get(f"/organisateur/bilan?from={day}&to={day}").get_data(as_text=True)) == 3
    sign_in(t.lyon)
    assert _participants(client.get(f"/organisateur/bilan?from={day}&to={day}").get_data(as_text=True)) == 2


def _participants(html: str) -> int:
    """The participants figure of the bilan page's tiles."""
    found = re.search(
        r'<span class="screen-only">(\d+)</span><span class="print-only">[^<]*</span></span> participants', html
    )
    assert found, html
    return int(found.group(1))


def test_tour_page_offers_management_to_its_own_organisers_only(territories, client, sign_in):
    """The Lyon tour's page links to its bookings for Lyon's organiser, not for Saint-Étienne's."""
    t = territories
    link = f'href="/tours/{t.lyon_tour.id}/inscriptions"'
    sign_in(t.saint_etienne)
    assert link not in client.get(f"/tours/{t.lyon_tour.id}").get_data(as_text=True)
    sign_in(t.lyon)
    assert link in client.get(f"/tours/{t.lyon_tour.id}").get_data(as_text=True)
