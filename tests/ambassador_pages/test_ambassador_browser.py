"""« Mes tours » on a phone in chromium: fits 375 px, links work, no serious axe-core finding."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PHONE, assert_accessible, assert_fits_phone, screenshot
from tests.conftest import login_path

pytestmark = pytest.mark.browser


def test_my_tours_on_a_phone(browser, live_server, crew):
    """An ambassador reads their tours on a phone and opens the road book from there."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server + login_path(crew.amina))
        page.get_by_role("button", name="Me connecter").click()
        page.wait_for_url(live_server + "/")
        page.goto(live_server + "/ambassadeur")
        assert page.get_by_role("heading", name="Mes tours").is_visible()
        first = page.locator(".assignment").first
        assert "Gare de Rive-de-Gier" in first.inner_text() and "Bruno Lefort" in first.inner_text()
        assert_fits_phone(page, "« Mes tours »")
        assert_accessible(page, "« Mes tours »")
        screenshot(page, "ambassador-my-tours-375")
        first.get_by_role("link", name="Feuille de route").click()
        page.wait_for_url(f"{live_server}/tours/{crew.tour.id}/feuille-de-route")
    finally:
        context.close()
