"""The kit page in a real browser: accessible, fits a 360 px phone, downloads and imports."""

from __future__ import annotations

import json

import pytest

from tests.browser.helpers import assert_fits_narrow, open_as
from tests.territory.test_kit import PERSONAL, _territory
from tourplanner.accounts.enums import Role

pytestmark = pytest.mark.browser


def test_kit_page_on_a_phone(browser, live_server, make_user, make_tour, make_site, tmp_path):
    """axe-core finds nothing serious at 360 px; the button downloads a kit without personal data; upload imports it."""
    organiser = _territory(make_user, make_tour, make_site)
    context, page = open_as(browser, live_server, organiser)
    try:
        page.goto("/organisateur/kit")
        assert_fits_narrow(page, "kit page")
        page.get_by_label("Territoire").select_option("Vallée du Gier")
        with page.expect_download() as download:
            page.get_by_role("button", name="Télécharger le kit").click()
        path = tmp_path / "kit.json"
        download.value.save_as(path)
        kit = json.loads(path.read_text(encoding="utf-8"))
        assert [zone["name"] for zone in kit["zones"]] == ["ZI du Gier"]
        assert PERSONAL[0] not in path.read_text(encoding="utf-8")
        page.get_by_label("Fichier du kit").set_input_files(str(path))
        page.get_by_role("button", name="Importer le kit").click()
        assert "Kit importé" in page.content()
        assert_fits_narrow(page, "kit page after an import")
    finally:
        context.close()


def test_questionnaires_page_on_a_phone(browser, live_server, make_user):
    """axe-core finds nothing serious at 360 px; a statement added on the page is saved and shown again."""
    organiser = make_user(Role.ORGANISER)
    context, page = open_as(browser, live_server, organiser)
    try:
        page.goto("/organisateur/questionnaires")
        assert_fits_narrow(page, "questionnaires page")
        section = page.locator("#q-company")
        section.get_by_label("Texte").last.fill("Nous proposons des immersions.")
        section.get_by_role("button", name="Enregistrer le questionnaire des entreprises").click()
        assert "Questionnaire des entreprises enregistré" in page.content()
        assert page.locator("#q-company textarea").nth(3).input_value() == "Nous proposons des immersions."
        assert_fits_narrow(page, "questionnaires page after a save")
    finally:
        context.close()
