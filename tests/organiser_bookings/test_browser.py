"""The attendance sheet on a phone and the bookings page, in chromium, checked by axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import assert_accessible, assert_fits_phone, screenshot, signed_in_pages

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


def test_taking_attendance_on_a_phone(booked_tour, open_as):
    """The tour's ambassador marks people on a 375 px phone: big buttons, no sideways scroll, no axe violation."""
    from playwright.sync_api import expect

    booked_tour.book(2, ["Léa Dubois"], reduced_mobility=True)
    booked_tour.book(1, prescriber=booked_tour.other_prescriber)
    booked_tour.move_to_today()
    page = open_as(booked_tour.ambassador, phone=True)
    page.goto(f"/tours/{booked_tour.tour.id}/presence")
    expect(page.get_by_role("heading", name="Présence", exact=True)).to_be_visible()
    assert_accessible(page, "presence sheet")
    assert_fits_phone(page, "presence sheet")
    absent = page.get_by_role("button", name="Absent : Léa Dubois")
    box = absent.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 120, box
    absent.click()
    expect(page.get_by_role("button", name="Absent : Léa Dubois")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Présent : Participant 2").click()
    expect(page.get_by_role("button", name="Présent : Participant 2")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".ob-summary")).to_contain_text("1 présent, 1 absent, 1 à relever sur 3")
    assert_accessible(page, "presence sheet after marking")
    screenshot(page, "presence-phone")


def test_moving_bookings_on_the_bookings_page(booked_tour, open_as):
    """A move that does not fit is refused in French, one that fits is made; axe finds nothing serious."""
    from playwright.sync_api import expect

    pair = booked_tour.book(2, ["Léa Dubois"], reduced_mobility=True)
    single = booked_tour.book(1, prescriber=booked_tour.other_prescriber)
    booked_tour.book(2)  # bus 2: 1 seat left
    booked_tour.book(3)  # waits
    page = open_as(booked_tour.organiser)
    page.goto(f"/tours/{booked_tour.tour.id}/inscriptions")
    expect(page.get_by_role("heading", name="Inscriptions", exact=True)).to_be_visible()
    assert_accessible(page, "bookings page")
    page.get_by_label(f"Car pour l'inscription n°{pair.id}").select_option(label="Car 2")
    page.get_by_role("button", name=f"Déplacer l'inscription n°{pair.id}").click()
    expect(page.get_by_role("alert")).to_contain_text("Car 2 n'a pas la place : 2 places demandées, 1 place libre")
    assert_accessible(page, "bookings page with a refusal")
    page.get_by_label(f"Car pour l'inscription n°{single.id}").select_option(label="Car 2")
    page.get_by_role("button", name=f"Déplacer l'inscription n°{single.id}").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Inscription n°{single.id} (Karim Haddad, France Travail Vénissieux) déplacée dans Car 2."
    )
    second = booked_tour.tour.buses[1]
    expect(page.locator(f"section[aria-labelledby='car-{second.id}'] #reservation-{single.id}")).to_be_visible()
    screenshot(page, "organiser-bookings")
