"""Quotas per organisation or kind of organisation, until their release date."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import future, tour_body
from tourplanner.accounts.enums import OrganisationKind
from tourplanner.db import utcnow
from tourplanner.tours.details import Quota


def _organisation_id(api) -> int:
    return api.user.organisation_id


def test_an_organisation_cannot_go_over_its_quota_before_release(make_tour, prescriber_of, book, booked) -> None:
    """Before the release date, a booking that would take the organisation over its quota is refused with 409."""
    lyon = prescriber_of("Mission locale de Lyon")
    tour = make_tour(
        published=True,
        bus_seats=[20],
        quotas=[Quota(3, organisation_id=_organisation_id(lyon), released_at=future(20))],
    )
    booked(lyon, tour.id, 2)
    response = book(lyon, tour.id, 2)
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["detail"].startswith("quota de l'organisation atteint jusqu'au ")
    assert "il en reste 1" in problem["detail"]
    assert booked(lyon, tour.id, 1)["status"] == "confirmed"  # exactly up to the quota


def test_a_colleague_counts_against_the_same_organisation_quota(make_tour, prescriber_of, book, booked) -> None:
    """The quota is the organisation's: two prescribers of it share it."""
    first = prescriber_of("Mission locale de Vienne")
    second = prescriber_of("Mission locale de Vienne")
    tour = make_tour(published=True, quotas=[Quota(4, organisation_id=_organisation_id(first))])
    booked(first, tour.id, 3)
    response = book(second, tour.id, 2)
    assert response.status_code == 409
    assert "jusqu'à la clôture des inscriptions" in response.get_json()["detail"]


def test_quotas_only_limit_the_organisations_they_name(make_tour, prescriber_of, booked) -> None:
    """An organisation without a quota (nor its kind) books as many seats as fit."""
    limited = prescriber_of("Mission locale de Givors")
    free = prescriber_of("Agence France Travail Vénissieux", OrganisationKind.FRANCE_TRAVAIL)
    tour = make_tour(published=True, bus_seats=[20], quotas=[Quota(1, organisation_id=_organisation_id(limited))])
    assert booked(free, tour.id, 10)["status"] == "confirmed"
    assert booked(free, tour.id, 5)["status"] == "confirmed"


def test_waiting_seats_count_against_the_quota(make_tour, prescriber_of, book, booked) -> None:
    """Seats on the waiting list are held too: they cannot be used to get round the quota."""
    lyon = prescriber_of("Mission locale de Lyon 7e")
    tour = make_tour(published=True, bus_seats=[2], quotas=[Quota(4, organisation_id=_organisation_id(lyon))])
    booked(lyon, tour.id, 2)
    assert booked(lyon, tour.id, 2)["status"] == "waitlisted"
    assert book(lyon, tour.id, 1).status_code == 409


def test_cancelling_frees_room_under_the_quota(make_tour, prescriber_of, book, booked) -> None:
    """A cancelled booking holds no seats: the organisation may book again up to its quota."""
    lyon = prescriber_of("Mission locale de Lyon 8e")
    tour = make_tour(published=True, quotas=[Quota(2, organisation_id=_organisation_id(lyon))])
    first = booked(lyon, tour.id, 2)
    assert book(lyon, tour.id, 1).status_code == 409
    assert lyon.delete(f"/bookings/{first['id']}").status_code == 200
    assert booked(lyon, tour.id, 2)["status"] == "confirmed"


def test_an_organisation_quota_no_longer_applies_after_its_release(make_tour, prescriber_of, booked) -> None:
    """Once the release date has passed, the organisation books beyond its quota."""
    lyon = prescriber_of("Mission locale de Lyon 9e")
    tour = make_tour(
        published=True,
        bus_seats=[20],
        quotas=[Quota(1, organisation_id=_organisation_id(lyon), released_at=utcnow() - timedelta(minutes=1))],
    )
    assert booked(lyon, tour.id, 5)["status"] == "confirmed"


def test_a_kind_quota_limits_all_its_organisations_together(make_tour, prescriber_of, book, booked) -> None:
    """A quota on a kind is shared by every organisation of that kind; other kinds are not limited."""
    lyon = prescriber_of("Mission locale de Lyon Sud")
    vienne = prescriber_of("Mission locale de Vienne Nord")
    agency = prescriber_of("Agence France Travail Bron", OrganisationKind.FRANCE_TRAVAIL)
    tour = make_tour(
        published=True,
        bus_seats=[30],
        quotas=[Quota(4, organisation_kind=OrganisationKind.MISSION_LOCALE, released_at=future(20))],
    )
    booked(lyon, tour.id, 3)
    response = book(vienne, tour.id, 2)
    assert response.status_code == 409
    assert response.get_json()["detail"].startswith("quota des organisations « Mission locale » atteint jusqu'au ")
    assert booked(vienne, tour.id, 1)["status"] == "confirmed"
    assert booked(agency, tour.id, 10)["status"] == "confirmed"


def test_a_kind_quota_no_longer_applies_after_its_release(make_tour, prescriber_of, booked) -> None:
    """Once a kind's quota is released, its organisations book like anyone."""
    lyon = prescriber_of("Mission locale de Lyon Est")
    tour = make_tour(
        published=True,
        bus_seats=[20],
        quotas=[
            Quota(1, organisation_kind=OrganisationKind.MISSION_LOCALE, released_at=utcnow() - timedelta(minutes=1)),
        ],
    )
    assert booked(lyon, tour.id, 6)["status"] == "confirmed"


def test_the_organisation_and_its_kind_quotas_both_apply(make_tour, prescriber_of, book, booked) -> None:
    """An organisation under its own quota is still held by its kind's quota."""
    lyon = prescriber_of("Mission locale de Lyon Ouest")
    other = prescriber_of("Mission locale de Villeurbanne")
    tour = make_tour(
        published=True,
        bus_seats=[30],
        quotas=[
            Quota(10, organisation_id=_organisation_id(lyon)),
            Quota(5, organisation_kind=OrganisationKind.MISSION_LOCALE),
        ],
    )
    booked(other, tour.id, 4)
    response = book(lyon, tour.id, 2)
    assert response.status_code == 409
    assert "Mission locale" in response.get_json()["detail"]


def test_quotas_are_set_and_shown_through_the_api(api_as, prescriber_of) -> None:
    """A tour body's quotas are stored and shown in the tour, times with their offset."""
    lyon = prescriber_of("Mission locale de Lyon Centre")
    organiser = api_as()
    released = future(20, 9, 0)
    body = tour_body(
        quotas=[
            {"organisation_id": _organisation_id(lyon), "seats": 6, "released_at": released.isoformat()},
            {"organisation_kind": "france_travail", "seats": 8},
        ]
    )
    response = organiser.post("/tours", json=body)
    assert response.status_code == 201, response.get_json()
    quotas = response.get_json()["quotas"]
    assert [(q["organisation_id"], q["organisation_kind"], q["seats"]) for q in quotas] == [
        (_organisation_id(lyon), None, 6),
        (None, "france_travail", 8),
    ]
    assert datetime.fromisoformat(quotas[0]["released_at"]) == released and quotas[1]["released_at"] is None
