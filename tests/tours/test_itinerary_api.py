"""Candidates, optimisation and the stored itinerary through the API."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import future
from tourplanner.accounts.enums import Role
from tourplanner.sites.enums import SlotStatus

#: Company sites around Meyzieu and Décines (lat, lon).
EAST_LYON = [(45.7745, 5.0035), (45.7690, 4.9790), (45.7820, 5.0190), (45.7550, 4.9650), (45.7600, 5.0400)]


@pytest.fixture
def planned(api_as, make_tour, make_site, make_slot, make_user):
    """A tour with two buses, lunch, and five morning or afternoon slots at five sites."""
    organiser = make_user(Role.ORGANISER)
    tour = make_tour(organiser=organiser, bus_seats=[20, 20])
    slots = []
    for index, (lat, lon) in enumerate(EAST_LYON):
        site = make_site(lat=lat, lon=lon)
        morning = index % 2 == 0
        slots.append(
            make_slot(
                site=site,
                start_at=future(30, 9 if morning else 14),
                end_at=future(30, 12 if morning else 16, 30),
                visit_minutes=60,
                max_visitors=25,
            )
        )
    api = api_as(organiser)
    return api, tour, slots


def _times(stop: dict) -> list[datetime]:
    return [datetime.fromisoformat(stop[k]) for k in ("arrival", "start", "end", "departure")]


def test_optimise_places_every_visit_within_its_slot(planned) -> None:
    """Each stop arrives before it starts, starts in the slot, lasts the visit, ends by the slot's end."""
    api, tour, slots = planned
    assert api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [s.id for s in slots]}).status_code == 200
    response = api.post(f"/tours/{tour.id}/optimise", json={})
    assert response.status_code == 200, response.get_json()
    itinerary = response.get_json()
    by_id = {s.id: s for s in slots}
    stops = [stop for bus in itinerary["buses"] for stop in bus["stops"]]
    assert {s["slot_id"] for s in stops} | {u["slot_id"] for u in itinerary["unassigned"]} == set(by_id)
    assert len(stops) == 5
    for stop in stops:
        arrival, start, end, departure = _times(stop)
        slot = by_id[stop["slot_id"]]
        assert arrival <= start and start >= slot.start_at and end <= slot.end_at
        assert (end - start).total_seconds() >= slot.visit_minutes * 60 and departure >= end
        assert stop["site_id"] == slot.site_id
    for bus in itinerary["buses"]:
        if bus["stops"]:
            assert datetime.fromisoformat(bus["return"]) <= tour.end_at


def test_a_left_out_visit_has_a_french_reason(planned, make_slot) -> None:
    """A slot too small for the bus's group is unassigned with a reason."""
    api, tour, slots = planned
    small = make_slot(site=slots[0].site, start_at=future(30, 14), end_at=future(30, 16), max_visitors=8)
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [small.id]})
    itinerary = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    assert itinerary["unassigned"][0]["slot_id"] == small.id
    assert "20" in itinerary["unassigned"][0]["reason"] and "8" in itinerary["unassigned"][0]["reason"]


def test_reoptimising_without_change_keeps_the_itinerary(planned) -> None:
    """Same input, same itinerary."""
    api, tour, slots = planned
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [s.id for s in slots]})
    first = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    second = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    first.pop("optimised_at"), second.pop("optimised_at")
    assert first == second


def test_the_itinerary_is_stored_and_readable(planned) -> None:
    """GET itinerary answers what optimise stored."""
    api, tour, slots = planned
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [s.id for s in slots]})
    optimised = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    assert api.get(f"/tours/{tour.id}/itinerary").get_json() == optimised


def test_candidates_refuse_unknown_and_paused_slots(planned, db) -> None:
    """422 naming the faulty entries of slot_ids."""
    api, tour, slots = planned
    slots[1].status = SlotStatus.PAUSED
    db.session.commit()
    response = api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [slots[0].id, slots[1].id, 999999]})
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"slot_ids.1", "slot_ids.2"}


def test_dropping_a_candidate_removes_its_stop(planned) -> None:
    """The itinerary never shows a slot that is no longer a candidate."""
    api, tour, slots = planned
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [s.id for s in slots]})
    api.post(f"/tours/{tour.id}/optimise", json={})
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [slots[0].id]})
    itinerary = api.get(f"/tours/{tour.id}/itinerary").get_json()
    assert [s["slot_id"] for bus in itinerary["buses"] for s in bus["stops"]] == [slots[0].id]


def test_who_may_read_and_plan(planned, api_as) -> None:
    """Only organisers plan; a prescriber without a booking and a company may not read."""
    api, tour, slots = planned
    for role in (Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR):
        other = api_as(role)
        assert other.post(f"/tours/{tour.id}/optimise", json={}).status_code == 403
        assert other.post(f"/tours/{tour.id}/candidates", json={"slot_ids": []}).status_code == 403
        assert other.get(f"/tours/{tour.id}/itinerary").status_code == 403


def test_bad_optimise_input_is_422(planned) -> None:
    """A negative time limit names the field."""
    api, tour, _ = planned
    response = api.post(f"/tours/{tour.id}/optimise", json={"time_limit": -1})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "time_limit"


def test_a_locked_visit_stays_on_its_bus_when_reoptimising(planned) -> None:
    """Locking a stop keeps it in the itinerary, on the same bus, after re-optimising."""
    api, tour, slots = planned
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [s.id for s in slots]})
    first = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    bus_of = {s["slot_id"]: bus["bus"] for bus in first["buses"] for s in bus["stops"]}
    chosen = next(iter(bus_of))
    locked = api.post(f"/tours/{tour.id}/locks", json={"slot_id": chosen}).get_json()
    assert any(s["locked"] for bus in locked["buses"] for s in bus["stops"] if s["slot_id"] == chosen)
    again = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    bus_after = {s["slot_id"]: bus["bus"] for bus in again["buses"] for s in bus["stops"]}
    assert bus_after[chosen] == bus_of[chosen]
    assert any(s["locked"] for bus in again["buses"] for s in bus["stops"] if s["slot_id"] == chosen)


def test_locking_a_slot_outside_the_itinerary_is_422(planned) -> None:
    """Only a stop of the itinerary can be locked."""
    api, tour, slots = planned
    response = api.post(f"/tours/{tour.id}/locks", json={"slot_id": slots[0].id})
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "slot_id"


def test_reoptimising_after_a_decline_leaves_the_visit_out_and_keeps_other_answers(planned, make_user, db) -> None:
    """A declined visit is not planned again; confirmed visits at unchanged times stay confirmed."""
    from tourplanner.sites.enums import VisitResponse
    from tourplanner.tours.models import Stop, Tour
    from tourplanner.tours.visits import confirm_visit, decline_visit, visit_for

    api, tour, slots = planned
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [s.id for s in slots]})
    api.post(f"/tours/{tour.id}/publish")
    api.post(f"/tours/{tour.id}/optimise", json={})
    stops = db.session.scalars(db.select(Stop).where(Stop.tour_id == tour.id).order_by(Stop.slot_id)).all()
    declined, confirmed = stops[0], stops[1]
    company = make_user(Role.COMPANY, organisation=declined.slot.site.organisation.name)
    decline_visit(visit_for(company, declined.id), company, "Inventaire ce jour-là")
    other = make_user(Role.COMPANY, organisation=confirmed.slot.site.organisation.name)
    confirm_visit(visit_for(other, confirmed.id), other)
    db.session.commit()
    assert db.session.get(Tour, tour.id).needs_reoptimisation

    itinerary = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    placed = {s["slot_id"] for bus in itinerary["buses"] for s in bus["stops"]}
    assert declined.slot_id not in placed
    reason = next(u["reason"] for u in itinerary["unassigned"] if u["slot_id"] == declined.slot_id)
    assert "décliné" in reason
    db.session.expire_all()
    assert not db.session.get(Tour, tour.id).needs_reoptimisation
    kept = db.session.scalars(db.select(Stop).where(Stop.slot_id == confirmed.slot_id)).one()
    assert kept.company_response is VisitResponse.CONFIRMED


def test_a_visit_locked_in_place_keeps_its_bus_and_start(planned, db) -> None:
    """Locked in place, a visit is given to the engine on its bus with its start time pinned."""
    from tourplanner.tours.itinerary import build_problem
    from tourplanner.tours.models import Tour

    api, tour, slots = planned
    api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [s.id for s in slots]})
    first = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    bus, stop = next((b["bus"], s) for b in first["buses"] for s in b["stops"])
    answer = api.post(f"/tours/{tour.id}/locks", json={"slot_id": stop["slot_id"], "mode": "place"}).get_json()
    assert any(s["locked_in_place"] for b in answer["buses"] for s in b["stops"] if s["slot_id"] == stop["slot_id"])
    db.session.expire_all()
    tour = db.session.get(Tour, tour.id)
    visit = next(v for v in build_problem(tour).problem.visits if v.id == stop["slot_id"])
    start_s = int((datetime.fromisoformat(stop["start"]) - tour.start_at).total_seconds())
    assert visit.bus == bus and visit.required
    assert [(w.earliest_start_s, w.latest_start_s) for w in visit.windows] == [(start_s, start_s)]
    again = api.post(f"/tours/{tour.id}/optimise", json={}).get_json()
    kept = next(s for b in again["buses"] for s in b["stops"] if s["slot_id"] == stop["slot_id"])
    assert kept["start"] == stop["start"] and kept["locked_in_place"]
    bad = api.post(f"/tours/{tour.id}/locks", json={"slot_id": stop["slot_id"], "mode": "elsewhere"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "mode"
