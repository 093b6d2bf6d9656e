"""Read-only views for planning a tour: slots to offer, and each bus's day laid out in time.

Nothing here changes the database, and nothing computes a travel time. The stored itinerary
keeps, per stop, arrival, start, end, departure and the drive that led there (and per bus
its lunch and the drive back), as the optimiser counted them; the day's parts (driving,
waiting, lunch) are laid out from those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tourplanner.bookings.enums import BookingStatus
from tourplanner.extensions import db
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.itinerary import USABLE_SLOT_STATUSES
from tourplanner.tours.models import Bus, Stop, Tour
from tourplanner.tours.seats import seats_of_tour

#: Times within this many seconds are taken as equal (stored times are whole seconds).
TOLERANCE_S = 90

#: One colour per bus, on the map and beside its name; dark enough for white text.
BUS_COLOURS = ("#1d4e89", "#a4161a", "#1e6b3a", "#8a4b00", "#6a1b9a", "#00606b", "#4a5360", "#9c2a6b")

#: The parts of a bus's day, as the timeline names them.
SEGMENT_LABELS = {
    "drive": "Trajet",
    "visit": "Visite",
    "wait": "Attente",
    "lunch": "Déjeuner",
}


@dataclass(frozen=True)
class CandidateRow:
    """A slot the organiser may tick for a tour, and whether it is ticked."""

    slot: Slot
    is_candidate: bool
    #: False when the slot's status no longer allows it (it cannot be sent again).
    is_usable: bool


def candidate_slots(tour: Tour) -> list[CandidateRow]:
    """Offered or accepted slots whose window overlaps the tour's hours, plus its current candidates."""
    chosen = {c.slot_id for c in tour.candidates}
    query = (
        select(Slot)
        .options(joinedload(Slot.site).joinedload(Site.organisation))
        .where(
            Slot.status.in_(USABLE_SLOT_STATUSES),
            Slot.start_at < tour.end_at,
            Slot.end_at > tour.start_at,
        )
    )
    slots = {slot.id: slot for slot in db.session.scalars(query).unique()}
    for candidate in tour.candidates:
        slots.setdefault(candidate.slot_id, candidate.slot)
    ordered = sorted(
        slots.values(), key=lambda s: (s.site.organisation.name.lower(), s.site.name.lower(), s.start_at, s.id)
    )
    return [CandidateRow(s, s.id in chosen, s.status in USABLE_SLOT_STATUSES) for s in ordered]


@dataclass(frozen=True)
class Segment:
    """A part of a bus's day: driving, a visit, waiting or lunch."""

    kind: str
    start_at: datetime
    end_at: datetime
    #: What or where, in French: the site visited, "en route"…
    detail: str = ""

    @property
    def label(self) -> str:
        """The part's name in French."""
        return SEGMENT_LABELS[self.kind]

    @property
    def minutes(self) -> int:
        """Its length in minutes, as its clock times read (10:58–11:00 is 2 minutes)."""
        return int((_to_minute(self.end_at) - _to_minute(self.start_at)).total_seconds() // 60)


@dataclass(frozen=True)
class LunchPlan:
    """Where and when a bus's group has lunch, as laid out from the stored itinerary."""

    start_at: datetime
    end_at: datetime
    #: In French: "à <site>, avant la visite", "en route", "au retour"…
    where: str


@dataclass
class BusDay:
    """One bus's day: when it leaves the meeting point, its parts, its lunch and its return."""

    bus: Bus
    colour: str
    stops: list[Stop]
    departure_at: datetime | None = None
    return_at: datetime | None = None
    segments: list[Segment] = field(default_factory=list)
    lunch: LunchPlan | None = None
    #: Seats confirmed on this bus.
    passengers: int = 0
    #: Names of the ambassadors riding this bus.
    ambassadors: list[str] = field(default_factory=list)


def bus_days(tour: Tour) -> list[BusDay]:
    """Every bus's day laid out in time, from the stored stops and the drives the optimiser counted."""
    days = []
    confirmed = seats_of_tour(tour).confirmed_by_bus
    for bus in tour.buses:
        day = BusDay(bus, BUS_COLOURS[bus.position % len(BUS_COLOURS)], list(bus.stops))
        day.passengers = confirmed.get(bus.id, 0)
        day.ambassadors = sorted(a.user.name for a in tour.ambassadors if a.bus_id == bus.id)
        if day.stops:
            _lay_out(tour, day)
        days.append(day)
    return days


def _lay_out(tour: Tour, day: BusDay) -> None:
    """Fill `day`'s departure, segments and lunch from its stops' stored drives.

    A drive not stored (a stop whose previous place changed since the optimiser ran, an
    itinerary from before drives were kept) is shown as the whole gap between the two places.
    """
    stops = day.stops
    lunch_s = (tour.lunch_minutes or 0) * 60
    stored = day.bus.lunch_start_at is not None and day.bus.lunch_end_at is not None
    # With the optimiser's own lunch stored, lay out the day without it, then cut it in.
    lunch_open = tour.has_lunch and not stored
    segments: list[Segment] = []

    def add(kind: str, start: datetime, end: datetime, detail: str = "") -> None:
        # Under a minute of driving or waiting is noise on a timeline read in minutes.
        if (end - start).total_seconds() >= (1 if kind == "visit" else 60):
            segments.append(Segment(kind, start, end, detail))

    def place_lunch(start: datetime, where: str) -> datetime:
        nonlocal lunch_open
        lunch_open = False
        end = start + timedelta(seconds=lunch_s)
        day.lunch = LunchPlan(start, end, where)
        add("lunch", start, end, where)
        return end

    def leg(start: datetime, end: datetime, drive_s: int | None, where: str) -> None:
        """From one place to the next: driving, perhaps lunch on the road, then waiting."""
        gap_s = (end - start).total_seconds()
        drive_s = int(gap_s) if drive_s is None else min(drive_s, int(gap_s))
        after_drive = start + timedelta(seconds=drive_s)
        add("drive", start, after_drive, where)
        if lunch_open and gap_s - drive_s >= lunch_s - TOLERANCE_S and _in_window(tour, after_drive):
            after_drive = place_lunch(min(after_drive, end - timedelta(seconds=lunch_s)), "en route")
        add("wait", after_drive, end)

    first = stops[0]
    # The bus leaves at its stored departure (the meeting time plus the boarding margin).
    day.departure_at = day.bus.departure_at or first.arrival_at - timedelta(seconds=first.drive_seconds or 0)
    leg(day.departure_at, first.arrival_at, first.drive_seconds, f"vers {first.slot.site.name}")
    for position, stop in enumerate(stops, start=1):
        name = stop.slot.site.name
        if position > 1:
            previous = stops[position - 2]
            leg(previous.departure_at, stop.arrival_at, stop.drive_seconds, f"vers {name}")
        # Waiting before the visit: lunch may be taken there, on arrival.
        wait_start = stop.arrival_at
        if lunch_open and (stop.start_at - stop.arrival_at).total_seconds() >= lunch_s - TOLERANCE_S:
            begin = max(stop.arrival_at, tour.lunch_earliest_at)
            if begin <= tour.lunch_latest_at and begin + timedelta(seconds=lunch_s) <= stop.start_at + timedelta(
                seconds=TOLERANCE_S
            ):
                add("wait", stop.arrival_at, begin)
                wait_start = place_lunch(
                    min(begin, stop.start_at - timedelta(seconds=lunch_s)), f"sur place, avant la visite ({name})"
                )
        add("wait", wait_start, stop.start_at)
        add("visit", stop.start_at, stop.end_at, name)
        # The bus only stays after the visit to have lunch there.
        linger_s = (stop.departure_at - stop.end_at).total_seconds()
        if lunch_open and linger_s >= lunch_s - TOLERANCE_S:
            begin = stop.departure_at - timedelta(seconds=lunch_s)
            add("wait", stop.end_at, begin)
            place_lunch(begin, f"sur place, après la visite ({name})")
        else:
            add("wait", stop.end_at, stop.departure_at)
    last = stops[-1]
    day.return_at = day.bus.return_at or last.departure_at + timedelta(seconds=day.bus.return_drive_seconds or 0)
    leg(last.departure_at, day.return_at, day.bus.return_drive_seconds, "retour au rendez-vous")
    if lunch_open:  # a short day: lunch once back
        place_lunch(max(day.return_at, tour.lunch_earliest_at), "au retour, au point de rendez-vous")
    if stored:
        day.lunch = LunchPlan(day.bus.lunch_start_at, day.bus.lunch_end_at, day.bus.lunch_where or "")
        segments = _cut_in(segments, day.lunch)
    day.segments = segments


def _cut_in(segments: list[Segment], lunch: LunchPlan) -> list[Segment]:
    """The day with `lunch` in it: driving or waiting it overlaps is split around it."""
    before = [s for s in segments if s.end_at <= lunch.start_at]
    after = [s for s in segments if s.start_at >= lunch.end_at]
    cut: list[Segment] = []
    for segment in segments:
        if segment in before or segment in after:
            continue
        if segment.start_at < lunch.start_at:
            before.append(Segment(segment.kind, segment.start_at, lunch.start_at, segment.detail))
        if segment.end_at > lunch.end_at:
            cut.append(Segment(segment.kind, lunch.end_at, segment.end_at, segment.detail))
    lunch_part = Segment("lunch", lunch.start_at, lunch.end_at, lunch.where)
    return sorted(before, key=lambda s: s.start_at) + [lunch_part] + sorted(cut + after, key=lambda s: s.start_at)


def _to_minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _in_window(tour: Tour, at: datetime) -> bool:
    """Whether lunch may begin at `at` (or soon after, when waiting)."""
    return tour.lunch_latest_at is not None and at <= tour.lunch_latest_at + timedelta(seconds=TOLERANCE_S)


@dataclass(frozen=True)
class Passenger:
    """A person on a bus, as the road book lists them for the ambassadors and the driver."""

    name: str
    #: Who booked them (prescriber, organisation): whom to call about them.
    booked_by: str
    #: Where they board; none = at the meeting point.
    pickup_point: str | None
    has_reduced_mobility: bool
    #: Seats booked without a name (a booking for 3 naming 1 leaves 2): counted on one line.
    unnamed_seats: int = 0


def passengers_by_bus(tour: Tour) -> dict[int, list[Passenger]]:
    """Bus id → the confirmed passengers riding it, by pickup point then name; one statement."""
    from tourplanner.accounts.models import Organisation, User
    from tourplanner.bookings.models import Booking, Participant
    from tourplanner.tours.models import TourPickupPoint

    rows = db.session.execute(
        select(Booking, User.name, Organisation.name, TourPickupPoint.name, Participant)
        .join(User, User.id == Booking.prescriber_id)
        .outerjoin(Organisation, Organisation.id == Booking.organisation_id)
        .outerjoin(TourPickupPoint, TourPickupPoint.id == Booking.pickup_point_id)
        .outerjoin(Participant, Participant.booking_id == Booking.id)
        .where(Booking.tour_id == tour.id, Booking.status == BookingStatus.CONFIRMED, Booking.bus_id.is_not(None))
        .order_by(Booking.id, Participant.id)
    ).all()
    named: dict[int, int] = {}
    result: dict[int, list[Passenger]] = {}
    bookings: dict[int, tuple[Booking, str, str | None]] = {}
    for booking, prescriber, organisation, pickup, participant in rows:
        booked_by = f"{prescriber} ({organisation})" if organisation else prescriber
        bookings[booking.id] = (booking, booked_by, pickup)
        if participant is not None:
            named[booking.id] = named.get(booking.id, 0) + 1
            result.setdefault(booking.bus_id, []).append(
                Passenger(participant.name, booked_by, pickup, participant.has_reduced_mobility)
            )
    for booking_id, (booking, booked_by, pickup) in bookings.items():
        unnamed = booking.seats - named.get(booking_id, 0)
        if unnamed > 0:
            result.setdefault(booking.bus_id, []).append(Passenger("", booked_by, pickup, False, unnamed_seats=unnamed))
    for passengers in result.values():
        passengers.sort(key=lambda p: (p.pickup_point or "", p.unnamed_seats > 0, p.name.casefold()))
    return result


def timeline_span(tour: Tour, days: list[BusDay]) -> tuple[datetime, datetime]:
    """The hours the timelines cover: the tour's, widened to every departure and return."""
    start = min([tour.start_at] + [d.departure_at for d in days if d.departure_at])
    end = max([tour.end_at] + [s.end_at for d in days for s in d.segments])
    return start, end
