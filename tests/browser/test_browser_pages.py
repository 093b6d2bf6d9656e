"""The pages in a real browser: sign-in by link, homes per role, tour pages; accessible, phone-sized."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import assert_accessible, assert_fits_phone, screenshot
from tests.conftest import future
from tourplanner.accounts.enums import Role
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour

pytestmark = pytest.mark.browser


def local(days: int, hour: int, minute: int = 0) -> str:
    """A datetime-local input value, `days` from now at hour:minute."""
    return future(days, hour, minute).strftime("%Y-%m-%dT%H:%M")


def test_sign_in_by_link_every_step_accessible(page, make_user, browser_sign_in):
    """A person signs in through the mailed link and lands home; each step passes axe-core."""
    user = make_user(Role.ORGANISER, name="Nadia Benali", organisation="UIMM Lyon")
    browser_sign_in(page, user, check=assert_accessible)
    expect(page.get_by_role("navigation", name="Menu principal")).to_contain_text("Nouveau tour")
    expect(page.locator(".who")).to_contain_text("Nadia Benali")
    assert_accessible(page, "organiser home")


def test_organiser_runs_a_tour_through_the_pages(db, new_page, make_user, make_tour, browser_sign_in):
    """Create (after fixing errors), publish and cancel a tour in the browser; every page passes axe-core."""
    organiser = make_user(Role.ORGANISER, name="Olivier Roux", organisation="UIMM Lyon")
    make_tour(published=True, organiser=organiser, title="ZI Tour Vallée du Gier")
    page = new_page()
    browser_sign_in(page, organiser)
    screenshot(page, "home-organiser-desktop")

    page.get_by_role("link", name="Nouveau tour").click()
    page.get_by_label("Titre").fill("ZI Tour Meyzieu – Décines")
    page.get_by_label("Type de tour").select_option(label="ZI Tour en car")
    page.get_by_label("Début").fill(local(40, 8, 30))
    page.get_by_label("Fin").fill(local(40, 7, 0))  # before the start: refused
    page.get_by_label("Date limite d'inscription").fill(local(35, 18, 0))
    page.get_by_label("Lieu de rendez-vous").fill("Gare de Meyzieu ZI")
    page.get_by_label("Latitude").fill("45.7703")
    page.get_by_label("Longitude").fill("5.0033")
    page.get_by_label("Places par car").fill("50, 30")
    page.get_by_role("button", name="Créer le tour").click()
    expect(page.locator("#end-error")).to_have_text("La fin doit être après le début.")
    expect(page.get_by_label("Fin")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Fin : La fin doit être après le début.")
    assert_accessible(page, "tour form with errors")
    screenshot(page, "tour-form-errors-desktop")
    assert db.session.scalars(select(Tour).where(Tour.title.like("%Meyzieu%"))).first() is None

    page.get_by_label("Fin").fill(local(40, 17, 0))
    page.get_by_label("Déjeuner : au plus tôt").fill("12:00")
    page.get_by_label("Déjeuner : au plus tard").fill("13:00")
    page.get_by_label("Durée du déjeuner").fill("45")
    page.get_by_role("button", name="Créer le tour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ZI Tour Meyzieu – Décines")
    expect(page.locator(".tour-state")).to_contain_text("Brouillon")
    expect(page.locator(".seats")).to_have_text("80 places libres sur 80")
    assert_accessible(page, "draft tour page")

    page.get_by_role("button", name="Publier").click()
    expect(page.locator(".tour-state")).to_contain_text("Ouvert aux inscriptions")
    assert_accessible(page, "published tour page")
    screenshot(page, "tour-desktop")

    page.get_by_role("link", name="Tours", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tours à venir")
    expect(page.get_by_role("link", name="ZI Tour Meyzieu – Décines")).to_be_visible()
    assert_accessible(page, "tours list")

    page.get_by_role("link", name="ZI Tour Meyzieu – Décines").click()
    page.get_by_text("Annuler ce tour").click()
    page.get_by_label("Motif").fill("Grève des transports")
    page.get_by_role("button", name="Annuler le tour").click()
    expect(page.locator(".tour-state")).to_contain_text("Annulé")
    expect(page.get_by_role("button", name="Publier")).to_have_count(0)
    tour = db.session.scalars(select(Tour).where(Tour.title.like("%Meyzieu%"))).one()
    assert tour.status is TourStatus.CANCELLED and [bus.seats for bus in tour.buses] == [50, 30]


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_home_of_each_role_is_accessible(page, make_user, make_tour, browser_sign_in, role):
    """Prescribers, companies and ambassadors land on their own accessible home page."""
    make_tour(published=True, title="ZI Tour Saint-Étienne Sud")
    user = make_user(role, name="Camille Martin")
    browser_sign_in(page, user)
    expect(page.get_by_role("navigation", name="Menu principal")).not_to_contain_text("Nouveau tour")
    assert_accessible(page, f"{role.value} home")
    if role is Role.PRESCRIBER:
        expect(page.get_by_role("link", name="ZI Tour Saint-Étienne Sud")).to_be_visible()
        page.get_by_role("link", name="ZI Tour Saint-Étienne Sud").click()
        expect(page.locator(".seats")).to_have_text("20 places libres sur 20")
        assert_accessible(page, "tour page seen by a prescriber")
        response = page.goto("/tours/nouveau")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Action non autorisée")
        assert_accessible(page, "403 page")
        screenshot(page, "403-desktop")


def test_pages_fit_a_phone(new_page, make_user, make_tour, browser_sign_in):
    """At 375 px wide the home, tour, list and form pages need no sideways scrolling."""
    organiser = make_user(Role.ORGANISER, name="Olivier Roux", organisation="Union des industries de la Loire")
    tour = make_tour(
        published=True,
        organiser=organiser,
        title="ZI Tour Vallée du Gier – Rive-de-Gier et Saint-Chamond",
        bus_seats=[50, 30],
    )
    page = new_page(phone=True)
    browser_sign_in(page, organiser)
    assert_fits_phone(page, "home")
    screenshot(page, "home-organiser-phone")
    for path, name in [(f"/tours/{tour.id}", "tour"), ("/tours", "tours"), ("/tours/nouveau", "tour-form")]:
        page.goto(path)
        assert_fits_phone(page, name)
        screenshot(page, f"{name}-phone")
    page.get_by_role("button", name="Créer le tour").click()
    expect(page.locator(".field-error").first).to_be_visible()
    assert_fits_phone(page, "tour form with errors")
    assert_accessible(page, "tour form with errors on a phone")


def test_signed_out_visitor_is_sent_to_login_in_the_browser(page):
    """Opening a page signed out lands on /connexion with a French message."""
    page.goto("/tours")
    assert re.search(r"/connexion(\?|$)", page.url)
    expect(page.locator(".flash")).to_have_text("Connectez-vous pour accéder à cette page.")
    assert_accessible(page, "login with message")
    screenshot(page, "login-desktop")


def test_error_page_is_accessible(page):
    """The French 404 page (an unknown sign-in link) passes axe-core."""
    response = page.goto("/connexion/lien-inconnu")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Introuvable")
    assert_accessible(page, "404 page")


def test_the_accessibility_check_catches_violations(browser):
    """The axe-core harness fails a page with a serious violation (an image without text alternative)."""
    page = browser.new_page()
    try:
        page.set_content(
            '<!doctype html><html lang="fr"><head><title>t</title></head>'
            '<body><main><h1>t</h1><img src="data:,"></main></body></html>'
        )
        with pytest.raises(AssertionError, match="image-alt"):
            assert_accessible(page, "broken page")
    finally:
        page.close()
