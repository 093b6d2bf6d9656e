"""Under the Content-Security-Policy, chromium refuses nothing on the sign-in pages and the itinerary page.

The itinerary page is the one with a map (Leaflet), bus colours and timelines placed in
percent: all of it must work with scripts and styles from /static only.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production; a tile server that refuses connections, as offline."""
    return {"WTF_CSRF_ENABLED": True, "TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}


def test_nothing_is_refused_by_the_policy(browser, live_server, planned_tour) -> None:
    """Sign in through the pages, optimise, read the map: no CSP violation; colours and timelines are applied."""
    from tests.pages.helpers import login_link_path

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        refused: list[str] = []
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation',"
            " e => console.error('Content Security Policy: ' + e.violatedDirective))"
        )
        page.goto(f"{live_server}/connexion")
        page.get_by_label("Adresse e-mail").fill(planned_tour.organiser.email)
        page.get_by_role("button", name="Recevoir mon lien de connexion").click()
        page.get_by_role("heading", name="Consultez votre messagerie").wait_for()
        page.goto(live_server + login_link_path(planned_tour.organiser.email))
        page.get_by_role("button", name="Me connecter").click()
        page.wait_for_url(f"{live_server}/")

        tour = planned_tour.tour
        page.goto(f"{live_server}/tours/{tour.id}/itineraire")
        boxes = page.locator("input[name=slot_ids]")
        for index in range(boxes.count()):
            boxes.nth(index).check()
        page.get_by_role("button", name="Optimiser").click()
        page.wait_for_selector("#itinerary-map[data-ready=true]")

        assert page.locator("#itinerary-map .leaflet-marker-icon").count() == 7
        # Bus colours come from classes: the first bus's swatch and markers are its blue.
        swatch = page.locator(".bus-swatch").first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert swatch == "rgb(29, 78, 137)"
        marker = page.locator(".stop-marker:not(.meeting-marker) span").first
        assert marker.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
        # Timelines are placed from data-left/data-width through the CSSOM.
        segment = page.locator(".timeline .seg").nth(1)
        assert segment.evaluate("e => e.style.left") == segment.get_attribute("data-left") + "%"
        assert float(segment.evaluate("e => e.getBoundingClientRect().width")) > 0
        assert refused == []
    finally:
        context.close()
