"""Territories in the API: an organiser manages their own organisation's tours, not another territory's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import tour_body
from tests.territory.conftest import TODAY
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.extensions import db


def test_other_territory_reads_no_bookings_nor_participants_emails(territories, api_as):
    """Saint-Étienne's organiser gets 403 on the Lyon tour's bookings and 404 on each Lyon booking."""
    t = territories
    other = api_as(t.saint_etienne)
    listing = other.get(f"/tours/{t.lyon_tour.id}/bookings")
    assert listing.status_code == 403
    assert listing.mimetype == "application/problem+json"
    assert "ines.garnier" not in listing.get_data(as_text=True)
    assert other.get(f"/bookings/{t.lyon_booking.id}").status_code == 404
    own = api_as(t.lyon).get(f"/tours/{t.lyon_tour.id}/bookings")
    assert own.status_code == 200
    assert "ines.garnier@example.fr" in own.get_data(as_text=True)
    assert api_as(t.lyon).get(f"/bookings/{t.lyon_booking.id}").status_code == 200


def test_other_territory_cannot_cancel_a_booking(territories, api_as):
    """DELETE of another territory's booking is 404 and leaves it confirmed; its own organiser may cancel it."""
    t = territories
    assert api_as(t.saint_etienne).delete(f"/bookings/{t.lyon_booking.id}").status_code == 404
    db.session.refresh(t.lyon_booking)
    assert t.lyon_booking.status is BookingStatus.CONFIRMED
    answer = api_as(t.lyon).delete(f"/bookings/{t.lyon_booking.id}")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "cancelled"


@pytest.mark.parametrize(
    "call",
    [
        lambda api, tour_id: api.put(f"/tours/{tour_id}", json=tour_body()),
        lambda api, tour_id: api.post(f"/tours/{tour_id}/cancel", json={"reason": "test"}),
        lambda api, tour_id: api.post(f"/tours/{tour_id}/candidates", json={"slot_ids": []}),
        lambda api, tour_id: api.post(f"/tours/{tour_id}/optimise", json={}),
        lambda api, tour_id: api.post(f"/tours/{tour_id}/locks", json={"slot_id": 1, "locked": True}),
        lambda api, tour_id: api.get(f"/tours/{tour_id}/itinerary"),
        lambda api, tour_id: api.get(f"/tours/{tour_id}/attendance"),
        lambda api, tour_id: api.get(f"/tours/{tour_id}/ambassadors"),
        lambda api, tour_id: api.post(f"/tours/{tour_id}/ambassadors", json={"email": "x@example.fr", "bus": 0}),
    ],
    ids=["edit", "cancel", "candidates", "optimise", "lock", "itinerary", "attendance", "ambassadors", "assign"],
)
def test_other_territory_may_not_manage_a_published_tour(territories, api_as, call):
    """Every management call on another territory's published tour is 403, and changes nothing."""
    t = territories
    title = t.lyon_tour.title
    answer = call(api_as(t.saint_etienne), t.lyon_tour.id)
    assert answer.status_code == 403, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    db.session.refresh(t.lyon_tour)
    assert t.lyon_tour.title == title
    assert t.lyon_tour.status.value == "published"


def test_other_territory_draft_is_private(territories, api_as):
    """Another territory's draft is 404 to read, publish or list; its own organisers see and publish it."""
    t = territories
    other = api_as(t.saint_etienne)
    assert other.get(f"/tours/{t.lyon_draft.id}").status_code == 404
    assert other.post(f"/tours/{t.lyon_draft.id}/publish").status_code == 404
    listed = {tour["id"] for tour in other.get("/tours").get_json()["tours"]}
    assert t.lyon_draft.id not in listed
    assert t.lyon_tour.id in listed  # a published tour is everyone's to read
    lyon = api_as(t.lyon)
    assert t.lyon_draft.id in {tour["id"] for tour in lyon.get("/tours").get_json()["tours"]}
    assert lyon.post(f"/tours/{t.lyon_draft.id}/publish").status_code == 200


def test_other_territory_cannot_record_attendance(territories, api_as):
    """Recording a Lyon participant's attendance is 403 for Saint-Étienne's organiser."""
    t = territories
    participant = t.lyon_booking.participants[0]
    body = {"attendance": "present"}
    assert api_as(t.saint_etienne).post(f"/participants/{participant.id}/attendance", json=body).status_code == 403
    db.session.refresh(participant)
    assert participant.attendance is None


def test_bilan_counts_only_the_organisers_territory(territories, api_as):
    """GET /bilan counts the organiser's own tours: one action each, each with its own participants."""
    t = territories
    day = (TODAY + timedelta(days=30)).date().isoformat()
    query = f"/bilan?from={day}&to={day}"
    lyon = api_as(t.lyon).get(query).get_json()
    saint_etienne = api_as(t.saint_etienne).get(query).get_json()
    assert (lyon["actions"], lyon["participants"]) == (1, 2)
    assert (saint_etienne["actions"], saint_etienne["participants"]) == (1, 3)
    newcomer = api_as(Role.ORGANISER, organisation="Nouveau territoire").get(query).get_json()
    assert (newcomer["actions"], newcomer["participants"]) == (0, 0)


def test_organiser_without_organisation_manages_tours_of_organisers_without_one(territories, api_as, make_user):
    """An organiser made without an organisation manages their own tour through the API, not Lyon's."""
    t = territories
    loner = api_as(make_user(Role.ORGANISER, organisation=""))
    assert loner.user.organisation_id is None
    created = loner.post("/tours", json=tour_body())
    assert created.status_code == 201
    tour_id = created.get_json()["id"]
    assert loner.post(f"/tours/{tour_id}/publish").status_code == 200
    assert loner.get(f"/tours/{tour_id}/bookings").status_code == 200
    assert loner.get(f"/tours/{t.lyon_tour.id}/bookings").status_code == 403
    assert api_as(t.lyon).get(f"/tours/{tour_id}/bookings").status_code == 403
