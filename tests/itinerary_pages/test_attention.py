"""A company's decline shows at once everywhere; the organiser's home says what needs attention; the road book
serves the day (contacts, passengers, lunch place)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.itinerary_pages.test_itinerary_pages import optimise, stops_of, text_of
from tests.sql_statements import sql_statements
from tourplanner.accounts.enums import Role
from tourplanner.bookings import operations as bookings
from tourplanner.extensions import db
from tourplanner.sites.models import Site
from tourplanner.tours import attention, catalogue, visits
from tourplanner.tours.assignments import assign_ambassador
from tourplanner.tours.models import Stop, Tour
from tourplanner.tours.operations import publish_tour


def published_and_optimised(client, planned, sign_in):
    """The planned tour optimised through the page, then published."""
    sign_in(planned.organiser)
    optimise(client, planned)
    publish_tour(planned.tour, planned.organiser)
    db.session.commit()
    return planned.tour


def book(tour: Tour, prescriber, seats: int = 2, names=(), reduced_mobility: bool = False):
    """A prescriber's booking through the domain, committed."""
    participants = [
        bookings.ParticipantDetails(name, None, reduced_mobility and i == 0) for i, name in enumerate(names)
    ]
    outcome = bookings.book_seats(tour, prescriber, bookings.BookingRequest(seats=seats, participants=participants))
    db.session.commit()
    return outcome.booking


def decline_first_stop(tour: Tour, make_user, reason: str = "Inventaire annuel ce jour-là") -> Stop:
    """The company of the tour's first stop declines its visit."""
    stop = stops_of(tour)[0]
    contact = make_user(Role.COMPANY, organisation=stop.slot.site.organisation.name)
    visits.decline_visit(visits.visit_for(contact, stop.id), contact, reason)
    db.session.commit()
    return stop


def test_a_decline_shows_at_once_everywhere(client, planned_tour, make_user, sign_in):
    """Itinerary page and road book mark the visit « annulée par l'entreprise » with its reason; the prescriber's
    programme no longer announces it; the organiser's home shows it with a one-click re-optimisation."""
    tour = published_and_optimised(client, planned_tour, sign_in)
    prescriber = make_user(Role.PRESCRIBER)
    booking = book(tour, prescriber, names=["Léa Martin"])
    stop = decline_first_stop(tour, make_user)
    site = stop.slot.site.name
    assert any(s.site == site for plan in catalogue.booking_view(booking).plans for s in plan.stops) is False

    sign_in(planned_tour.organiser)
    page = text_of(client.get(f"/tours/{tour.id}/itineraire"))
    assert "annulée par l'entreprise" in page and "Inventaire annuel ce jour-là" in page
    assert f'action="/tours/{tour.id}/itineraire/reoptimiser"' in page
    road_book = text_of(client.get(f"/tours/{tour.id}/feuille-de-route"))
    assert "annulée par l'entreprise" in road_book and "Inventaire annuel ce jour-là" in road_book

    home = text_of(client.get("/"))
    assert "Visite annulée par l'entreprise" in home and site in home and "Inventaire annuel ce jour-là" in home
    form = re.search(
        rf'<form method="post" action="/tours/{tour.id}/itineraire/reoptimiser"[^>]*>(.*?)</form>', home, re.S
    )
    assert form is not None and "Ré-optimiser" in form.group(1)

    response = client.post(f"/tours/{tour.id}/itineraire/reoptimiser")
    assert response.status_code == 302
    assert stop.slot_id not in {s.slot_id for s in stops_of(tour)}
    home = text_of(client.get("/"))
    assert "Visite annulée par l'entreprise" not in home and "Itinéraire à ré-optimiser" not in home


def test_the_prescriber_s_my_bookings_page_drops_the_declined_visit(client, planned_tour, make_user, sign_in):
    """« Mes inscriptions » and the catalogue's companies visited leave out the declined visit, at once."""
    tour = published_and_optimised(client, planned_tour, sign_in)
    prescriber = make_user(Role.PRESCRIBER)
    booking = book(tour, prescriber)
    bus_stops = [s for s in stops_of(tour) if s.bus_id == booking.bus_id]
    sign_in(prescriber)
    before = text_of(client.get("/mes-inscriptions"))
    declined_site = bus_stops[0].slot.site
    assert declined_site.address in before
    assert f"({declined_site.name})" in text_of(client.get("/inscriptions/tours"))
    contact = make_user(Role.COMPANY, organisation=declined_site.organisation.name)
    visits.decline_visit(visits.visit_for(contact, bus_stops[0].id), contact, None)
    db.session.commit()
    after = text_of(client.get("/mes-inscriptions"))
    assert declined_site.address not in after
    assert f"({declined_site.name})" not in text_of(client.get("/inscriptions/tours"))  # « Entreprises visitées »


def test_reoptimise_needs_its_csrf_token(app, client, planned_tour, make_user, sign_in):
    """The one-click re-optimisation is a POST form with CSRF: without the token nothing is recomputed."""
    tour = published_and_optimised(client, planned_tour, sign_in)
    decline_first_stop(tour, make_user)
    sign_in(planned_tour.organiser)
    app.config["WTF_CSRF_ENABLED"] = True
    home = text_of(client.get("/"))
    form = re.search(
        rf'<form method="post" action="/tours/{tour.id}/itineraire/reoptimiser"[^>]*>(.*?)</form>', home, re.S
    )
    assert form is not None and 'name="csrf_token"' in form.group(1)
    before = [s.slot_id for s in stops_of(tour)]
    client.post(f"/tours/{tour.id}/itineraire/reoptimiser")
    assert [s.slot_id for s in stops_of(tour)] == before


def test_home_lists_each_concern_per_tour(client, planned_tour, make_user, sign_in):
    """Waiting list, under the minimum before go/no-go, buses without an ambassador, reduced mobility on a
    bus visiting a non-accessible site: each is listed for the tour concerned."""
    tour = published_and_optimised(client, planned_tour, sign_in)
    tour.min_participants = 30
    tour.go_no_go_at = tour.start_at - timedelta(days=3)
    assign_ambassador(tour, make_user(Role.AMBASSADOR, name="Karim Haddad").email, 0, planned_tour.organiser)
    for site in db.session.scalars(select(Site)):
        site.is_accessible = False
    db.session.commit()
    prescriber = make_user(Role.PRESCRIBER, name="Paula Prescriptrice")
    rm_booking = book(tour, prescriber, seats=2, names=["Marc Roux"], reduced_mobility=True)
    book(tour, prescriber, seats=20)
    book(tour, prescriber, seats=20)  # 42 seats asked of 40: the last waits

    found = attention.tours_needing_attention(planned_tour.organiser)
    assert [a.tour.id for a in found] == [tour.id]
    item = found[0]
    assert item.seats_waitlisted == 20
    assert item.below_minimum is not None and (item.below_minimum.confirmed, item.below_minimum.minimum) == (22, 30)
    assert item.buses_without_ambassador == ["Car 2"]
    assert [r.booking_id for r in item.reduced_mobility] == [rm_booking.id]
    assert item.reduced_mobility[0].sites

    sign_in(planned_tour.organiser)
    home = text_of(client.get("/"))
    for words in (
        "Liste d'attente",
        "Sous le minimum",
        "Sans ambassadeur",
        "Car 2",
        "Mobilité réduite",
        f"n°{rm_booking.id}",
    ):
        assert words in home, words


def test_a_tour_without_concern_is_not_listed(client, planned_tour, make_user, sign_in):
    """A published tour with an ambassador per bus, no waiting list and no decline needs nothing."""
    tour = published_and_optimised(client, planned_tour, sign_in)
    for index in (0, 1):
        assign_ambassador(tour, make_user(Role.AMBASSADOR).email, index, planned_tour.organiser)
    db.session.commit()
    assert attention.tours_needing_attention(planned_tour.organiser) == []
    assert "Rien à signaler" in text_of(client.get("/"))


def test_attention_takes_a_constant_number_of_statements(client, planned_tour, make_tour, make_user, sign_in):
    """One tour or five: the same number of SQL statements."""
    published_and_optimised(client, planned_tour, sign_in)

    def statements() -> int:
        db.session.expire_all()
        with sql_statements(db.engine) as sent:
            attention.tours_needing_attention(planned_tour.organiser)
        return len(sent)

    one = statements()
    for _ in range(4):
        make_tour(published=True, organiser=planned_tour.organiser, bus_seats=[20, 20])
    assert statements() == one


def test_booking_tells_the_prescriber_of_a_non_accessible_site(client, planned_tour, make_user, sign_in):
    """A prescriber booking a person of reduced mobility onto a bus visiting a non-accessible site is told so."""
    tour = published_and_optimised(client, planned_tour, sign_in)
    for site in db.session.scalars(select(Site)):
        site.is_accessible = False
    db.session.commit()
    prescriber = make_user(Role.PRESCRIBER)
    sign_in(prescriber)
    page = text_of(client.get(f"/tours/{tour.id}/inscrire"))
    token = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="idempotency_key"', page
    )
    data = {"seats": "1", "participants-0-name": "Marc Roux", "participants-0-reduced_mobility": "y"}
    if token:
        data["idempotency_key"] = token.group(1)
    response = client.post(f"/tours/{tour.id}/inscrire", data=data, follow_redirects=True)
    assert "personne à mobilité réduite" in text_of(response) and "non accessible" in text_of(response)


def test_the_road_book_serves_the_day(client, planned_tour, make_user, sign_in):
    """Each site's contact and phone, the lunch place, and per bus the passengers with their pickup point and
    reduced-mobility needs — for the crew; a prescriber's road book names no other prescriber's people."""
    tour = published_and_optimised(client, planned_tour, sign_in)
    first = stops_of(tour)[0].slot.site
    first.contact_name, first.contact_phone = "Joëlle Ferrand", "06 12 34 56 78"
    tour.lunch_place = "Restaurant Le Relais, 5 rue du Lac, Meyzieu"
    db.session.commit()
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber, seats=3, names=["Léa Martin", "Marc Roux"], reduced_mobility=True)

    sign_in(planned_tour.organiser)
    page = text_of(client.get(f"/tours/{tour.id}/feuille-de-route"))
    assert "Joëlle Ferrand" in page and 'href="tel:0612345678"' in page
    assert "Restaurant Le Relais, 5 rue du Lac, Meyzieu" in page
    assert "Léa Martin" in page and "Marc Roux" in page and "1 personne sans nom" in page
    assert "au rendez-vous" in page

    sign_in(prescriber)
    mine = text_of(client.get(f"/tours/{tour.id}/feuille-de-route"))
    assert mine.count("Passagers du") == 0 and "Léa Martin" not in mine
