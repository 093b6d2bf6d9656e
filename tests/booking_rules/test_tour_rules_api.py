"""The booking rules in a tour body: bad input is a 422 naming every faulty field; omitted rules are kept."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import future, tour_body


def _fields(response) -> set[str]:
    assert response.status_code == 422, response.get_json()
    return {e["field"] for e in response.get_json()["errors"]}


def test_every_faulty_rule_is_named(api_as) -> None:
    """Minimum without a date, a quota with two holders or an unknown organisation, a blank pickup name: each named."""
    organiser = api_as()
    response = organiser.post(
        "/tours",
        json=tour_body(
            min_participants=30,
            quotas=[
                {"organisation_id": 1, "organisation_kind": "mission_locale", "seats": 2},
                {"organisation_id": 987654, "seats": 2},
                {"organisation_kind": "mission_locale", "seats": 3, "released_at": future(28).isoformat()},
            ],
            pickup_points=[{"name": " ", "lat": 45.5, "lon": 4.7}],
        ),
    )
    assert _fields(response) == {
        "min_participants",  # more than the bus's 20 seats
        "go_no_go_at",
        "quotas.0",
        "quotas.1.organisation_id",
        "quotas.2.released_at",  # after the booking deadline
        "pickup_points.0.name",
    }
    assert all(e["message"] for e in response.get_json()["errors"])


def test_the_go_no_go_date_comes_before_the_start_and_needs_a_minimum(api_as) -> None:
    """A go/no-go date at or after the start, or without a minimum, is refused naming the fields."""
    organiser = api_as()
    late = organiser.post("/tours", json=tour_body(min_participants=5, go_no_go_at=future(30, 9, 0).isoformat()))
    assert _fields(late) == {"go_no_go_at"}
    alone = organiser.post("/tours", json=tour_body(go_no_go_at=future(20).isoformat()))
    assert _fields(alone) == {"min_participants"}


def test_malformed_rules_are_422_not_500(api_as) -> None:
    """Wrong types, an unknown kind, negative seats and a pickup without coordinates name their fields."""
    organiser = api_as()
    response = organiser.post(
        "/tours",
        json=tour_body(
            min_participants=0,
            go_no_go_at="demain",
            quotas=[{"organisation_kind": "boulangerie", "seats": -1}],
            pickup_points=[{"name": "Gare de Givors-Ville"}],
        ),
    )
    fields = _fields(response)
    assert {"min_participants", "go_no_go_at", "quotas.0.organisation_kind", "quotas.0.seats"} <= fields
    assert {"pickup_points.0.lat", "pickup_points.0.lon"} <= fields


def test_a_booking_with_a_bad_pickup_point_type_is_422(make_tour, prescriber_of, book) -> None:
    """A pickup point that is not an index is refused naming pickup_point."""
    tour = make_tour(published=True)
    response = book(prescriber_of("Mission locale de Lyon"), tour.id, 1, pickup_point="gare")
    assert _fields(response) == {"pickup_point"}


def test_rules_are_shown_kept_when_left_out_and_cleared_with_null(api_as) -> None:
    """The minimum and its date are shown; a PUT without them keeps them; null removes them."""
    organiser = api_as()
    go = future(20, 12, 0)
    created = organiser.post(
        "/tours",
        json=tour_body(
            min_participants=8,
            go_no_go_at=go.isoformat(),
            quotas=[{"organisation_kind": "cap_emploi", "seats": 4}],
        ),
    )
    assert created.status_code == 201, created.get_json()
    tour = created.get_json()
    assert tour["min_participants"] == 8 and datetime.fromisoformat(tour["go_no_go_at"]) == go
    path = f"/tours/{tour['id']}"
    kept = organiser.put(path, json=tour_body(title="ZI Tour Meyzieu")).get_json()
    assert (kept["min_participants"], len(kept["quotas"])) == (8, 1)
    cleared = organiser.put(path, json=tour_body(min_participants=None, go_no_go_at=None, quotas=None)).get_json()
    assert (cleared["min_participants"], cleared["go_no_go_at"], cleared["quotas"]) == (None, None, [])


def test_moving_the_start_before_the_go_no_go_date_is_refused(api_as) -> None:
    """Editing only the start still checks the kept go/no-go date against it."""
    organiser = api_as()
    created = organiser.post("/tours", json=tour_body(min_participants=8, go_no_go_at=future(20, 12).isoformat()))
    tour_id = created.get_json()["id"]
    moved = tour_body(
        start=future(19, 8, 30).isoformat(),
        end=future(19, 17).isoformat(),
        booking_deadline=future(15).isoformat(),
        lunch=None,
    )
    assert _fields(organiser.put(f"/tours/{tour_id}", json=moved)) == {"go_no_go_at"}
