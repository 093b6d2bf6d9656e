"""« Page suivante » on a 360 px phone in chromium: visible, accessible, and it leads to the next page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.browser.helpers import assert_fits_narrow, open_as
from tests.perf_reads.conftest import NOW
from tourplanner.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """Start the clock at NOW but let it run: the browser and the live server wait on it."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Pages of two rows."""
    return {"LIST_PAGE_SIZE": 2}


@pytest.mark.parametrize("role, path", [("o", "/tours"), ("p", "/inscriptions/tours"), ("o", "/organisateur/creneaux")])
def test_the_next_page_link_fits_a_phone_and_leads_on(role, path, make_world, browser, live_server) -> None:
    """The link is a visible French button at 360 px (axe-core clean), and following it shows other rows."""
    from playwright.sync_api import expect

    world = make_world(3)
    user = db.session.merge(world.organiser if role == "o" else world.prescriber)
    context, page = open_as(browser, live_server, user)
    try:
        page.goto(path)
        link = page.get_by_role("link", name="Page suivante")
        expect(link).to_be_visible()
        assert_fits_narrow(page, path)
        first = page.content()
        link.click()
        expect(page.get_by_role("link", name="Première page")).to_be_visible()
        assert_fits_narrow(page, path + " (page 2)")
        assert page.content() != first
    finally:
        context.close()
