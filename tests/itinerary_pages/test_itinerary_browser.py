"""The itinerary page and the road book in chromium: optimise, map without tiles, lock, print, axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.helpers import AXE, screenshot
from tests.conftest import login_path
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.tours.assignments import assign_ambassador
from tourplanner.tours.operations import publish_tour

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production; a tile server that refuses connections, as offline."""
    return {"WTF_CSRF_ENABLED": True, "TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}


@pytest.fixture
def browse(browser, live_server):
    """Open a page signed in as a user, through the one-time link and its « Me connecter » button."""
    contexts = []

    def open_as(user, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server + login_path(user))
        page.get_by_role("button", name="Me connecter").click()
        page.wait_for_url(live_server + "/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.evaluate(AXE.read_text())  # not add_script_tag: the page's CSP refuses inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF printed by chromium has (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def optimise_all(page, live_server, tour) -> None:
    """Open the itinerary page, tick every offered visit and press « Optimiser »."""
    page.goto(f"{live_server}/tours/{tour.id}/itineraire")
    boxes = page.locator("input[name=slot_ids]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_role("button", name="Optimiser").click()
    page.wait_for_url(f"{live_server}/tours/{tour.id}/itineraire")


def test_optimise_then_read_the_map_without_tiles(browse, live_server, planned_tour):
    """After « Optimiser », markers and one route per bus draw although no tile loads; the stop list is text."""
    page = browse(planned_tour.organiser)
    optimise_all(page, live_server, planned_tour.tour)
    assert "Itinéraire calculé : 6 visites placées." in page.locator(".flashes").inner_text()
    page.wait_for_selector("#itinerary-map[data-ready=true]")
    # 6 stops and the meeting point; one polyline per bus.
    assert page.locator("#itinerary-map .leaflet-marker-icon").count() == 7
    assert page.locator("#itinerary-map path.leaflet-interactive").count() == 2
    assert page.locator("#itinerary-map .leaflet-tile-loaded").count() == 0
    stops = page.locator("#arrets .stop-title")
    assert stops.count() == 6
    assert "Atelier d'injection" in page.locator("#arrets").inner_text()
    assert page.locator(".timeline").count() == 2
    assert page.locator(".timeline .seg-lunch").count() == 2
    assert serious_violations(page) == []
    screenshot(page, "itinerary-desktop")


def test_the_page_reads_on_a_phone(browse, live_server, planned_tour):
    """At 375 px the page has no sideways scroll, and each timeline lists its parts with their times."""
    page = browse(planned_tour.organiser, width=375)
    optimise_all(page, live_server, planned_tour.tour)
    page.wait_for_selector("#itinerary-map[data-ready=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    first_part = page.locator(".timeline .seg").first
    assert first_part.locator(".seg-long").is_visible()
    assert "Trajet" in first_part.inner_text() and ":" in first_part.inner_text()
    assert serious_violations(page) == []
    screenshot(page, "itinerary-375")


def test_lock_a_stop_from_the_page(browse, live_server, planned_tour):
    """« Verrouiller » on a stop marks it locked on the page; « Déverrouiller » undoes it."""
    page = browse(planned_tour.organiser)
    optimise_all(page, live_server, planned_tour.tour)
    first = page.locator("#arrets .stop").filter(has=page.locator(".stop-title")).first
    first.get_by_role("button", name=re.compile("sur ce car")).click()
    page.wait_for_load_state()
    assert "une nouvelle optimisation la garde" in page.locator(".flashes").inner_text()
    first = page.locator("#arrets .stop").filter(has=page.locator(".badge-locked"))
    assert first.count() == 1
    first.get_by_role("button", name="Déverrouiller").click()
    page.wait_for_load_state()
    assert page.locator("#arrets .badge-locked").count() == 0


def test_the_road_book_for_an_ambassador(browse, live_server, planned_tour, make_user):
    """The tour's ambassador reads the road book; « Imprimer » opens printing; the print view hides the menu."""
    tour = planned_tour.tour
    publish_tour(tour, planned_tour.organiser)
    ambassador = make_user(Role.AMBASSADOR, name="Karim Haddad")
    assign_ambassador(tour, ambassador.email, 0, planned_tour.organiser)
    db.session.commit()
    organiser_page = browse(planned_tour.organiser)
    optimise_all(organiser_page, live_server, tour)

    page = browse(ambassador)
    page.goto(f"{live_server}/tours/{tour.id}/feuille-de-route")
    assert page.locator(".road-stop").count() == 6
    assert "votre car" in page.locator(".road-bus").first.inner_text()
    assert serious_violations(page) == []
    screenshot(page, "road-book-desktop")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Imprimer").click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Imprimer").is_visible()
    assert page.locator(".road-stop").first.is_visible()
    screenshot(page, "road-book-print")
    pdf = page.pdf(format="A4")
    assert pdf_pages(pdf) == 2, "one A4 page per bus"
    page.set_viewport_size({"width": 375, "height": 800})
    page.emulate_media(media="screen")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "road-book-375")
