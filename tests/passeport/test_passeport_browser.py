"""The passeport's pages in chromium at 360 px: the online version and « Mes inscriptions », checked by axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, screenshot
from tests.conftest import login_path
from tests.passeport.helpers import paris
from tourplanner.passeport.operations import link_token

pytestmark = pytest.mark.browser
NARROW = {"width": 360, "height": 740}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """A ticking clock from 1 February 2027 (the live server runs in a thread)."""
    with time_machine.travel(paris(1, 10, month=2), tick=True):
        yield


def _fits(page, what: str) -> None:
    assert_accessible(page, what)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{what} is {width}px wide"
    screenshot(page, "passeport-" + what.replace(" ", "-"))


def test_online_passeport_and_my_bookings_on_a_phone(browser, live_server, scene) -> None:
    """The online passeport reads well at 360 px; the prescriber's bookings link it."""
    context = browser.new_context(base_url=live_server, viewport=NARROW, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"/passeport/{link_token(scene['booking'])}")
        expect(page.get_by_role("heading", name="Passeport métiers", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="Forges de la Vallée — Usine de Lorette")).to_be_visible()
        _fits(page, "online")
        page.goto(login_path(scene["prescriber"]))
        page.get_by_role("button", name="Me connecter").click()
        page.goto("/mes-inscriptions")
        expect(page.get_by_role("link", name="PDF à imprimer (ZI Tour Vallée du Gier)")).to_be_visible()
        _fits(page, "my bookings")
    finally:
        context.close()
