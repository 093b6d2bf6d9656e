"""Workshops in chromium at 360 px, checked by axe-core: the organiser adds one, a prescriber registers."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_fits_narrow, open_as
from tourplanner.accounts.enums import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


def test_organiser_adds_a_workshop_and_a_prescriber_registers(
    browser, live_server, organiser, make_user, event
) -> None:
    """Both pages pass axe and fit 360 px; the registration appears under the workshop."""
    context, page = open_as(browser, live_server, organiser.user)
    try:
        page.goto(f"/tours/{event.id}")
        page.get_by_role("link", name="Ateliers").click()
        page.get_by_label("Thème").fill("Recruter sans CV")
        page.get_by_label("Places").fill("8")
        page.get_by_label("Début").fill("2027-03-16T09:30")
        page.get_by_label("Fin", exact=True).fill("2027-03-16T11:00")
        page.get_by_role("button", name="Ajouter l'atelier").click()
        expect(page.get_by_role("heading", name="Recruter sans CV")).to_be_visible()
        assert_fits_narrow(page, "workshops organiser")
    finally:
        context.close()
    context, page = open_as(browser, live_server, make_user(Role.PRESCRIBER))
    try:
        page.goto(f"/tours/{event.id}/ateliers")
        page.get_by_text("Inscrire une personne").click()
        page.get_by_label("Nom de la personne").fill("Nina Roux")
        page.get_by_label("Son adresse e-mail").fill("nina@example.fr")
        page.get_by_role("button", name="Inscrire", exact=True).click()
        expect(page.get_by_text("Nina Roux est inscrit(e)")).to_be_visible()
        assert_fits_narrow(page, "workshops prescriber")
    finally:
        context.close()
