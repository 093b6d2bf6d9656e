"""The bilan page and the pages opened from mails, in chromium, checked by axe-core (phones included)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import PHONE, assert_accessible, assert_fits_phone, fresh_pages, screenshot
from tests.conftest import login_path
from tourplanner.impact.enums import Moment
from tourplanner.impact.requests import assessment_url, outcomes_url, questionnaire_url

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def new_page(browser, live_server):
    """new_page(phone=False): a fresh page on the live server."""
    with fresh_pages(browser, live_server) as make:
        yield make


def test_the_bilan_page_on_screen_and_printed(interested, new_page, live_server):
    """Exact figures on screen, « < 5 » when printed; charts are images with a name; no axe violation."""
    seeded = interested
    from playwright.sync_api import expect

    page = new_page()
    page.goto(login_path(seeded.organiser))
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(live_server + "/")
    page.goto("/organisateur/bilan")
    page.get_by_label("Du", exact=True).fill("2027-01-01")
    page.get_by_label("Au", exact=True).fill("2027-06-30")
    page.get_by_role("button", name="Afficher le bilan").click()
    expect(page.locator(".bl-tiles")).to_contain_text("7 participants")
    expect(page.get_by_role("img", name="Sorties par type (personnes)")).to_be_visible()
    expect(page.get_by_role("img", name="Intérêt au débriefing (personnes)")).to_be_visible()
    assert_accessible(page, "bilan page")
    page.emulate_media(media="print")
    expect(page.locator(".bl-tiles")).to_contain_text("< 5 actions menées")
    expect(page.get_by_role("button", name="Afficher le bilan")).to_be_hidden()
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    assert_fits_phone(page, "bilan page")
    screenshot(page, "bilan")


def test_questionnaire_on_a_phone_without_signing_in(seeded, new_page, live_server):
    """The mailed link opens the questionnaire on a 375 px phone; answered with the keyboard-friendly radios."""
    from playwright.sync_api import expect

    url = questionnaire_url(seeded.tours["T5"].id, seeded.users["P4"].id, Moment.BEFORE)
    page = new_page(phone=True)
    page.goto(live_server + url.split("tourplanner.test", 1)[1])
    expect(page.get_by_role("heading", name="Votre avis avant le tour")).to_be_visible()
    assert_accessible(page, "questionnaire")
    assert_fits_phone(page, "questionnaire")
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_role("alert")).to_contain_text("Il manque une réponse")
    assert_accessible(page, "questionnaire with an error")
    page.get_by_role("group", name="1. L'industrie offre").get_by_label("4 — Plutôt d'accord").check()
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_role("status")).to_contain_text("est enregistré")
    screenshot(page, "questionnaire-phone")


def test_outcomes_and_assessment_pages_on_a_phone(seeded, new_page, live_server):
    """The prescriber's outcomes page and the company's assessment pass axe-core at 375 px."""
    from playwright.sync_api import expect

    page = new_page(phone=True)
    page.goto(live_server + outcomes_url(seeded.tours["T1"].id, seeded.users["P1"].id).split("tourplanner.test", 1)[1])
    expect(page.get_by_role("group", name="Alice")).to_be_visible()
    assert_accessible(page, "outcomes page")
    assert_fits_phone(page, "outcomes page")
    page.goto(
        live_server + assessment_url(seeded.tours["T1"].id, seeded.users["Ulysse"].id).split("tourplanner.test", 1)[1]
    )
    assert_accessible(page, "assessment page")
    assert_fits_phone(page, "assessment page")
    page.get_by_label("Oui").check()
    page.get_by_label("Combien de personnes sont venues ?").fill("12")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("votre évaluation est enregistrée")
