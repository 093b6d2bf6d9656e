"""Read queries that serve one role check their reader themselves, without any route."""

from __future__ import annotations

import pytest

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.operations import get_or_create_organisation
from tourplanner.bookings.operations import BookingRequest, book_seats
from tourplanner.errors import NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.tours.assignments import assign_ambassador
from tourplanner.tours.attention import tours_needing_attention
from tourplanner.tours.catalogue import my_booking, my_bookings, tour_to_book
from tourplanner.tours.enums import TourKind
from tourplanner.tours.queries import reverse_visit_for_host, reverse_visits_to_come
from tourplanner.tours.road_book import itinerary_tour, road_book_for


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.PRESCRIBER, Role.AMBASSADOR])
def test_the_reverse_visits_list_is_for_company_contacts(make_user, role: Role) -> None:
    """reverse_visits_to_come refuses anyone but a company contact, who gets a list."""
    with pytest.raises(PermissionDenied):
        reverse_visits_to_come(make_user(role))
    assert reverse_visits_to_come(make_user(Role.COMPANY)) == []


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COMPANY, Role.AMBASSADOR])
def test_my_bookings_is_for_prescribers(make_user, role: Role) -> None:
    """my_bookings refuses anyone but a prescriber, who gets their (here empty) bookings."""
    with pytest.raises(PermissionDenied):
        my_bookings(make_user(role))
    mine = my_bookings(make_user(Role.PRESCRIBER))
    assert (mine.upcoming, mine.past) == ([], [])


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COMPANY, Role.AMBASSADOR])
def test_the_tour_to_book_is_for_prescribers(make_tour, make_user, role: Role) -> None:
    """tour_to_book refuses anyone but a prescriber, who gets the published tour (a draft stays unknown)."""
    tour = make_tour(published=True)
    with pytest.raises(PermissionDenied):
        tour_to_book(make_user(role), tour.id)
    prescriber = make_user(Role.PRESCRIBER)
    assert tour_to_book(prescriber, tour.id) is tour
    draft = make_tour()
    with pytest.raises(NotFound):
        tour_to_book(prescriber, draft.id)


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COMPANY, Role.AMBASSADOR])
def test_my_booking_is_for_its_prescriber(make_tour, make_user, role: Role) -> None:
    """my_booking refuses anyone but a prescriber, and a prescriber anyone's booking but their own."""
    tour = make_tour(published=True)
    prescriber = make_user(Role.PRESCRIBER)
    booking = book_seats(tour, prescriber, BookingRequest(seats=1)).booking
    db.session.commit()
    with pytest.raises(PermissionDenied):
        my_booking(make_user(role), booking.id)
    with pytest.raises(NotFound):
        my_booking(make_user(Role.PRESCRIBER), booking.id)
    assert my_booking(prescriber, booking.id) is booking


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_what_needs_attention_is_for_organisers(make_tour, make_user, role: Role) -> None:
    """tours_needing_attention lists a managed tour's troubles to its organiser (here a bus without an ambassador)
    and nothing to another role, even one of the same organisation."""
    organiser = make_user(Role.ORGANISER)
    tour = make_tour(published=True, organiser=organiser)
    assert [item.tour.id for item in tours_needing_attention(organiser)] == [tour.id]
    assert tours_needing_attention(make_user(role, organisation=organiser.organisation.name)) == []


def test_the_road_book_is_for_the_tour_and_its_names_for_the_crew(make_tour, make_user) -> None:
    """road_book_for refuses a prescriber without a booking on the tour and an ambassador not on it; a booked
    prescriber reads it without the passengers' names; the organiser and the tour's ambassador are its crew."""
    organiser = make_user(Role.ORGANISER)
    tour = make_tour(published=True, organiser=organiser)
    booked, ambassador = make_user(Role.PRESCRIBER), make_user(Role.AMBASSADOR)
    book_seats(tour, booked, BookingRequest(seats=1))
    assign_ambassador(tour, ambassador.email, 0, organiser)
    db.session.commit()
    for outsider in (make_user(Role.PRESCRIBER), make_user(Role.AMBASSADOR), make_user(Role.COMPANY)):
        with pytest.raises(PermissionDenied):
            road_book_for(outsider, tour.id)
    assert road_book_for(booked, tour.id).is_crew is False
    assert road_book_for(organiser, tour.id).is_crew is True
    reader = road_book_for(ambassador, tour.id)
    assert reader.is_crew is True
    assert reader.my_bus_ids == {tour.buses[0].id}


def test_who_comes_to_a_reverse_visit_is_for_its_host_and_organisers(make_tour, make_user) -> None:
    """reverse_visit_for_host refuses a prescriber and another structure's people; the host structure's people and
    the managing organiser get the tour."""
    host = get_or_create_organisation("Tremplin Est", OrganisationKind.SIAE)
    db.session.commit()
    organiser = make_user(Role.ORGANISER)
    tour = make_tour(published=True, organiser=organiser, kind=TourKind.SIAE_VISIT, host_organisation_id=host.id)
    for outsider in (make_user(Role.PRESCRIBER), make_user(Role.COMPANY)):
        with pytest.raises(PermissionDenied):
            reverse_visit_for_host(outsider, tour.id)
    assert reverse_visit_for_host(make_user(Role.PRESCRIBER, organisation="Tremplin Est"), tour.id) is tour
    assert reverse_visit_for_host(organiser, tour.id) is tour


def test_the_itinerary_is_for_organisers_booked_prescribers_and_ambassadors(make_tour, make_user) -> None:
    """itinerary_tour refuses a prescriber without a live booking and a company contact; a booked prescriber and the
    managing organiser get the tour; an unknown id is 404."""
    organiser = make_user(Role.ORGANISER)
    tour = make_tour(published=True, organiser=organiser)
    booked = make_user(Role.PRESCRIBER)
    book_seats(tour, booked, BookingRequest(seats=1))
    db.session.commit()
    for outsider in (make_user(Role.PRESCRIBER), make_user(Role.COMPANY)):
        with pytest.raises(PermissionDenied):
            itinerary_tour(outsider, tour.id)
    assert itinerary_tour(booked, tour.id) is tour
    assert itinerary_tour(organiser, tour.id) is tour
    with pytest.raises(NotFound):
        itinerary_tour(organiser, tour.id + 1000)
