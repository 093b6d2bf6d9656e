"""Tours through the API: create, publish, read, edit, cancel; permissions and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import future, tour_body
from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.tours.models import Tour


def test_organiser_creates_a_draft_tour_with_the_contract_body(api_as) -> None:
    """A body with exactly the contract's fields is complete; the tour is a draft ZI Tour."""
    response = api_as(Role.ORGANISER).post("/tours", json=tour_body())
    assert response.status_code == 201, response.get_json()
    tour = response.get_json()
    assert tour["status"] == "draft"
    assert tour["kind"] == "zi_tour"
    assert tour["seats_total"] == 20 and tour["seats_confirmed"] == 0 and tour["seats_waitlisted"] == 0
    assert tour["start"] == future(30, 8, 30).isoformat()
    assert tour["lunch"]["minutes"] == 60


def test_times_are_stored_in_utc_and_shown_in_paris_time(api_as, db) -> None:
    """A time sent with +01:00 is stored as UTC and answered with the Paris offset."""
    body = tour_body(
        start="2027-07-06T07:00:00+00:00",
        end="2027-07-06T15:00:00+00:00",
        booking_deadline="2027-07-01T10:00:00+00:00",
        lunch=None,
    )
    created = api_as(Role.ORGANISER).post("/tours", json=body).get_json()
    assert created["start"] == "2027-07-06T09:00:00+02:00"  # summer time in Paris
    tour = db.session.get(Tour, created["id"])
    assert tour.start_at.utcoffset().total_seconds() == 0 and tour.start_at.hour == 7


def test_publish_opens_bookings_and_is_recorded(api_as, db) -> None:
    """Publishing a draft makes it published; the audit trail says who did it."""
    api = api_as(Role.ORGANISER)
    tour_id = api.post("/tours", json=tour_body()).get_json()["id"]
    response = api.post(f"/tours/{tour_id}/publish")
    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == tour_id)).all()
    assert actions == ["tour.create", "tour.publish"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "tour.publish")).one()
    assert entry.actor_id == api.user.id


def test_publishing_twice_is_a_conflict(api_as) -> None:
    """Only a draft can be published: 409 problem."""
    api = api_as(Role.ORGANISER)
    tour_id = api.post("/tours", json=tour_body()).get_json()["id"]
    api.post(f"/tours/{tour_id}/publish")
    response = api.post(f"/tours/{tour_id}/publish")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 409


def test_publishing_after_the_deadline_is_a_conflict(make_tour, api_as, make_user) -> None:
    """A tour whose booking deadline has passed cannot open bookings."""
    organiser = make_user(Role.ORGANISER)
    tour = make_tour(organiser=organiser, booking_deadline=future(-1, 9), start=future(1, 9), end=future(1, 17))
    response = api_as(organiser).post(f"/tours/{tour.id}/publish")
    assert response.status_code == 409


def test_any_signed_in_user_reads_a_tour(api_as, make_tour) -> None:
    """GET /tours/{id} answers id, status and seats to every role."""
    tour = make_tour(published=True)
    for role in Role:
        body = api_as(role).get(f"/tours/{tour.id}").get_json()
        assert {"id", "status", "seats_total", "seats_confirmed", "seats_waitlisted"} <= body.keys()
        assert body["seats_total"] == 20


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_only_organisers_create_publish_edit_and_cancel(api_as, make_tour, role) -> None:
    """Other roles get 403 problem+json and change nothing."""
    tour = make_tour()
    api = api_as(role)
    for response in (
        api.post("/tours", json=tour_body()),
        api.post(f"/tours/{tour.id}/publish"),
        api.put(f"/tours/{tour.id}", json=tour_body()),
        api.post(f"/tours/{tour.id}/cancel", json={}),
    ):
        assert response.status_code == 403
        assert response.mimetype == "application/problem+json"
    assert api_as(Role.ORGANISER).get(f"/tours/{tour.id}").get_json()["status"] == "draft"


def test_no_token_or_a_bad_token_is_401(client, make_tour) -> None:
    """Without a valid bearer token: 401, never data."""
    tour = make_tour()
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get(f"/api/v1/tours/{tour.id}", headers=headers)
        assert response.status_code == 401
        assert "title" not in response.get_json() or response.get_json()["status"] == 401
        assert "seats_total" not in response.get_json()


def test_drafts_are_listed_for_organisers_only(api_as, make_tour) -> None:
    """GET /tours hides drafts from non-organisers."""
    draft = make_tour()
    published = make_tour(published=True)
    organiser_ids = {t["id"] for t in api_as(Role.ORGANISER).get("/tours").get_json()["tours"]}
    prescriber_ids = {t["id"] for t in api_as(Role.PRESCRIBER).get("/tours").get_json()["tours"]}
    assert {draft.id, published.id} <= organiser_ids
    assert published.id in prescriber_ids and draft.id not in prescriber_ids


def test_unknown_tour_is_404(api_as) -> None:
    """An unknown id is a 404 problem."""
    api = api_as(Role.ORGANISER)
    for response in (api.get("/tours/999999"), api.post("/tours/999999/publish")):
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"


def test_malformed_json_is_400(api_as, db) -> None:
    """An unreadable body is a 400 problem and nothing is written."""
    api = api_as(Role.ORGANISER)
    response = api.client.post(
        "/api/v1/tours", data="{not json", content_type="application/json", headers=api._headers()
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    text_body = api.client.post(
        "/api/v1/tours", data="title=x", content_type="application/x-www-form-urlencoded", headers=api._headers()
    )
    assert text_body.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(Tour)) == 0


def test_oversized_body_is_413(api_as) -> None:
    """A body beyond the limit is refused with a problem, not a 500."""
    api = api_as(Role.ORGANISER)
    response = api.post("/tours", json=tour_body(description="x" * 2_000_000))
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_wrong_types_name_every_faulty_field(api_as) -> None:
    """422 with errors naming each field: types, ranges, naive times, missing fields."""
    body = tour_body(
        title="",
        start="2027-03-09T09:00:00",
        end="demain",
        buses=[{"seats": 0}, {"seats": "x"}],
        meeting_point={"name": "Gare", "lat": 123, "lon": 4.8},
    )
    del body["booking_deadline"]
    response = api_as(Role.ORGANISER).post("/tours", json=body)
    assert response.status_code == 422
    problem = response.get_json()
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {
        "title",
        "start",
        "end",
        "buses.0.seats",
        "buses.1.seats",
        "meeting_point.lat",
        "booking_deadline",
    }
    assert all(error["message"] for error in problem["errors"])
    assert problem["status"] == 422 and problem["title"] and problem["detail"]


def test_rules_between_fields_name_the_field(api_as) -> None:
    """End before start, deadline after start, lunch outside the tour: 422 with those fields."""
    body = tour_body(
        end=future(30, 8, 0).isoformat(),
        booking_deadline=future(31, 9).isoformat(),
        lunch={"earliest": future(30, 7).isoformat(), "latest": future(30, 6).isoformat(), "minutes": 60},
    )
    response = api_as(Role.ORGANISER).post("/tours", json=body)
    assert response.status_code == 422
    fields = {error["field"] for error in response.get_json()["errors"]}
    assert {"end", "booking_deadline", "lunch.earliest", "lunch.latest"} <= fields


def test_a_json_array_body_is_400_not_500(api_as) -> None:
    """A JSON body that is not an object is unreadable: 400 « le corps doit être un objet JSON »."""
    response = api_as(Role.ORGANISER).post("/tours", json=[1, 2, 3])
    assert response.status_code == 400
    assert response.get_json()["detail"] == "le corps doit être un objet JSON"


def test_edit_replaces_the_details(api_as) -> None:
    """PUT changes title, times and buses; seats follow."""
    api = api_as(Role.ORGANISER)
    tour_id = api.post("/tours", json=tour_body()).get_json()["id"]
    response = api.put(
        f"/tours/{tour_id}", json=tour_body(title="ZI Tour Corbas", buses=[{"seats": 30}, {"seats": 19}])
    )
    assert response.status_code == 200
    tour = api.get(f"/tours/{tour_id}").get_json()
    assert tour["title"] == "ZI Tour Corbas" and tour["seats_total"] == 49 and len(tour["buses"]) == 2


def test_cancel_then_nothing_more(api_as) -> None:
    """A cancelled tour cannot be cancelled, published or edited again: 409."""
    api = api_as(Role.ORGANISER)
    tour_id = api.post("/tours", json=tour_body()).get_json()["id"]
    assert api.post(f"/tours/{tour_id}/cancel", json={"reason": "Car indisponible"}).get_json()["status"] == "cancelled"
    assert api.post(f"/tours/{tour_id}/cancel", json={}).status_code == 409
    assert api.post(f"/tours/{tour_id}/publish").status_code == 409
    assert api.put(f"/tours/{tour_id}", json=tour_body()).status_code == 409


def test_unknown_api_path_and_method_are_problems(api_as) -> None:
    """404 and 405 under /api are problem+json too."""
    api = api_as(Role.ORGANISER)
    assert api.get("/nothing-here").mimetype == "application/problem+json"
    response = api.client.delete("/api/v1/tours", headers=api._headers())
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_openapi_document_is_generated_from_the_routes(client) -> None:
    """GET /api/v1/openapi.json needs no token and describes the tour endpoints and bodies."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/tours" in document["paths"]
    assert "post" in document["paths"]["/api/v1/tours/{tour_id}/publish"]
    schemas = document["components"]["schemas"]
    tour_in = next(value for key, value in schemas.items() if key.startswith("TourIn"))
    assert {"title", "start", "end", "meeting_point", "buses", "booking_deadline"} <= set(tour_in["required"])
    assert not any(path.startswith("/tours") for path in document["paths"])  # pages are not API


def test_adding_seats_promotes_the_waiting_list(api_as, make_user) -> None:
    """Editing a tour to add a bus confirms waiting bookings at once, in order."""
    organiser = api_as(Role.ORGANISER)
    tour_id = organiser.post("/tours", json=tour_body(buses=[{"seats": 2}])).get_json()["id"]
    organiser.post(f"/tours/{tour_id}/publish")
    prescriber = api_as(Role.PRESCRIBER)
    first = prescriber.post(f"/tours/{tour_id}/bookings", json={"seats": 2}).get_json()
    waiting = prescriber.post(f"/tours/{tour_id}/bookings", json={"seats": 2}).get_json()
    assert (first["status"], waiting["status"]) == ("confirmed", "waitlisted")
    organiser.put(f"/tours/{tour_id}", json=tour_body(buses=[{"seats": 2}, {"seats": 2}]))
    assert prescriber.get(f"/bookings/{waiting['id']}").get_json()["status"] == "confirmed"
    tour = organiser.get(f"/tours/{tour_id}").get_json()
    assert (tour["seats_confirmed"], tour["seats_waitlisted"]) == (4, 0)


def test_numbers_beyond_the_database_are_422_or_404_not_500(api_as, make_tour) -> None:
    """A 20-digit id in a body is invalid input; in a path it matches nothing."""
    api = api_as(Role.ORGANISER)
    tour = make_tour()
    huge = 99999999999999999999
    response = api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [huge]})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert api.get(f"/tours/{huge}").status_code == 404
    assert api.post(f"/tours/{2**31}/publish").status_code == 404


def test_implausible_dates_are_422(api_as) -> None:
    """A tour in 1910 with a deadline in 1618 names the three fields instead of failing later."""
    body = tour_body(
        start="1910-07-27T04:45:24.72Z",
        end="1910-07-27T08:45:24.72Z",
        booking_deadline="1618-05-27T01:05:23Z",
        lunch=None,
    )
    response = api_as(Role.ORGANISER).post("/tours", json=body)
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"start", "end", "booking_deadline"}


@pytest.mark.parametrize("kind", ["zi_tour", "company_visit", "immersion", "siae_visit", "workshop", "meeting"])
def test_every_contract_kind_is_accepted(api_as, db, kind) -> None:
    """POST /tours accepts each of the contract's six kinds and keeps it."""
    response = api_as(Role.ORGANISER).post("/tours", json=tour_body(kind=kind))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["kind"] == kind
    db.session.expire_all()
    assert db.session.get(Tour, response.get_json()["id"]).kind.value == kind


def test_a_tour_without_kind_is_a_zi_tour(api_as) -> None:
    """Leaving `kind` out makes a ZI Tour."""
    body = tour_body()
    body.pop("kind", None)
    response = api_as(Role.ORGANISER).post("/tours", json=body)
    assert response.status_code == 201
    assert response.get_json()["kind"] == "zi_tour"
