"""The slot catalogue in chromium: markers and the list without any tile, accept from the page, axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import assert_accessible, screenshot
from tests.conftest import login_path

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production; a tile server that refuses connections, as offline."""
    return {"WTF_CSRF_ENABLED": True, "TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}


def test_catalogue_shows_markers_and_the_list_without_tiles(browser, live_server, offer):
    """No tile loads, yet one marker per site is drawn and the list reads as text; « Retenir » works; no serious axe
    finding."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR", timezone_id="Europe/Paris")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server + login_path(offer.organiser))
        page.get_by_role("button", name="Me connecter").click()
        page.wait_for_url(live_server + "/")
        page.goto(live_server + "/organisateur/creneaux")
        page.wait_for_selector("#slots-map[data-ready=true]")
        markers = page.locator("#slots-map .leaflet-marker-icon")
        assert markers.count() == 3
        assert page.locator("#slots-map .leaflet-tile-loaded").count() == 0
        titles = {markers.nth(i).get_attribute("title") for i in range(3)}
        assert "Forges du Gier — Forge de Lorette : 1 créneau" in titles
        items = page.locator(".slot-list > li")
        assert items.count() == 3
        assert "Plastiques du Rhône" in items.first.inner_text() and "Accessible PMR" in items.first.inner_text()
        assert_accessible(page, "slot catalogue")
        screenshot(page, "slot-catalogue")

        items.first.get_by_role("button", name="Retenir").click()
        page.wait_for_load_state()
        assert "Créneau de « Atelier d'injection » retenu." in page.locator(".flashes").inner_text()
        assert "Retenu" in page.locator(f"#creneau-{offer.plastics.id} .badge").inner_text()
    finally:
        context.close()
