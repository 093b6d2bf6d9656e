"""Read-only planning views: the slots a tour may use, each bus's day laid out in time."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from tests.conftest import future
from tourplanner import routing
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.tours import itinerary
from tourplanner.tours.planning_queries import bus_days, candidate_slots


def test_candidate_slots_are_the_usable_slots_of_the_tour_s_hours(planned_tour, make_slot):
    """Offered/accepted slots overlapping the tour's hours are offered; other days and declined slots are not."""
    site = planned_tour.slots[0].site
    evening = make_slot(site=site, start_at=future(30, 18), end_at=future(30, 20))
    declined = make_slot(site=site, status=SlotStatus.DECLINED)
    accepted = make_slot(site=site, status=SlotStatus.ACCEPTED, start_at=future(30, 16), end_at=future(30, 18))
    ids = {row.slot.id for row in candidate_slots(planned_tour.tour)}
    assert ids == {s.id for s in planned_tour.slots} | {accepted.id}
    assert evening.id not in ids and declined.id not in ids


def test_a_candidate_withdrawn_since_is_shown_as_unusable(planned_tour):
    """A ticked slot the company withdrew stays listed, ticked, but can no longer be chosen."""
    tour, slot = planned_tour.tour, planned_tour.slots[0]
    itinerary.set_candidates(tour, [slot.id], planned_tour.organiser)
    slot.status = SlotStatus.WITHDRAWN
    db.session.commit()
    rows = {row.slot.id: row for row in candidate_slots(tour)}
    assert rows[slot.id].is_candidate and not rows[slot.id].is_usable
    assert all(row.is_usable for sid, row in rows.items() if sid != slot.id)


def test_each_bus_s_day_is_laid_out_without_gaps_or_overlaps(planned_tour):
    """From departure to return, parts follow one another; visits are the stops; one lunch in its window."""
    tour = planned_tour.tour
    itinerary.set_candidates(tour, [s.id for s in planned_tour.slots], planned_tour.organiser)
    itinerary.optimise_tour(tour, planned_tour.organiser)
    db.session.commit()
    days = bus_days(tour)
    assert [len(d.stops) for d in days if d.stops] and sum(len(d.stops) for d in days) == 6
    for day in days:
        if not day.stops:
            continue
        segments = day.segments
        assert segments[0].start_at == day.departure_at and segments[-1].end_at >= day.return_at
        for before, after in pairwise(segments):
            assert before.end_at == after.start_at, (before, after)
        visits = [(s.start_at, s.end_at) for s in segments if s.kind == "visit"]
        assert visits == [(stop.start_at, stop.end_at) for stop in day.stops]
        lunches = [s for s in segments if s.kind == "lunch"]
        assert len(lunches) == 1 and day.lunch is not None
        assert lunches[0].end_at - lunches[0].start_at == timedelta(minutes=tour.lunch_minutes)
        assert tour.lunch_earliest_at <= lunches[0].start_at <= tour.lunch_latest_at
        assert segments[0].kind == "drive" and {s.kind for s in segments} <= {"drive", "visit", "wait", "lunch"}


def test_a_day_without_lunch_has_no_lunch_part(make_tour, make_slot, make_site, make_user):
    """A tour without a lunch break lays out driving, visits and waiting only; the bus leaves at the meeting
    time and the group waits at the site for the visit's window."""
    tour = make_tour(meeting_lat=45.7795, meeting_lon=5.0010)
    # A site of its own, 2 km away: make_site's default place moves with a counter shared by all
    # tests, and some of its places lie a minute's drive away, a leg the timeline leaves out.
    slot = make_slot(site=make_site(lat=45.7615, lon=5.0010))
    organiser = tour.created_by
    itinerary.set_candidates(tour, [slot.id], organiser)
    itinerary.optimise_tour(tour, organiser)
    db.session.commit()
    (day,) = bus_days(tour)
    assert day.lunch is None and "lunch" not in {s.kind for s in day.segments}
    kinds = [s.kind for s in day.segments]
    assert kinds[0] == "drive" and [k for k in kinds if k != "wait"][:2] == ["drive", "visit"]
    assert day.segments[-1].kind == "drive" and day.segments[0].start_at == tour.start_at


def test_the_timeline_shows_lunch_where_and_when_the_optimiser_placed_it(planned_tour):
    """Each bus's lunch on the page is the engine's own placement, stored with the itinerary."""
    tour = planned_tour.tour
    itinerary.set_candidates(tour, [s.id for s in planned_tour.slots], planned_tour.organiser)
    result = itinerary.optimise_tour(tour, planned_tour.organiser)
    db.session.commit()
    for day in bus_days(tour):
        route = result.route_of(day.bus.position)
        if not route.stops:
            continue
        expected = tour.start_at + timedelta(seconds=route.lunch.start_s)
        assert day.bus.lunch_start_at == expected and day.lunch.start_at == expected
        [part] = [s for s in day.segments if s.kind == "lunch"]
        assert (part.start_at, part.end_at) == (day.bus.lunch_start_at, day.bus.lunch_end_at)
        assert day.bus.lunch_where
        for earlier, later in pairwise(day.segments):
            assert earlier.end_at <= later.start_at


def test_the_day_is_laid_out_from_the_stored_drives_without_any_travel_time(planned_tour, monkeypatch):
    """Each drive on the timeline is the one the optimiser counted and stored with the stop (and the bus's
    drive back); laying the day out asks no travel-time source, and a stop whose previous place changed by hand
    shows its whole gap as the road."""
    tour = planned_tour.tour
    itinerary.set_candidates(tour, [s.id for s in planned_tour.slots], planned_tour.organiser)
    result = itinerary.optimise_tour(tour, planned_tour.organiser)
    db.session.commit()

    def no_travel_times(*args, **kwargs):
        raise AssertionError("the itinerary pages must not compute travel times")

    monkeypatch.setattr(itinerary, "travel_provider", no_travel_times)
    monkeypatch.setattr(routing.HaversineProvider, "matrix", no_travel_times)
    checked = 0
    for day in bus_days(tour):
        route = result.route_of(day.bus.position)
        if not route.stops:
            continue
        drives = [s for s in day.segments if s.kind == "drive"]
        # The first leg: from the meeting point to the first visit, exactly the stored drive.
        first = day.stops[0]
        assert first.drive_seconds is not None and first.drive_seconds > 0
        assert drives[0].start_at == day.departure_at
        assert (drives[0].end_at - drives[0].start_at).total_seconds() == first.drive_seconds
        assert day.bus.return_drive_seconds is not None
        assert (drives[-1].end_at - drives[-1].start_at).total_seconds() == day.bus.return_drive_seconds
        assert drives[-1].end_at == day.return_at
        checked += 1
    assert checked

    # The organiser unticks the first visit of a bus: the next one now comes from elsewhere.
    bus = next(b for b in tour.buses if len(b.stops) >= 2)
    second = bus.stops[1]
    itinerary.set_candidates(
        tour, [c.slot_id for c in tour.candidates if c.slot_id != bus.stops[0].slot_id], planned_tour.organiser
    )
    db.session.commit()
    assert second.drive_seconds is None
    day = next(d for d in bus_days(tour) if d.bus.id == bus.id)
    first_drive = day.segments[0]
    assert first_drive.kind == "drive" and first_drive.end_at == second.arrival_at
