"""Cohort pages in chromium at 360 px, checked by axe-core: the weeks, then the organiser takes attendance."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_fits_narrow, open_as
from tests.cohorts.conftest import paris
from tourplanner.accounts.enums import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


def test_the_organiser_takes_attendance_on_a_phone(
    browser, live_server, organiser, make_cohort, make_user, join, frozen_clock
) -> None:
    """The weeks page and the attendance sheet pass axe and fit 360 px; the saved answer is shown checked."""
    tour = make_cohort()
    join(tour, make_user(Role.PRESCRIBER, name="Rémi Référent"), [("Nina Roux", None), ("Paul Petit", None)])
    frozen_clock.move_to(paris(2027, 1, 5, 11))
    context, page = open_as(browser, live_server, organiser)
    try:
        page.goto(f"/tours/{tour.id}")
        page.get_by_role("link", name="Séances et présences").click()
        expect(page.get_by_role("heading", name="Cohorte : Made in Métal — cohorte de printemps")).to_be_visible()
        assert_fits_narrow(page, "cohort sessions")
        page.get_by_role("link", name="Présences du 05/01").click()
        page.get_by_role("group", name="Nina Roux").get_by_label("Absent·e").check()
        page.get_by_role("group", name="Paul Petit").get_by_label("Présent·e").check()
        page.get_by_role("button", name="Enregistrer les présences").click()
        expect(page.get_by_text("Présences enregistrées.")).to_be_visible()
        expect(page.get_by_role("group", name="Nina Roux").get_by_label("Absent·e")).to_be_checked()
        assert_fits_narrow(page, "cohort attendance")
    finally:
        context.close()
