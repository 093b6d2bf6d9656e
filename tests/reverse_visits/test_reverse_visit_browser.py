"""Reverse visits and trades in chromium at 360 px, checked by axe-core: book, who is coming, the trades page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_fits_narrow, open_as, screenshot
from tourplanner.accounts.enums import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


def _fits(page, what: str) -> None:
    assert_fits_narrow(page, what)
    screenshot(page, "reverse-visit-" + what.replace(" ", "-"))


def test_book_a_reverse_visit_then_the_host_sees_it(browser, live_server, make_user, host, published_visit) -> None:
    """A company contact books two seats from « Visites inversées »; the host's « Qui vient ? » lists the company."""
    contact = make_user(Role.COMPANY, name="Luc Ferrand", organisation="Forges du Gier")
    context, page = open_as(browser, live_server, contact)
    try:
        page.get_by_role("link", name="Visites inversées").click()
        _fits(page, "list")
        page.get_by_label("Nombre de places").fill("2")
        page.get_by_label("Qui vient (un nom par ligne, facultatif)").fill("Anne Vidal")
        page.get_by_role("button", name="Réserver").click()
        expect(page.get_by_text("Places confirmées.")).to_be_visible()
        page.goto("/metiers?q=maintenance")
        expect(page.get_by_role("heading", name="Métiers et passerelles")).to_be_visible()
        _fits(page, "trades search")
    finally:
        context.close()
    context, page = open_as(browser, live_server, host.user)
    try:
        page.goto(f"/tours/{published_visit['id']}")
        page.get_by_role("link", name="Qui vient ?").click()
        expect(page.get_by_role("rowheader", name="Forges du Gier")).to_be_visible()
        _fits(page, "who is coming")
    finally:
        context.close()
