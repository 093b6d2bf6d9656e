"""The company space in chromium: create a site, offer a recurring availability, decline a visit (axe-core, phone
width)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.browser.helpers import assert_accessible, assert_fits_phone, signed_in_pages
from tests.company.conftest import KNOWN_ADDRESS, next_weekday
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.models import Tour

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def open_as(browser, live_server):
    """open_as(user, phone=False): a signed-in page (see tests.browser.helpers.signed_in_pages)."""
    with signed_in_pages(browser, live_server) as make:
        yield make


def test_create_a_site_and_offer_every_tuesday(open_as, contact_a, geocoder) -> None:
    """Desktop: the new-site form, the site page, the recurring form and the series page, all free of serious axe
    findings."""
    page = open_as(contact_a)
    page.goto("/entreprise")
    assert_accessible(page, "company home")
    page.get_by_role("link", name="Ajouter un site").click()
    page.get_by_label("Nom du site").fill("Forge de Meyzieu")
    page.get_by_label("Adresse", exact=True).fill(KNOWN_ADDRESS)
    page.get_by_label("Métiers présentés").fill("H2903 Conduite d'équipement d'usinage\nSoudeur")
    page.get_by_label("Photos").fill("Interdites dans les ateliers")
    assert_accessible(page, "site form")
    page.get_by_role("button", name="Ajouter le site").click()
    page.get_by_role("heading", name="Forge de Meyzieu").wait_for()
    assert "H2903" in page.locator("#contenu").inner_text()
    assert_accessible(page, "site page")
    page.get_by_role("link", name="Proposer une disponibilité régulière").click()
    first = next_weekday(1)
    page.get_by_label("Mardi").check()
    page.get_by_label("Heure de début").fill("09:00")
    page.get_by_label("Heure de fin").fill("12:00")
    page.get_by_label("Premier jour").fill(first.isoformat())
    page.get_by_label("Dernier jour").fill((first + timedelta(weeks=5)).isoformat())
    assert_accessible(page, "series form")
    page.get_by_role("button", name="Proposer ces créneaux").click()
    page.get_by_role("heading", name="Disponibilité régulière").wait_for()
    assert "6 créneaux proposés" in page.locator(".flashes").inner_text()
    assert_accessible(page, "series page")
    site = db.session.scalar(select(Site).where(Site.name == "Forge de Meyzieu"))
    assert db.session.scalar(select(func.count(Slot.id)).where(Slot.site_id == site.id)) == 6


def test_decline_a_visit_on_a_phone(open_as, contact_a, site_a, make_visit) -> None:
    """Phone width: the pages fit 375 px and pass axe; declining with a reason alerts the organiser."""
    stop = make_visit(site_a)
    page = open_as(contact_a, phone=True)
    for path in ("/entreprise", f"/entreprise/sites/{site_a.id}", f"/entreprise/sites/{site_a.id}/series/nouvelle"):
        page.goto(path)
        assert_fits_phone(page, path)
        assert_accessible(page, path)
    page.goto("/entreprise/visites")
    assert_fits_phone(page, "visits")
    assert_accessible(page, "visits")
    page.get_by_role("link", name="Décliner").first.click()
    page.get_by_label("Motif (transmis à l'organisateur)").fill("Inventaire ce jour-là")
    assert_fits_phone(page, "decline form")
    assert_accessible(page, "decline form")
    page.get_by_role("button", name="Décliner la visite").click()
    page.locator(".flash-success").wait_for()
    assert "l'organisateur est prévenu" in page.locator(".flashes").inner_text()
    assert "Déclinée" in page.locator("#contenu").inner_text()
    assert_accessible(page, "visits after decline")
    db.session.expire_all()
    assert db.session.get(Tour, stop.tour_id).needs_reoptimisation is True
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.subject.like("Visite déclinée%"))) == 1
