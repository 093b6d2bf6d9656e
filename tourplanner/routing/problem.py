"""Immutable problem data of a bus tour, and the builder that assembles it.

Times are integer seconds from a time origin the caller chooses (the tour's start, say);
distances are integer metres. Every constructor validates its input and raises
``ValueError`` with a message naming the faulty value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tourplanner.routing.travel import HaversineProvider, TravelTimeProvider


def _check_int(name: str, value: object, minimum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


@dataclass(frozen=True)
class Place:
    """A point on the map, WGS84 decimal degrees."""

    lat: float
    lon: float
    name: str = ""

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"latitude must be within [-90, 90], got {self.lat}")
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"longitude must be within [-180, 180], got {self.lon}")


@dataclass(frozen=True)
class TimeWindow:
    """Interval in which a visit may *begin*: [earliest_start_s, latest_start_s].

    ``latest_start_s`` may be before ``earliest_start_s``: the visit is then longer than
    its slot, which the pre-checks explain instead of refusing the whole problem.
    """

    earliest_start_s: int
    latest_start_s: int

    def __post_init__(self) -> None:
        _check_int("earliest_start_s", self.earliest_start_s)
        _check_int("latest_start_s", self.latest_start_s)

    @classmethod
    def for_slot(cls, slot_start_s: int, slot_end_s: int, visit_s: int) -> TimeWindow:
        """The start window of a ``visit_s`` long visit inside a slot [start, end]."""
        if slot_end_s < slot_start_s:
            raise ValueError(f"slot ends ({slot_end_s}) before it starts ({slot_start_s})")
        return cls(slot_start_s, slot_end_s - visit_s)

    @property
    def is_empty(self) -> bool:
        """True when no start time fits."""
        return self.latest_start_s < self.earliest_start_s


@dataclass(frozen=True)
class Visit:
    """A company visit a bus may make: the caller's id (a slot id, say) and its rules."""

    id: int
    place: int
    windows: tuple[TimeWindow, ...]
    duration_s: int
    max_group: int
    is_accessible: bool = True
    required: bool = False
    priority: int = 1
    #: id of the only bus that may make it (a visit locked to a bus), or None for any
    bus: int | None = None

    def __post_init__(self) -> None:
        _check_int("visit id", self.id)
        _check_int(f"visit {self.id}: place", self.place, 0)
        windows = tuple(w if isinstance(w, TimeWindow) else TimeWindow(*w) for w in self.windows)
        if not windows:
            raise ValueError(f"visit {self.id}: at least one time window is needed")
        object.__setattr__(self, "windows", tuple(sorted(windows, key=lambda w: w.earliest_start_s)))
        _check_int(f"visit {self.id}: duration_s", self.duration_s, 0)
        _check_int(f"visit {self.id}: max_group", self.max_group, 0)
        _check_int(f"visit {self.id}: priority", self.priority, 1)

    @property
    def usable_windows(self) -> tuple[TimeWindow, ...]:
        """Windows in which at least one start time fits."""
        return tuple(w for w in self.windows if not w.is_empty)


@dataclass(frozen=True)
class Break:
    """A break (lunch) of ``duration_s`` that must begin within [earliest_s, latest_s]."""

    earliest_s: int
    latest_s: int
    duration_s: int

    def __post_init__(self) -> None:
        _check_int("break earliest_s", self.earliest_s)
        _check_int("break latest_s", self.latest_s)
        _check_int("break duration_s", self.duration_s, 1)
        if self.latest_s < self.earliest_s:
            raise ValueError(f"break latest start ({self.latest_s}) is before its earliest start ({self.earliest_s})")


@dataclass(frozen=True)
class Bus:
    """A bus: its seats, its group on board and its working day."""

    id: int
    seats: int
    start: int
    end: int
    start_s: int
    end_s: int
    load: int = 0
    max_duration_s: int | None = None
    lunch: Break | None = None
    carries_reduced_mobility: bool = False

    def __post_init__(self) -> None:
        _check_int("bus id", self.id)
        _check_int(f"bus {self.id}: seats", self.seats, 1)
        _check_int(f"bus {self.id}: start place", self.start, 0)
        _check_int(f"bus {self.id}: end place", self.end, 0)
        _check_int(f"bus {self.id}: start_s", self.start_s)
        _check_int(f"bus {self.id}: end_s", self.end_s)
        _check_int(f"bus {self.id}: load", self.load, 0)
        if self.end_s < self.start_s:
            raise ValueError(
                f"bus {self.id}: must be back (end_s={self.end_s}) after it leaves (start_s={self.start_s})"
            )
        if self.load > self.seats:
            raise ValueError(f"bus {self.id}: {self.load} passengers booked for {self.seats} seats")
        if self.max_duration_s is not None:
            _check_int(f"bus {self.id}: max_duration_s", self.max_duration_s, 0)


@dataclass(frozen=True)
class Pickup:
    """Passengers booked at a pick-up point; the bus that stops there takes them on board."""

    id: int
    place: int
    seats: int
    window: TimeWindow | None = None
    duration_s: int = 300
    bus: int | None = None  #: id of the bus that must serve it, or None for any

    def __post_init__(self) -> None:
        _check_int("pickup id", self.id)
        _check_int(f"pickup {self.id}: place", self.place, 0)
        _check_int(f"pickup {self.id}: seats", self.seats, 1)
        _check_int(f"pickup {self.id}: duration_s", self.duration_s, 0)
        if self.window is not None and not isinstance(self.window, TimeWindow):
            object.__setattr__(self, "window", TimeWindow(*self.window))


def _frozen_matrix(name: str, values, n: int) -> np.ndarray:
    matrix = np.array(values, dtype=np.int64, copy=True)
    if matrix.shape != (n, n):
        raise ValueError(f"{name} must be a {n}x{n} matrix (one row per place), got shape {matrix.shape}")
    if (matrix < 0).any():
        raise ValueError(f"{name} must not be negative")
    matrix.flags.writeable = False
    return matrix


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs, checked once and never changed.

    ``durations_s[a, b]`` and ``distances_m[a, b]`` are the drive from place a to place b.
    ``clock_origin_s`` is what time 0 means, in seconds after midnight; it is used only to
    write clock times in explanations.
    """

    places: tuple[Place, ...]
    durations_s: np.ndarray
    distances_m: np.ndarray
    visits: tuple[Visit, ...]
    buses: tuple[Bus, ...]
    pickups: tuple[Pickup, ...] = ()
    clock_origin_s: int = 0

    def __post_init__(self) -> None:
        n = len(self.places)
        object.__setattr__(self, "places", tuple(self.places))
        object.__setattr__(self, "visits", tuple(self.visits))
        object.__setattr__(self, "buses", tuple(self.buses))
        object.__setattr__(self, "pickups", tuple(self.pickups))
        object.__setattr__(self, "durations_s", _frozen_matrix("durations_s", self.durations_s, n))
        object.__setattr__(self, "distances_m", _frozen_matrix("distances_m", self.distances_m, n))
        if not self.buses:
            raise ValueError("a problem needs at least one bus")
        for kind, items in (("visit", self.visits), ("bus", self.buses), ("pickup", self.pickups)):
            ids = [item.id for item in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{kind} ids must be unique")
        for item in (*self.visits, *self.pickups):
            if item.place >= n:
                raise ValueError(f"{type(item).__name__.lower()} {item.id}: unknown place {item.place}")
        bus_ids = {c.id for c in self.buses}
        for bus in self.buses:
            if bus.start >= n or bus.end >= n:
                raise ValueError(f"bus {bus.id}: unknown start or end place")
        for pickup in self.pickups:
            if pickup.bus is not None and pickup.bus not in bus_ids:
                raise ValueError(f"pickup {pickup.id}: unknown bus {pickup.bus}")
        _check_int("clock_origin_s", self.clock_origin_s)

    def __hash__(self) -> int:  # arrays are not hashable; identity is enough
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


@dataclass
class ProblemBuilder:
    """Collects places, visits, buses and pick-ups, then builds a :class:`Problem`."""

    clock_origin_s: int = 0
    places: list[Place] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    buses: list[Bus] = field(default_factory=list)
    pickups: list[Pickup] = field(default_factory=list)

    def add_place(self, lat: float, lon: float, name: str = "") -> int:
        """Add a place; returns its index."""
        self.places.append(Place(lat, lon, name))
        return len(self.places) - 1

    def add_visit(
        self,
        id: int,
        place: int,
        windows: Iterable[TimeWindow | tuple[int, int]],
        duration_s: int,
        max_group: int,
        *,
        is_accessible: bool = True,
        required: bool = False,
        priority: int = 1,
        bus: int | None = None,
    ) -> Visit:
        """Add a visit that may begin in any of ``windows`` (only by ``bus`` when given)."""
        visit = Visit(id, place, tuple(windows), duration_s, max_group, is_accessible, required, priority, bus)
        self.visits.append(visit)
        return visit

    def add_bus(
        self,
        id: int,
        seats: int,
        start: int,
        end: int,
        start_s: int,
        end_s: int,
        *,
        load: int = 0,
        max_duration_s: int | None = None,
        lunch: Break | None = None,
        carries_reduced_mobility: bool = False,
    ) -> Bus:
        """Add a bus leaving ``start`` at ``start_s`` (it may wait at a site), back at ``end`` by ``end_s``."""
        bus = Bus(id, seats, start, end, start_s, end_s, load, max_duration_s, lunch, carries_reduced_mobility)
        self.buses.append(bus)
        return bus

    def add_pickup(
        self,
        id: int,
        place: int,
        seats: int,
        *,
        window: TimeWindow | tuple[int, int] | None = None,
        duration_s: int = 300,
        bus: int | None = None,
    ) -> Pickup:
        """Add a pick-up point where ``seats`` passengers board."""
        pickup = Pickup(id, place, seats, window, duration_s, bus)
        self.pickups.append(pickup)
        return pickup

    def build(
        self,
        provider: TravelTimeProvider | None = None,
        *,
        durations_s: Sequence[Sequence[int]] | np.ndarray | None = None,
        distances_m: Sequence[Sequence[int]] | np.ndarray | None = None,
    ) -> Problem:
        """The immutable problem; travel from ``provider`` (haversine by default) or given matrices."""
        if (durations_s is None) != (distances_m is None):
            raise ValueError("give both durations_s and distances_m, or neither")
        if durations_s is None:
            provider = provider if provider is not None else HaversineProvider()
            durations_s, distances_m = provider.matrix([(p.lat, p.lon) for p in self.places])
        return Problem(
            tuple(self.places),
            durations_s,
            distances_m,
            tuple(self.visits),
            tuple(self.buses),
            tuple(self.pickups),
            self.clock_origin_s,
        )
