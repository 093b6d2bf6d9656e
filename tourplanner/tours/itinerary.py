"""The one adapter between the database and the routing engine: candidates, optimisation.

A tour becomes a routing problem (time 0 = the tour's start, seconds; the meeting point
is place 0), the engine's result becomes stops on buses and reasons on the candidates
left out. Nothing else in the application talks to `tourplanner.routing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from tourplanner import routing
from tourplanner.accounts.models import User
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import BookingStatus
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Slot
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Bus, Stop, Tour, TourCandidate, TourPickupPoint
from tourplanner.tours.notices import plan_changed

#: Slot statuses an organiser may put in a tour.
USABLE_SLOT_STATUSES = (SlotStatus.OFFERED, SlotStatus.ACCEPTED)


def set_candidates(tour: Tour, slot_ids: list[int], organiser: User) -> list[TourCandidate]:
    """Make exactly these slots the tour's candidates; stops of dropped slots are removed."""
    _require_open(tour)
    errors: list[FieldError] = []
    slots = {s.id: s for s in db.session.scalars(select(Slot).where(Slot.id.in_(slot_ids)))} if slot_ids else {}
    for index, slot_id in enumerate(slot_ids):
        slot = slots.get(slot_id)
        if slot is None:
            errors.append(FieldError(f"slot_ids.{index}", f"aucun créneau n°{slot_id}"))
        elif slot.status not in USABLE_SLOT_STATUSES:
            errors.append(FieldError(f"slot_ids.{index}", f"le créneau n°{slot_id} est {slot.status.label.lower()}"))
    if len(set(slot_ids)) != len(slot_ids):
        errors.append(FieldError("slot_ids", "un créneau figure deux fois"))
    if errors:
        raise InvalidInput(errors)
    wanted = set(slot_ids)
    for candidate in list(tour.candidates):
        if candidate.slot_id not in wanted:
            _remove_stop_of(tour, candidate.slot_id)
            tour.candidates.remove(candidate)
    present = {c.slot_id for c in tour.candidates}
    for slot_id in slot_ids:
        if slot_id not in present:
            tour.candidates.append(TourCandidate(slot_id=slot_id))
    record(organiser, "tour.candidates", tour, slot_ids=sorted(wanted))
    db.session.flush()
    return sorted(tour.candidates, key=lambda c: c.slot_id)


def _remove_stop_of(tour: Tour, slot_id: int) -> None:
    for bus in tour.buses:
        for stop in list(bus.stops):
            if stop.slot_id == slot_id:
                following = bus.stops.index(stop) + 1
                if following < len(bus.stops):
                    bus.stops[following].drive_seconds = None  # it now comes from another place
                else:
                    bus.return_drive_seconds = None
                bus.stops.remove(stop)
                plan_changed(tour)


def _require_open(tour: Tour) -> None:
    if tour.status in (TourStatus.CANCELLED, TourStatus.DONE):
        raise Conflict(f"un tour {tour.status.label.lower()} ne se replanifie plus")


@dataclass(frozen=True)
class TourProblem:
    """A routing problem and what its indices mean in the tour."""

    problem: routing.Problem
    origin: datetime
    buses: dict[int, Bus]
    slots: dict[int, Slot]
    #: candidate slot id -> why it was not given to the engine (French)
    skipped: dict[int, str] = field(default_factory=dict)
    #: pickup id in the problem -> the bus that must call there and the pickup point
    pickups: dict[int, tuple[Bus, TourPickupPoint]] = field(default_factory=dict)


def build_problem(tour: Tour, provider: routing.TravelTimeProvider | None = None) -> TourProblem:
    """The routing problem of a tour: its candidate visits, its buses, their lunch, their pickups.

    Participants booked at a pickup point board there: per bus and pickup point, a pickup
    of the confirmed seats booked there on that bus, which only that bus serves; the bus
    leaves the meeting point with the others only.
    """
    origin = tour.start_at
    #: The buses leave when the group has boarded: the start plus the boarding margin.
    departure_s = (tour.boarding_minutes or 0) * 60

    def seconds(value: datetime) -> int:
        return int((value - origin).total_seconds())

    local_start = to_local(origin)
    # Reasons quote clock times: time 0 is the tour's start, so many seconds after midnight.
    builder = routing.ProblemBuilder(
        clock_origin_s=local_start.hour * 3600 + local_start.minute * 60 + local_start.second
    )
    meeting = builder.add_place(tour.meeting_lat, tour.meeting_lon, tour.meeting_point_name)
    place_of_site: dict[int, int] = {}
    slots: dict[int, Slot] = {}
    locked = {stop.slot_id: stop for bus in tour.buses for stop in bus.stops if stop.is_locked}
    skipped: dict[int, str] = {}
    for candidate in sorted(tour.candidates, key=lambda c: c.slot_id):
        slot = candidate.slot
        if slot.status not in USABLE_SLOT_STATUSES:
            # Declined, paused or withdrawn since it became a candidate: not planned again.
            skipped[slot.id] = f"créneau {slot.status.label.lower()} depuis qu'il a été retenu pour ce tour"
            continue
        slots[slot.id] = slot
        site = slot.site
        if site.id not in place_of_site:
            place_of_site[site.id] = builder.add_place(site.lat, site.lon, site.name)
        duration = slot.visit_minutes * 60
        window = routing.TimeWindow.for_slot(seconds(slot.start_at), seconds(slot.end_at), duration)
        if slot.id in locked and locked[slot.id].is_time_locked:
            pinned = seconds(locked[slot.id].start_at)  # locked in place: same start as before
            window = routing.TimeWindow(pinned, pinned)
        builder.add_visit(
            slot.id,
            place_of_site[site.id],
            [window],
            duration,
            slot.max_visitors,
            is_accessible=site.is_accessible,
            required=slot.id in locked,
            priority=2 if slot.id in locked else 1,
            # A locked visit stays on its bus.
            bus=locked[slot.id].bus.position if slot.id in locked else None,
        )
    loads, boarding, reduced_mobility = _passengers(tour)
    lunch = None
    if tour.has_lunch:
        lunch = routing.Break(seconds(tour.lunch_earliest_at), seconds(tour.lunch_latest_at), tour.lunch_minutes * 60)
    buses: dict[int, Bus] = {}
    for bus in tour.buses:
        buses[bus.position] = bus
        builder.add_bus(
            bus.position,
            bus.seats,
            meeting,
            meeting,
            departure_s,
            seconds(tour.end_at),
            load=loads.get(bus.id, bus.seats),
            lunch=lunch,
            carries_reduced_mobility=bus.id in reduced_mobility,
        )
    pickups: dict[int, tuple[Bus, TourPickupPoint]] = {}
    place_of_point: dict[int, int] = {}
    # Everyone is on board before the first visit can begin: the whole group visits each site.
    first_visit_s = min((w.earliest_start_s for v in builder.visits for w in v.windows), default=None)
    boarding_window = (departure_s, max(first_visit_s, departure_s)) if first_visit_s is not None else None
    for bus in tour.buses:
        for point in tour.pickup_points:
            seats = boarding.get((bus.id, point.id), 0)
            if seats == 0:
                continue
            if point.id not in place_of_point:
                place_of_point[point.id] = builder.add_place(point.lat, point.lon, point.name)
            pickup_id = len(pickups) + 1
            builder.add_pickup(pickup_id, place_of_point[point.id], seats, bus=bus.position, window=boarding_window)
            pickups[pickup_id] = (bus, point)
    return TourProblem(
        builder.build(provider or travel_provider()), origin, buses, slots, skipped=skipped, pickups=pickups
    )


def _passengers(tour: Tour) -> tuple[dict[int, int], dict[tuple[int, int], int], set[int]]:
    """Per bus id: the confirmed seats boarding at the meeting point; per (bus id, pickup
    point id): those boarding there; and the buses carrying someone who needs step-free access.

    A bus nobody has booked yet is planned full from the meeting point: its group is its seats.
    """
    loads: dict[int, int] = {}
    boarding: dict[tuple[int, int], int] = {}
    reduced: set[int] = set()
    for booking in tour.bookings:
        if booking.status is not BookingStatus.CONFIRMED or booking.bus_id is None:
            continue
        loads.setdefault(booking.bus_id, 0)
        if booking.pickup_point_id is None:
            loads[booking.bus_id] += booking.seats
        else:
            key = (booking.bus_id, booking.pickup_point_id)
            boarding[key] = boarding.get(key, 0) + booking.seats
        if any(p.has_reduced_mobility for p in booking.participants):
            reduced.add(booking.bus_id)
    return loads, boarding, reduced


def travel_provider() -> routing.TravelTimeProvider:
    """The configured travel times: an OSRM server if one is set, else distances at bus speed."""
    config = current_app.config
    default = routing.HaversineProvider(float(config["ROUTING_CIRCUITY"]), float(config["ROUTING_BUS_SPEED_KMH"]))
    if config.get("OSRM_URL"):
        return routing.OsrmTableProvider(config["OSRM_URL"], fallback=default)
    return default


def optimise_tour(
    tour: Tour,
    organiser: User | None,
    time_limit_s: float | None = None,
    provider: routing.TravelTimeProvider | None = None,
) -> routing.Result:
    """Compute and store the tour's itinerary; visits left out get a reason in French."""
    _require_open(tour)
    built = build_problem(tour, provider)
    params = routing.SolveParams.for_time_limit(time_limit_s) if time_limit_s else routing.SolveParams()
    result = routing.solve(built.problem, params)
    _store(tour, built, result)
    record(
        organiser,
        "tour.optimise",
        tour,
        visits=sum(len(r.visit_ids) for r in result.routes),
        unassigned=len(result.unassigned_visits),
    )
    return result


def _store(tour: Tour, built: TourProblem, result: routing.Result) -> None:
    """Replace the tour's stops by the result's, keeping locks; tell companies what changed."""

    def at(t_s: int) -> datetime:
        return built.origin + timedelta(seconds=t_s)

    previous = {stop.slot_id: stop for bus in tour.buses for stop in bus.stops}
    for bus in tour.buses:
        bus.stops.clear()
        bus.departure_at = bus.return_at = bus.lunch_start_at = bus.lunch_end_at = bus.lunch_where = None
    db.session.flush()  # free the (bus, position) keys before writing the new stops
    places = built.problem.places
    for route in result.routes:
        bus = built.buses[route.bus_id]
        bus.departure_at = at(route.departure_s) if route.stops else None
        bus.return_at = at(route.return_s) if route.stops else None
        lunch = route.lunch if route.stops else None
        bus.lunch_start_at = at(lunch.start_s) if lunch else None
        bus.lunch_end_at = at(lunch.end_s) if lunch else None
        bus.lunch_where = _lunch_where(lunch.place, places) if lunch else None
        drives = _drives(route, built.problem)
        bus.return_drive_seconds = drives[-1] if route.stops else None
        for position, step in enumerate(s for s in route.stops if s.kind == "visit"):
            old = previous.pop(step.id, None)
            stop = Stop(
                tour_id=tour.id,
                slot_id=step.id,
                position=position,
                arrival_at=at(step.arrival_s),
                start_at=at(step.start_s),
                end_at=at(step.end_s),
                departure_at=at(step.departure_s),
                drive_seconds=drives[step.id],
                is_locked=bool(old and old.is_locked),
                is_time_locked=bool(old and old.is_time_locked),
            )
            if old is not None and (old.start_at, old.end_at) == (stop.start_at, stop.end_at):
                # Same visit at the same time: the company's answer still holds.
                stop.company_response = old.company_response
                stop.responded_at = old.responded_at
                stop.decline_reason = old.decline_reason
            bus.stops.append(stop)
    reasons = {u.id: u.reason for u in result.unassigned_visits} | built.skipped
    for candidate in tour.candidates:
        candidate.unassigned_reason = reasons.get(candidate.slot_id)
    tour.optimised_at = utcnow()
    tour.needs_reoptimisation = False
    # Companies added, moved or dropped, and everyone's programme: told once the change is committed.
    plan_changed(tour)
    db.session.flush()


def _drives(route: routing.BusRoute, problem: routing.Problem) -> dict[int, int]:
    """The drive, in seconds, that brings the bus to each visit of `route` (by visit id) from the
    place it left before (pick-ups on the way included), and at key -1 the drive back."""
    durations = problem.durations_s
    bus = next(c for c in problem.buses if c.id == route.bus_id)
    drives: dict[int, int] = {}
    here, pending = bus.start, 0
    for step in route.stops:
        pending += int(durations[here, step.place])
        here = step.place
        if step.kind == "visit":
            drives[step.id], pending = pending, 0
    drives[-1] = pending + int(durations[here, bus.end])
    return drives


def _lunch_where(place: int | None, places: tuple[routing.Place, ...]) -> str:
    """Where the engine placed lunch, as people say it."""
    if place is None:
        return "en route"
    if place == 0:
        return f"au point de rendez-vous ({places[0].name})"
    return f"sur place ({places[place].name})"


def user_may_see_itinerary(tour: Tour, user: User) -> bool:
    """Its organisers, prescribers with a live booking on the tour and its ambassadors."""
    from tourplanner.accounts.enums import Role
    from tourplanner.tours.queries import manages_tour

    if user.role is Role.ORGANISER:
        return manages_tour(user, tour)
    if user.role is Role.PRESCRIBER:
        return any(b.prescriber_id == user.id and b.status is not BookingStatus.CANCELLED for b in tour.bookings)
    if user.role is Role.AMBASSADOR:
        return any(a.user_id == user.id for a in tour.ambassadors)
    return False


def lock_stop(tour: Tour, slot_id: int, locked: bool, organiser: User, in_place: bool = False) -> Stop:
    """Lock (or unlock) a visit: re-optimising keeps it on its bus, and at its time if `in_place`."""
    for bus in tour.buses:
        for stop in bus.stops:
            if stop.slot_id == slot_id:
                stop.is_locked = locked
                stop.is_time_locked = locked and in_place
                record(organiser, "tour.lock" if locked else "tour.unlock", tour, slot_id=slot_id, in_place=in_place)
                return stop
    raise InvalidInput.one("slot_id", f"le créneau n°{slot_id} n'est pas dans l'itinéraire")
