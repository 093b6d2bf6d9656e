"""The map picker: tapping the map fills latitude and longitude, so nobody has to type coordinates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import assert_accessible
from tests.conftest import login_path
from tourplanner.accounts.enums import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Offline tiles: the picker still works on a grey map."""
    return {"TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}


def test_tapping_the_map_fills_the_meeting_point(browser, live_server, make_user) -> None:
    """On the tour form at 360 px, a tap on the map writes decimal coordinates into both fields."""
    organiser = make_user(Role.ORGANISER, name="Nadia Benali")
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 780}, locale="fr-FR")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(login_path(organiser))
        page.get_by_role("button", name="Me connecter").click()
        page.wait_for_url(live_server + "/")
        page.goto("/tours/nouveau")
        picker = page.locator(".place-picker")
        picker.wait_for(state="visible")
        assert page.get_by_label("Latitude").input_value() == ""
        picker.click(position={"x": 150, "y": 120})
        lat = float(page.get_by_label("Latitude").input_value())
        lon = float(page.get_by_label("Longitude").input_value())
        assert -90 <= lat <= 90 and -180 <= lon <= 180
        assert page.locator(".place-picker path.leaflet-interactive").count() == 1  # the marker
        assert_accessible(page, "tour form with map picker")
    finally:
        context.close()
