"""The itinerary the solver returns: plain frozen dataclasses, no OR-Tools inside."""

from __future__ import annotations

from dataclasses import dataclass


def clock(origin_s: int, t_s: int) -> str:
    """A time as people read it, e.g. ``10h05``; ``origin_s`` is time 0 after midnight."""
    days, seconds = divmod(origin_s + t_s, 86_400)
    text = f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    return text if days == 0 else f"{text} (J{days:+d})"


@dataclass(frozen=True)
class Stop:
    """A stop of a bus: a visit (kind ``"visit"``) or a pick-up (kind ``"pickup"``).

    arrival_s <= start_s (the bus may wait), end_s = start_s + duration,
    departure_s >= end_s (later when the lunch is taken there).
    """

    kind: str
    id: int
    place: int
    arrival_s: int
    start_s: int
    end_s: int
    departure_s: int
    #: passengers on board when the bus leaves (for a visit: the group visiting)
    load: int


@dataclass(frozen=True)
class BreakPlacement:
    """When and where a bus's lunch break is taken."""

    start_s: int
    end_s: int
    #: number of stops made before the break (0: before the first stop)
    after_stops: int
    #: place index where the break is taken, or None when taken on the road
    place: int | None


@dataclass(frozen=True)
class BusRoute:
    """One bus's day: when it leaves, its stops in order, its lunch and its return."""

    bus_id: int
    departure_s: int
    stops: tuple[Stop, ...]
    lunch: BreakPlacement | None
    return_s: int
    driving_s: int
    distance_m: int

    @property
    def visit_ids(self) -> list[int]:
        """Ids of the visits made, in order."""
        return [stop.id for stop in self.stops if stop.kind == "visit"]


@dataclass(frozen=True)
class Unassigned:
    """A visit or pick-up left out of the itinerary, and why (in French)."""

    id: int
    reason: str
    required: bool = False
    kind: str = "visit"


@dataclass(frozen=True)
class Result:
    """What :func:`tourplanner.routing.solve` found."""

    routes: tuple[BusRoute, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int
    driving_s: int
    distance_m: int
    solve_s: float
    #: False when OR-Tools found no solution at all (every visit is then unassigned)
    found: bool = True
    #: what time 0 means, in seconds after midnight (for summary() only)
    clock_origin_s: int = 0

    def is_feasible(self) -> bool:
        """True when a solution exists and every required visit and every pick-up is served."""
        return self.found and not any(u.required for u in self.unassigned)

    @property
    def unassigned_visits(self) -> list[Unassigned]:
        """The visits left out."""
        return [u for u in self.unassigned if u.kind == "visit"]

    def route_of(self, bus_id: int) -> BusRoute:
        """The route of one bus, by its id."""
        for route in self.routes:
            if route.bus_id == bus_id:
                return route
        raise KeyError(bus_id)

    def summary(self) -> str:
        """A few readable lines: per bus its visits, then the left-out visits."""
        made = sum(len(r.visit_ids) for r in self.routes)
        lines = [
            f"{'faisable' if self.is_feasible() else 'NON FAISABLE'} : {made} visite(s), "
            f"{len(self.unassigned_visits)} écartée(s), {self.driving_s // 60} min de route, "
            f"{self.distance_m / 1000:.1f} km (calcul {self.solve_s:.2f} s)"
        ]

        def at(t_s: int) -> str:
            return clock(self.clock_origin_s, t_s)

        for route in self.routes:
            names = {"visit": "visite", "pickup": "prise en charge"}
            stops = " → ".join(f"{names[s.kind]} {s.id} à {at(s.start_s)}" for s in route.stops)
            lunch = f", pause {at(route.lunch.start_s)}–{at(route.lunch.end_s)}" if route.lunch else ""
            lines.append(
                f"car {route.bus_id} : départ {at(route.departure_s)}, {stops or 'aucun arrêt'}"
                f"{lunch}, retour {at(route.return_s)}"
            )
        for item in self.unassigned:
            flag = " (obligatoire)" if item.required else ""
            name = "visite" if item.kind == "visit" else "prise en charge"
            lines.append(f"{name} {item.id}{flag} écartée : {item.reason}")
        return "\n".join(lines)
