"""Ambassadeurs des métiers in chromium at 360 px, checked by axe-core: agenda, debriefing, « Mes inscriptions »."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible
from tests.company_visits.helpers import agenda_body, paris
from tests.conftest import login_path

pytestmark = pytest.mark.browser
NARROW = {"width": 360, "height": 740}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


def _fits(page, what: str) -> None:  # noqa: ANN001
    assert_accessible(page, what)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{what} is {width}px wide"


def _open_as(browser, live_server, user):  # noqa: ANN001, ANN202
    context = browser.new_context(base_url=live_server, viewport=NARROW, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(login_path(user))
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", name=f"Bonjour {user.name}")).to_be_visible()
    return context, page


def test_agenda_debriefing_and_follow_up(browser, live_server, organiser, referent, session) -> None:  # noqa: ANN001
    """The agenda form and the debriefing pass axe at 360 px; the referent then sees « oui »."""
    referent.post(f"/tours/{session.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa Martin"}]})
    context, page = _open_as(browser, live_server, organiser.user)
    try:
        page.goto(f"/tours/{session.id}/deroule")
        _fits(page, "agenda form")
        organiser.put(f"/tours/{session.id}/agenda", json=agenda_body())
        page.goto(f"/tours/{session.id}")
        expect(page.get_by_role("heading", name="Déroulé de la session")).to_be_visible()
        _fits(page, "session page")
        with time_machine.travel(paris(9, 11, 45), tick=True):
            page.get_by_role("link", name="Débriefing").click()
            page.get_by_label("Oui, veut aller plus loin").check()
            page.get_by_role("button", name="Enregistrer").click()
            expect(page.get_by_text("Intérêt enregistré pour 1 personne(s).")).to_be_visible()
            _fits(page, "debriefing")
    finally:
        context.close()
    context, page = _open_as(browser, live_server, referent.user)
    try:
        page.goto("/mes-inscriptions")
        expect(page.get_by_text("Au débriefing : oui, veut aller plus loin")).to_be_visible()
        _fits(page, "my bookings")
    finally:
        context.close()
