"""Ambassadeurs des métiers in chromium at 360 px, checked by axe-core: agenda, debriefing, « Mes inscriptions »."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.helpers import assert_fits_narrow, open_as
from tests.company_visits.helpers import agenda_body, paris

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


def test_agenda_debriefing_and_follow_up(browser, live_server, organiser, referent, session) -> None:
    """The agenda form and the debriefing pass axe at 360 px; the referent then sees « oui »."""
    referent.post(f"/tours/{session.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa Martin"}]})
    context, page = open_as(browser, live_server, organiser.user)
    try:
        page.goto(f"/tours/{session.id}/deroule")
        assert_fits_narrow(page, "agenda form")
        organiser.put(f"/tours/{session.id}/agenda", json=agenda_body())
        page.goto(f"/tours/{session.id}")
        expect(page.get_by_role("heading", name="Déroulé de la session")).to_be_visible()
        assert_fits_narrow(page, "session page")
        with time_machine.travel(paris(9, 11, 45), tick=True):
            page.get_by_role("link", name="Débriefing").click()
            page.get_by_label("Oui, veut aller plus loin").check()
            page.get_by_role("button", name="Enregistrer").click()
            expect(page.get_by_text("Intérêt enregistré pour 1 personne(s).")).to_be_visible()
            assert_fits_narrow(page, "debriefing")
    finally:
        context.close()
    context, page = open_as(browser, live_server, referent.user)
    try:
        page.goto("/mes-inscriptions")
        expect(page.get_by_text("Au débriefing : oui, veut aller plus loin")).to_be_visible()
        assert_fits_narrow(page, "my bookings")
    finally:
        context.close()
