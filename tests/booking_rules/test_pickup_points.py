"""Pickup points: a booking names where its participants board; the routing problem gets the seats per point."""

from __future__ import annotations

from tests.conftest import future, tour_body
from tourplanner.tours.details import PickupPoint
from tourplanner.tours.itinerary import build_problem

#: Two pickup points in the Gier valley (name, lat, lon).
POINTS = [PickupPoint("Gare de Givors-Ville", 45.5905, 4.7690), PickupPoint("Mairie de Saint-Chamond", 45.4756, 4.5147)]


def _fields(response) -> set[str]:
    return {e["field"] for e in response.get_json()["errors"]}


def test_a_booking_must_name_a_pickup_point_when_the_tour_has_some(make_tour, prescriber_of, book) -> None:
    """Without a pickup point, or with an unknown one, the booking is refused with 422 naming pickup_point."""
    tour = make_tour(published=True, pickup_points=POINTS)
    lyon = prescriber_of("Mission locale de Givors")
    missing = book(lyon, tour.id, 2)
    assert missing.status_code == 422 and _fields(missing) == {"pickup_point"}
    assert "Gare de Givors-Ville" in missing.get_json()["errors"][0]["message"]
    unknown = book(lyon, tour.id, 2, pickup_point=2)
    assert unknown.status_code == 422 and _fields(unknown) == {"pickup_point"}
    assert book(lyon, tour.id, 2, pickup_point=-1).status_code == 422


def test_a_booking_boards_at_the_pickup_point_it_names(make_tour, prescriber_of, booked) -> None:
    """The booking keeps its pickup point, shown by index and name."""
    tour = make_tour(published=True, pickup_points=POINTS)
    booking = booked(prescriber_of("Mission locale de Saint-Chamond"), tour.id, 2, pickup_point=1)
    assert booking["status"] == "confirmed"
    assert (booking["pickup_point"], booking["pickup_point_name"]) == (1, "Mairie de Saint-Chamond")


def test_a_tour_without_pickup_points_refuses_one(make_tour, prescriber_of, book) -> None:
    """Naming a pickup point on a tour that has none is a 422 naming pickup_point, with every other faulty field."""
    tour = make_tour(published=True, bus_seats=[5])
    response = book(prescriber_of("Mission locale de Rive-de-Gier"), tour.id, 6, pickup_point=0)
    assert response.status_code == 422 and _fields(response) == {"pickup_point", "seats"}


def test_seats_per_pickup_point_and_bus_reach_the_routing_problem(make_tour, prescriber_of, booked, db) -> None:
    """Per bus and pickup point, the confirmed seats booked there become a pickup of that bus; the rest ride from the
    meeting point."""
    tour = make_tour(published=True, bus_seats=[5, 20], pickup_points=POINTS)
    lyon = prescriber_of("Mission locale de Givors Sud")
    booked(lyon, tour.id, 3, pickup_point=0)  # bus 0
    booked(lyon, tour.id, 2, pickup_point=1)  # bus 0, now full
    booked(lyon, tour.id, 4, pickup_point=0)  # bus 1
    gone = booked(lyon, tour.id, 6, pickup_point=1)  # bus 1, then cancelled: boards nowhere
    assert lyon.delete(f"/bookings/{gone['id']}").status_code == 200
    db.session.expire_all()

    built = build_problem(tour)
    places = built.problem.places
    got = sorted((p.bus, places[p.place].name, p.seats) for p in built.problem.pickups)
    assert got == [(0, "Gare de Givors-Ville", 3), (0, "Mairie de Saint-Chamond", 2), (1, "Gare de Givors-Ville", 4)]
    assert [c.load for c in built.problem.buses] == [0, 0]
    for pickup_id, (bus, point) in built.pickups.items():
        pickup = next(p for p in built.problem.pickups if p.id == pickup_id)
        assert (bus.position, places[pickup.place].name) == (pickup.bus, point.name)


def test_the_itinerary_keeps_its_shape_with_pickups(
    api_as, make_tour, make_user, make_slot, prescriber_of, booked
) -> None:
    """Optimising a tour with pickups answers the contract's itinerary: stops are visits only."""
    from tourplanner.accounts.enums import Role

    organiser = make_user(Role.ORGANISER)
    tour = make_tour(published=True, organiser=organiser, bus_seats=[20], pickup_points=POINTS)
    booked(prescriber_of("Mission locale de Givors Nord"), tour.id, 3, pickup_point=0)
    slot = make_slot(start_at=future(30, 9, 0), end_at=future(30, 16, 0), visit_minutes=60, max_visitors=25)
    api = api_as(organiser)
    assert api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [slot.id]}).status_code == 200
    response = api.post(f"/tours/{tour.id}/optimise", json={"time_limit": 1})
    assert response.status_code == 200, response.get_json()
    itinerary = response.get_json()
    [bus] = itinerary["buses"]
    assert [stop["slot_id"] for stop in bus["stops"]] == [slot.id]
    assert set(bus["stops"][0]) >= {"slot_id", "site_id", "arrival", "start", "end", "departure"}
    assert itinerary["unassigned"] == []


def test_pickup_points_are_set_shown_kept_and_guarded_through_the_api(api_as, prescriber_of, booked) -> None:
    """The tour body's pickup points are shown by index; a PUT without them keeps them; one in use cannot go."""
    organiser = api_as()
    body = tour_body(pickup_points=[{"name": p.name, "lat": p.lat, "lon": p.lon} for p in POINTS])
    created = organiser.post("/tours", json=body)
    assert created.status_code == 201, created.get_json()
    tour = created.get_json()
    assert [(p["pickup_point"], p["name"]) for p in tour["pickup_points"]] == [(0, POINTS[0].name), (1, POINTS[1].name)]
    assert organiser.post(f"/tours/{tour['id']}/publish").status_code == 200

    kept = organiser.put(f"/tours/{tour['id']}", json=tour_body(title="ZI Tour du Gier"))
    assert kept.status_code == 200 and len(kept.get_json()["pickup_points"]) == 2
    booked(prescriber_of("Mission locale de Givors Est"), tour["id"], 2, pickup_point=1)
    refused = organiser.put(f"/tours/{tour['id']}", json=tour_body(pickup_points=body["pickup_points"][:1]))
    assert refused.status_code == 422 and _fields(refused) == {"pickup_points"}
    emptied = organiser.put(f"/tours/{tour['id']}", json=tour_body(pickup_points=body["pickup_points"][1:]))
    assert emptied.status_code == 422  # kept by position: point 1 would go


def test_pickups_come_before_the_visits(make_tour, make_slot, prescriber_of, booked) -> None:
    """Everyone boards before the first visit can begin, so the whole group visits each site."""
    from tourplanner.routing import solve

    tour = make_tour(published=True, bus_seats=[20], pickup_points=POINTS)
    booked(prescriber_of("Mission locale de Givors Est"), tour.id, 3, pickup_point=1)
    make_slot_ids = [
        make_slot(start_at=future(30, 9, 0), end_at=future(30, 16, 0)).id,
        make_slot(start_at=future(30, 9, 30), end_at=future(30, 16, 0)).id,
    ]
    from tourplanner.tours.itinerary import set_candidates

    set_candidates(tour, make_slot_ids, tour.created_by)
    built = build_problem(tour)
    [pickup] = built.problem.pickups
    first_visit_s = min(w.earliest_start_s for v in built.problem.visits for w in v.windows)
    assert pickup.window is not None and pickup.window.latest_start_s <= first_visit_s
    [route] = solve(built.problem).routes
    kinds = [stop.kind for stop in route.stops]
    assert kinds[0] == "pickup" and kinds.count("visit") == 2
