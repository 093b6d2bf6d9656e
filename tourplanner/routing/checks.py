"""Checks made before solving, and their explanations in French.

Each check asks whether one bus could make one visit *alone* (straight from its start
place, straight back to its end place). A visit that no bus could make is left out of
the model and reported with the reason a person reads in the itinerary; a visit that only
some buses could make is restricted to those buses.
"""

from __future__ import annotations

from dataclasses import dataclass

from tourplanner.routing.problem import Bus, Pickup, Problem, Visit
from tourplanner.routing.result import clock as clock_text

#: Reason given for a visit the solver left out although it fits alone.
NO_ROOM_REASON = (
    "plus assez de temps dans la journée : la visite n'entre pas dans l'itinéraire "
    "avec les visites retenues (horaires, trajets, pause déjeuner)"
)
#: Reason given when a visit of lower priority gave way to others.
LOWER_PRIORITY_REASON = "plus assez de temps dans la journée : des visites prioritaires ont été retenues à sa place"


def clock(problem: Problem, t_s: int) -> str:
    """A time of the tour as its people read it, e.g. ``10h05``."""
    return clock_text(problem.clock_origin_s, t_s)


def minutes(duration_s: int) -> str:
    """A duration in words, e.g. ``1 h 30`` or ``45 min``."""
    total = round(duration_s / 60)
    hours, mins = divmod(total, 60)
    if hours == 0:
        return f"{mins} min"
    return f"{hours} h {mins:02d}" if mins else f"{hours} h"


@dataclass(frozen=True)
class Precheck:
    """Which buses may make each visit or serve each pick-up, and why not otherwise."""

    #: visit id -> indices (in problem.buses) of the buses that could make it
    visit_buses: dict[int, tuple[int, ...]]
    #: visit id -> reason, for the visits no bus can make
    visit_reasons: dict[int, str]
    pickup_buses: dict[int, tuple[int, ...]]
    pickup_reasons: dict[int, str]


def precheck(problem: Problem) -> Precheck:
    """Run every check on every (visit, bus) and (pick-up, bus) pair."""
    visit_buses, visit_reasons = {}, {}
    for visit in problem.visits:
        reasons = [visit_reason(problem, visit, bus) for bus in problem.buses]
        visit_buses[visit.id] = tuple(i for i, r in enumerate(reasons) if r is None)
        if not visit_buses[visit.id]:
            visit_reasons[visit.id] = _merge(problem, reasons)
    pickup_buses, pickup_reasons = {}, {}
    for pickup in problem.pickups:
        reasons = [pickup_reason(problem, pickup, bus) for bus in problem.buses]
        pickup_buses[pickup.id] = tuple(i for i, r in enumerate(reasons) if r is None)
        if not pickup_buses[pickup.id]:
            pickup_reasons[pickup.id] = _merge(problem, reasons)
    return Precheck(visit_buses, visit_reasons, pickup_buses, pickup_reasons)


def _merge(problem: Problem, reasons: list[str | None]) -> str:
    distinct = list(dict.fromkeys(r for r in reasons if r is not None))
    if len(distinct) == 1:
        return distinct[0]
    return " ; ".join(f"car {bus.id} : {reason}" for bus, reason in zip(problem.buses, reasons, strict=True) if reason)


def visit_reason(problem: Problem, visit: Visit, bus: Bus) -> str | None:
    """Why ``bus`` cannot make ``visit`` even alone, or None if it might."""
    if visit.bus is not None and visit.bus != bus.id:
        return f"visite verrouillée sur le car {visit.bus}"
    windows = visit.usable_windows
    if not windows:
        longest = max(w.latest_start_s + visit.duration_s - w.earliest_start_s for w in visit.windows)
        return (
            f"la visite dure plus longtemps que la fenêtre : {minutes(visit.duration_s)} "
            f"pour un créneau de {minutes(max(longest, 0))}"
        )
    if bus.carries_reduced_mobility and not visit.is_accessible:
        return "site non accessible aux personnes à mobilité réduite"
    if bus.load > visit.max_group:
        return f"groupe de {bus.load} > {visit.max_group} visiteurs acceptés"
    there_s = int(problem.durations_s[bus.start, visit.place])
    back_s = int(problem.durations_s[visit.place, bus.end])
    arrival_s = bus.start_s + there_s
    starts = [(max(w.earliest_start_s, arrival_s), w.latest_start_s) for w in windows]
    starts = [(lo, hi) for lo, hi in starts if lo <= hi]
    if not starts:
        closes_s = max(w.latest_start_s for w in windows)
        return (
            f"la fenêtre de visite se termine ({clock(problem, closes_s)}) avant l'arrivée "
            f"possible du car ({clock(problem, arrival_s)})"
        )
    latest_start_s = bus.end_s - back_s - visit.duration_s
    if all(lo > latest_start_s for lo, _ in starts):
        earliest_return_s = min(lo for lo, _ in starts) + visit.duration_s + back_s
        return (
            f"le car ne serait pas rentré à l'heure : retour au plus tôt à "
            f"{clock(problem, earliest_return_s)}, au plus tard à {clock(problem, bus.end_s)}"
        )
    starts = [(lo, min(hi, latest_start_s)) for lo, hi in starts if lo <= latest_start_s]
    if bus.max_duration_s is not None:
        shortest_s = there_s + visit.duration_s + back_s
        if shortest_s > bus.max_duration_s:
            return (
                f"l'aller, la visite et le retour ({minutes(shortest_s)}) dépassent la durée "
                f"maximale de la tournée ({minutes(bus.max_duration_s)})"
            )
    if bus.lunch is not None:
        lunch = bus.lunch
        # The lunch fits before the visit if it may end by the visit's start, after it
        # if it may begin once the visit is over.
        fits = any(
            hi >= lunch.earliest_s + lunch.duration_s or lo + visit.duration_s <= lunch.latest_s for lo, hi in starts
        )
        if not fits:
            return (
                f"la visite couvre toute la plage de la pause déjeuner "
                f"({clock(problem, lunch.earliest_s)}–{clock(problem, lunch.latest_s + lunch.duration_s)})"
            )
    return None


def pickup_reason(problem: Problem, pickup: Pickup, bus: Bus) -> str | None:
    """Why ``bus`` cannot serve ``pickup`` even alone, or None if it might."""
    if pickup.bus is not None and pickup.bus != bus.id:
        return f"point de prise en charge réservé au car {pickup.bus}"
    free = bus.seats - bus.load
    if pickup.seats > free:
        return f"{pickup.seats} passagers à prendre, {free} places libres dans le car"
    arrival_s = bus.start_s + int(problem.durations_s[bus.start, pickup.place])
    back_s = int(problem.durations_s[pickup.place, bus.end])
    start_s = arrival_s
    if pickup.window is not None:
        if pickup.window.latest_start_s < arrival_s:
            return (
                f"le car ne peut pas être au point de prise en charge avant "
                f"{clock(problem, pickup.window.latest_start_s)} (arrivée au plus tôt à "
                f"{clock(problem, arrival_s)})"
            )
        start_s = max(arrival_s, pickup.window.earliest_start_s)
    if start_s + pickup.duration_s + back_s > bus.end_s:
        return f"le car ne serait pas rentré à l'heure ({clock(problem, bus.end_s)})"
    return None
