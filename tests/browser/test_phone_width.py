"""Every main page of each role fits a 360 px wide phone: no sideways scrolling, with realistic data."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from tests.browser.helpers import screenshot
from tests.conftest import login_path
from tests.itinerary_pages.conftest import planned_tour  # noqa: F401  (fixture)
from tourplanner.accounts.enums import Role
from tourplanner.bookings import operations as bookings
from tourplanner.extensions import db
from tourplanner.sites import series as series_ops
from tourplanner.tours import itinerary, visits
from tourplanner.tours.assignments import assign_ambassador
from tourplanner.tours.operations import publish_tour

pytestmark = pytest.mark.browser

#: The narrowest phones still common.
WIDTH = 360


@pytest.fixture
def busy_tour(planned_tour, make_user):  # noqa: F811
    """The planned tour optimised, published, staffed, booked (long names, a waiting list), a visit declined."""
    tour, organiser = planned_tour.tour, planned_tour.organiser
    itinerary.set_candidates(tour, [slot.id for slot in planned_tour.slots], organiser)
    itinerary.optimise_tour(tour, organiser)
    publish_tour(tour, organiser)
    ambassador = make_user(Role.AMBASSADOR, name="Karim Haddad-Boulanger")
    assign_ambassador(tour, ambassador.email, 0, organiser)
    db.session.commit()
    prescriber = make_user(
        Role.PRESCRIBER,
        name="Paula Prescriptrice-Vasseur",
        organisation="France Travail Vénissieux – agence des Minguettes",
    )
    names = ["Marie-Christine Dupont-Lefebvre", "Jean-Baptiste Martin-Rousseau", "Léa Girard"]
    participants = [
        bookings.ParticipantDetails(name, f"{i}.participant.long@example-agence.fr", i == 0)
        for i, name in enumerate(names)
    ]
    bookings.book_seats(tour, prescriber, bookings.BookingRequest(seats=3, participants=participants))
    bookings.book_seats(tour, prescriber, bookings.BookingRequest(seats=18))
    bookings.book_seats(tour, prescriber, bookings.BookingRequest(seats=18))
    bookings.book_seats(tour, prescriber, bookings.BookingRequest(seats=5))  # waits
    db.session.commit()
    stop = tour.buses[0].stops[0]
    contact = make_user(Role.COMPANY, name="Alice Martin", organisation=stop.slot.site.organisation.name)
    visits.decline_visit(
        visits.visit_for(contact, stop.id), contact, "Inventaire annuel, atelier fermé toute la journée"
    )
    start = date.today() + timedelta(days=14)
    series, _ = series_ops.create_series(
        series_ops.SeriesDetails(
            site_id=stop.slot.site_id,
            rrule="FREQ=WEEKLY;BYDAY=TU,TH",
            start_time=time(9),
            end_time=time(12),
            starts_on=start,
            ends_on=start + timedelta(weeks=6),
            visit_minutes=90,
            max_visitors=20,
        ),
        contact,
    )
    db.session.commit()
    booking = tour.bookings[0]
    return {
        Role.ORGANISER: (
            organiser,
            [
                "/",
                "/tours",
                f"/tours/{tour.id}",
                f"/tours/{tour.id}/itineraire",
                f"/tours/{tour.id}/feuille-de-route",
                f"/tours/{tour.id}/inscriptions",
                f"/tours/{tour.id}/ambassadeurs",
                f"/tours/{tour.id}/presence",
                f"/tours/{tour.id}/inscriptions/{booking.id}/annuler",
                "/tours/nouveau",
                f"/tours/{tour.id}/modifier",
                "/organisateur/creneaux",
                "/organisateur/absences",
            ],
        ),
        Role.PRESCRIBER: (
            prescriber,
            [
                "/",
                "/inscriptions/tours",
                f"/tours/{tour.id}",
                f"/tours/{tour.id}/inscrire",
                "/mes-inscriptions",
                "/mon-agenda",
                f"/tours/{tour.id}/feuille-de-route",
            ],
        ),
        Role.COMPANY: (
            contact,
            [
                "/",
                "/entreprise",
                f"/entreprise/sites/{stop.slot.site_id}",
                "/entreprise/sites/nouveau",
                f"/entreprise/sites/{stop.slot.site_id}/modifier",
                "/entreprise/visites",
                f"/entreprise/series/{series.id}",
            ],
        ),
        Role.AMBASSADOR: (ambassador, ["/", "/ambassadeur", f"/tours/{tour.id}", f"/tours/{tour.id}/feuille-de-route"]),
    }


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_main_pages_fit_a_360px_screen(browser, live_server, busy_tour, role):
    """document.scrollingElement.scrollWidth stays within 360 px on each main page of the role."""
    user, paths = busy_tour[role]
    context = browser.new_context(
        base_url=live_server, viewport={"width": WIDTH, "height": 780}, locale="fr-FR", timezone_id="Europe/Paris"
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(login_path(user))
        page.get_by_role("button", name="Me connecter").click()
        page.wait_for_url(live_server + "/")
        too_wide = []
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            screenshot(page, f"w360-{role.value}-{path.strip('/').replace('/', '-') or 'home'}")
            if width > WIDTH:
                too_wide.append(f"{path}: {width}px")
        assert not too_wide, f"wider than {WIDTH}px as {role.value}: {too_wide}"
    finally:
        context.close()
