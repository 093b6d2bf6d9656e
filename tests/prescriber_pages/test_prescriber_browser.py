"""The prescribers' pages in chromium, phone-sized: book, see it, cancel; errors; axe-core on each page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import PHONE, assert_accessible, assert_fits_phone, screenshot
from tests.conftest import future, login_path
from tests.prescriber_pages.conftest import add_stop, book
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def phone_as(browser, live_server):
    """Open a phone-sized page signed in as a user, through the one-time link and its button."""
    contexts = []

    def open_as(user):
        context = browser.new_context(base_url=live_server, viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(login_path(user))
        page.get_by_role("button", name="Me connecter").click()
        expect(page.get_by_role("heading", name=f"Bonjour {user.name}")).to_be_visible()
        return page

    yield open_as
    for context in contexts:
        context.close()


def check(page, what: str) -> None:
    """The page passes axe-core, fits a phone, and is saved as a screenshot when asked."""
    assert_accessible(page, what)
    assert_fits_phone(page, what)
    screenshot(page, "prescriber-" + what.replace(" ", "-"))


def test_book_see_and_cancel_on_a_phone(phone_as, make_user, make_tour, make_site, make_slot):
    """A prescriber finds a tour, books two named seats, sees them with the visits, then cancels."""
    prescriber = make_user(Role.PRESCRIBER, name="Camille Martin", organisation="Mission locale de Lyon")
    tour = make_tour(
        published=True,
        title="ZI Tour Meyzieu – Jonage",
        bus_seats=[20, 20],
        meeting_point_name="Gare de Meyzieu ZI (tram T3)",
    )
    add_stop(tour, tour.buses[0], make_slot(site=make_site(name="Atelier d'injection")), future(30, 10))
    page = phone_as(prescriber)

    page.goto("/inscriptions/tours")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tours ouverts aux inscriptions")
    expect(page.locator(".seats-left")).to_have_text("40 places libres sur 40")
    check(page, "catalogue")

    page.get_by_role("link", name="S'inscrire : ZI Tour Meyzieu – Jonage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("S'inscrire : ZI Tour Meyzieu – Jonage")
    page.get_by_label("Nombre de places").fill("2")
    page.get_by_role("button", name="Afficher une ligne par place").click()
    expect(page.locator("#participants-1-name")).to_be_visible()
    check(page, "booking form")
    page.locator("#participants-0-name").fill("Léa Girard")
    page.locator("#participants-0-email").fill("lea.girard@example.fr")
    page.locator("#participants-0-reduced_mobility").check()
    page.locator("#participants-1-name").fill("Yanis Haddad")
    page.get_by_role("button", name="Réserver", exact=True).dblclick()  # a double click books once

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes inscriptions")
    expect(page.locator(".flashes")).to_contain_text(
        "Inscription confirmée : 2 places sur « ZI Tour Meyzieu – Jonage »"
    )
    card = page.locator(".booking-card")
    expect(card).to_contain_text("Confirmée")
    expect(card).to_contain_text("Léa Girard")
    expect(card).to_contain_text("Mobilité réduite")
    expect(card).to_contain_text("10:00–11:00")
    expect(card.get_by_role("link", name="Feuille de route du tour")).to_be_visible()
    expect(page.get_by_label("Adresse de mon agenda")).to_have_value(
        _starts("http://tourplanner.test/calendar/"), timeout=2_000
    )
    check(page, "my bookings")
    assert len(db.session.scalars(select(Booking)).all()) == 1

    page.get_by_role("link", name="Annuler cette inscription").click()
    expect(page.get_by_role("heading", name="Annuler cette inscription ?")).to_be_visible()
    check(page, "cancel confirmation")
    assert db.session.scalars(select(Booking)).one().status is not BookingStatus.CANCELLED  # asking changes nothing
    page.get_by_role("button", name="Oui, annuler l'inscription").click()
    expect(page.locator(".flashes")).to_contain_text("Inscription annulée : 2 places")
    expect(page.locator(".booking-card")).to_contain_text("Annulée")
    booking = db.session.scalars(select(Booking).execution_options(populate_existing=True)).one()
    assert booking.status is BookingStatus.CANCELLED


def test_errors_then_waiting_list_and_new_calendar_link(phone_as, make_user, make_tour):
    """Errors are shown beside their fields (accessible); a full tour puts the booking on the waiting list."""
    prescriber = make_user(Role.PRESCRIBER, name="Sami Benali", organisation="France Travail Vénissieux")
    tour = make_tour(published=True, title="ZI Tour complet", bus_seats=[3])
    book(tour, make_user(Role.PRESCRIBER), 3)
    page = phone_as(prescriber)

    page.goto(f"/tours/{tour.id}/inscrire")
    expect(page.locator(".seats-left")).to_have_text("Complet : inscription en liste d'attente")
    page.get_by_label("Nombre de places").fill("0")
    page.locator("#participants-0-email").fill("sans.nom@example.fr")
    page.get_by_role("button", name="Réserver en liste d'attente").click()
    expect(page.get_by_role("alert")).to_contain_text("Réservez au moins une place.")
    expect(page.locator("#participants-0-name-error")).to_have_text(
        "Indiquez le nom de cette personne, ou videz la ligne."
    )
    expect(page.get_by_label("Nombre de places")).to_have_attribute("aria-invalid", "true")
    check(page, "booking form errors")

    page.get_by_label("Nombre de places").fill("2")
    page.locator("#participants-0-name").fill("Inès Morel")
    page.get_by_role("button", name="Réserver en liste d'attente").click()
    expect(page.locator(".flashes")).to_contain_text("est en liste d'attente, position 1")
    expect(page.locator(".booking-card")).to_contain_text("Position 1 sur la liste d'attente")

    old = page.get_by_label("Adresse de mon agenda").input_value()
    page.get_by_role("button", name="Renouveler le lien").click()
    expect(page.locator(".flashes")).to_contain_text("L'ancien ne fonctionne plus")
    assert page.get_by_label("Adresse de mon agenda").input_value() != old
    check(page, "my bookings waiting")


def _starts(prefix: str):
    """A pattern for a value that begins with `prefix`."""
    import re

    return re.compile("^" + re.escape(prefix))
