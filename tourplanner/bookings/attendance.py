"""Attendance on the day of a tour, and no-show figures per organisation.

Rules, in the users' words:
- Organisers, and the ambassadors assigned to the tour (whatever their bus), take the
  attendance; no one else may see or change it.
- Attendance is taken for confirmed bookings only, from the tour's day (Europe/Paris)
  onwards, on a tour that is open, closed or done — never on a draft or a cancelled tour.
- Every seat is a person: a booking made without names has its seats taken as
  "Participant 1", "Participant 2"… When the attendance is open, the sheet gives each such
  unnamed seat a participant row of its own (created once, under the tour's lock), so that
  attendance is always recorded per participant, in the pages and the API alike, and no
  seat is counted twice. Before that day the sheet shows the unnamed seats without rows.
- No-show figures count the confirmed seats of tours that are done or whose end has
  passed: present, absent, not recorded; the no-show rate is absent ÷ (present + absent),
  among the seats whose attendance was recorded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser, require_role
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.bookings.operations import lock_tour
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.timeutil import local_zone, to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Bus, Tour
from tourplanner.tours.queries import managed_by, manages_tour

#: Tours whose attendance may be taken (from their day onwards).
ATTENDANCE_STATUSES = (TourStatus.PUBLISHED, TourStatus.CLOSED, TourStatus.DONE)
#: Name given to an unnamed seat; {number} counts the booking's seats from 1.
UNNAMED_SEAT = "Participant {number}"
#: What organisations are called when a booking has none.
NO_ORGANISATION = "Sans organisation"


# --- who and when ----------------------------------------------------------------------


def may_take_attendance(tour: Tour, user: User) -> bool:
    """The tour's organisers (of its territory), and ambassadors assigned to it."""
    if user.role is Role.ORGANISER:
        return manages_tour(user, tour)
    if user.role is Role.AMBASSADOR:
        return any(assignment.user_id == user.id for assignment in tour.ambassadors)
    return False


def check_may_take_attendance(tour: Tour, user: User) -> None:
    """Refuse (403) anyone but organisers and the tour's ambassadors."""
    require_role(user, Role.ORGANISER, Role.AMBASSADOR)
    if not may_take_attendance(tour, user):
        raise PermissionDenied("la présence de ce tour est relevée par les organisateurs et ses ambassadeurs")


def attendance_opens_at(tour: Tour) -> datetime:
    """Midnight (local time) of the tour's day: attendance may be recorded from then on."""
    day = to_local(tour.start_at).date()
    return datetime.combine(day, time(0, 0), tzinfo=local_zone())


def is_attendance_open(tour: Tour, now: datetime | None = None) -> bool:
    """Whether attendance may be recorded now."""
    return tour.status in ATTENDANCE_STATUSES and (now or utcnow()) >= attendance_opens_at(tour)


def check_attendance_open(tour: Tour, now: datetime | None = None) -> None:
    """Conflict (409) unless attendance may be recorded now, saying why in French."""
    if tour.status not in ATTENDANCE_STATUSES:
        raise Conflict(f"ce tour est {tour.status.label.lower()} : on n'y relève pas de présence")
    if (now or utcnow()) < attendance_opens_at(tour):
        opens = to_local(tour.start_at)
        raise Conflict(f"la présence se relève à partir du jour du tour, le {opens:%d/%m/%Y}")


# --- the sheet -------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatLine:
    """One seat of a confirmed booking: its participant row, or None for an unnamed seat before the day."""

    booking: Booking
    number: int
    participant: Participant | None

    @property
    def name(self) -> str:
        """The participant's name, or "Participant n" for an unnamed seat."""
        return self.participant.name if self.participant is not None else UNNAMED_SEAT.format(number=self.number)

    @property
    def attendance(self) -> Attendance | None:
        """Present, absent, or None when not recorded yet."""
        return self.participant.attendance if self.participant is not None else None

    @property
    def has_reduced_mobility(self) -> bool:
        """Whether the person needs accessible sites."""
        return self.participant is not None and self.participant.has_reduced_mobility


@dataclass(frozen=True)
class Counts:
    """Seats confirmed, and how many were present, absent, or not recorded."""

    confirmed: int = 0
    present: int = 0
    absent: int = 0

    @property
    def not_recorded(self) -> int:
        """Seats whose attendance nobody recorded."""
        return self.confirmed - self.present - self.absent

    @property
    def no_show_rate(self) -> float | None:
        """Absent ÷ recorded seats (0 to 1); None when nothing was recorded."""
        recorded = self.present + self.absent
        return self.absent / recorded if recorded else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.confirmed + other.confirmed, self.present + other.present, self.absent + other.absent)


@dataclass(frozen=True)
class BusSheet:
    """The attendance sheet of one bus: its seats, booking by booking."""

    bus: Bus | None
    lines: list[SeatLine] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The bus's name."""
        return self.bus.name if self.bus is not None else "Sans car"

    @property
    def counts(self) -> Counts:
        """Seats, present and absent on this bus."""
        return Counts(
            confirmed=len(self.lines),
            present=sum(1 for line in self.lines if line.attendance is Attendance.PRESENT),
            absent=sum(1 for line in self.lines if line.attendance is Attendance.ABSENT),
        )


@dataclass(frozen=True)
class AttendanceSheet:
    """A tour's attendance sheet: a sheet per bus, and whether attendance may be recorded now."""

    tour: Tour
    buses: list[BusSheet]
    is_open: bool

    @property
    def counts(self) -> Counts:
        """Totals over the buses."""
        return sum((bus.counts for bus in self.buses), Counts())


def attendance_sheet(tour: Tour, user: User, now: datetime | None = None) -> AttendanceSheet:
    """The tour's confirmed seats per bus, for organisers and the tour's ambassadors.

    Once attendance is open, unnamed seats get their participant rows (flushed, not
    committed: the caller commits).
    """
    check_may_take_attendance(tour, user)
    is_open = is_attendance_open(tour, now)
    bookings = _confirmed_bookings(tour)
    if is_open and any(len(b.participants) < b.seats for b in bookings):
        tour = lock_tour(tour.id)
        bookings = _confirmed_bookings(tour)  # as committed, now that we hold the lock
        for booking in bookings:
            _fill_unnamed_seats(booking)
        db.session.flush()
    by_bus: dict[int | None, list[SeatLine]] = defaultdict(list)
    for booking in bookings:
        by_bus[booking.bus_id].extend(_lines(booking))
    buses = [BusSheet(bus, by_bus.pop(bus.id, [])) for bus in tour.buses]
    if by_bus.get(None):
        buses.append(BusSheet(None, by_bus[None]))
    return AttendanceSheet(tour, buses, is_open)


def _confirmed_bookings(tour: Tour) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.tour_id == tour.id, Booking.status == BookingStatus.CONFIRMED)
            .order_by(Booking.id)
            .options(selectinload(Booking.participants), selectinload(Booking.organisation))
            .execution_options(populate_existing=True)
        )
    )


def _fill_unnamed_seats(booking: Booking) -> None:
    """Give each seat booked without a name a participant row: "Participant n"."""
    for number in range(len(booking.participants) + 1, booking.seats + 1):
        booking.participants.append(Participant(name=UNNAMED_SEAT.format(number=number)))


def _lines(booking: Booking) -> list[SeatLine]:
    named = [SeatLine(booking, index + 1, p) for index, p in enumerate(booking.participants[: booking.seats])]
    unnamed = [SeatLine(booking, number, None) for number in range(len(named) + 1, booking.seats + 1)]
    return named + unnamed


# --- recording -------------------------------------------------------------------------


def get_participant(participant_id: int, user: User) -> Participant:
    """The participant with this id, for those who may take its tour's attendance; else 403/404."""
    require_role(user, Role.ORGANISER, Role.AMBASSADOR)
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        raise NotFound(f"aucun participant n°{participant_id}")
    check_may_take_attendance(participant.booking.tour, user)
    return participant


def record_attendance(
    participant: Participant, attendance: Attendance, user: User, now: datetime | None = None
) -> Participant:
    """Record that a participant of a confirmed booking was present or absent on the day."""
    booking = participant.booking
    tour = booking.tour
    check_may_take_attendance(tour, user)
    if booking.status is not BookingStatus.CONFIRMED:
        raise Conflict(f"la réservation de {participant.name} n'est pas confirmée ({booking.status.label.lower()})")
    check_attendance_open(tour, now)
    previous = participant.attendance
    participant.attendance = attendance
    db.session.flush()
    if previous is not attendance:
        record(
            user,
            "participant.attendance",
            participant,
            tour_id=tour.id,
            booking_id=booking.id,
            attendance=attendance.value,
            previous=previous.value if previous is not None else None,
        )
    return participant


# --- no-show figures -------------------------------------------------------------------


@dataclass(frozen=True)
class NoShowRow:
    """Figures for one organisation or one kind of organisation."""

    label: str
    counts: Counts
    kind: OrganisationKind | None = None


@dataclass(frozen=True)
class NoShowReport:
    """No-show figures per organisation, per kind of organisation, and overall."""

    organisations: list[NoShowRow]
    kinds: list[NoShowRow]
    total: Counts


def no_show_figures(user: User, now: datetime | None = None) -> NoShowReport:
    """No-show figures over the confirmed seats of the organiser's tours (their territory's) that are done or past."""
    require_organiser(user)
    now = now or utcnow()
    bookings = db.session.scalars(
        select(Booking)
        .join(Tour, Booking.tour_id == Tour.id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            managed_by(user),
            or_(
                Tour.status == TourStatus.DONE,
                Tour.status.in_((TourStatus.PUBLISHED, TourStatus.CLOSED)) & (Tour.end_at < now),
            ),
        )
        .options(selectinload(Booking.participants), selectinload(Booking.organisation))
    )
    by_organisation: dict[int | None, Counts] = defaultdict(Counts)
    by_kind: dict[OrganisationKind | None, Counts] = defaultdict(Counts)
    organisations = {}
    for booking in bookings:
        counts = _booking_counts(booking)
        by_organisation[booking.organisation_id] += counts
        organisations[booking.organisation_id] = booking.organisation
        kind = booking.organisation.kind if booking.organisation is not None else None
        by_kind[kind] += counts
    organisation_rows = [
        NoShowRow(
            organisations[key].name if organisations[key] is not None else NO_ORGANISATION,
            counts,
            organisations[key].kind if organisations[key] is not None else None,
        )
        for key, counts in by_organisation.items()
    ]
    kind_rows = [
        NoShowRow(kind.label if kind is not None else NO_ORGANISATION, counts, kind) for kind, counts in by_kind.items()
    ]
    organisation_rows.sort(key=lambda row: row.label.lower())
    kind_rows.sort(key=lambda row: row.label.lower())
    total = sum((row.counts for row in kind_rows), Counts())
    return NoShowReport(organisation_rows, kind_rows, total)


def _booking_counts(booking: Booking) -> Counts:
    seats = booking.participants[: booking.seats]
    return Counts(
        confirmed=booking.seats,
        present=sum(1 for p in seats if p.attendance is Attendance.PRESENT),
        absent=sum(1 for p in seats if p.attendance is Attendance.ABSENT),
    )
