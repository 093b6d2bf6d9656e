"""Tours, their buses, candidate slots, itinerary stops and ambassador assignments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.enums import OrganisationKind
from tourplanner.accounts.models import Organisation, User
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import Slot
from tourplanner.tours.enums import TourKind, TourStatus

if TYPE_CHECKING:
    from tourplanner.bookings.models import Booking


class Tour(Base):
    """A programme day: a ZI Tour by bus, a small-group visit, an immersion or a meeting."""

    __tablename__ = "tours"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="time_order"),
        CheckConstraint("meeting_lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("meeting_lon BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint("boarding_minutes BETWEEN 0 AND 30", name="boarding_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TourKind] = mapped_column(enum_column(TourKind), default=TourKind.ZI_TOUR)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TourStatus] = mapped_column(enum_column(TourStatus), default=TourStatus.DRAFT, index=True)
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime]
    meeting_point_name: Mapped[str] = mapped_column(String(200))
    #: The meeting point's postal address, when it was placed by address; none = placed on the map.
    meeting_address: Mapped[str | None] = mapped_column(String(300))
    meeting_lat: Mapped[float]
    meeting_lon: Mapped[float]
    #: The group meets at `start_at`; the buses leave this many minutes later (0–30).
    boarding_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Bookings close at this time; afterwards only organisers change them.
    booking_deadline_at: Mapped[datetime]
    #: Lunch must start between these two times and last `lunch_minutes` (all three or none).
    lunch_earliest_at: Mapped[datetime | None]
    lunch_latest_at: Mapped[datetime | None]
    lunch_minutes: Mapped[int | None]
    #: Where the group has lunch, as the organiser chose it (restaurant, canteen…): shown in the road book.
    lunch_place: Mapped[str | None] = mapped_column(String(300))
    #: Largest booking a prescriber may make; none = up to a bus's seats.
    max_seats_per_booking: Mapped[int | None]
    #: Fewer confirmed seats than this at `go_no_go_at` and the tour is cancelled; none = no minimum.
    min_participants: Mapped[int | None]
    #: When the minimum of participants is checked (before the start); set with `min_participants`.
    go_no_go_at: Mapped[datetime | None]
    #: When the go/no-go check found enough participants: the tour then goes ahead whatever follows.
    go_confirmed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The organisation (and so the territory) whose organisers manage the tour: its creator's.
    #: None = a tour of organisers without an organisation, managed by them alone.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: Why the tour was cancelled, as told to everyone concerned.
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))
    #: When the itinerary was last computed; none = never optimised.
    optimised_at: Mapped[datetime | None]
    #: A company declined a visit since the last optimisation: the organiser should re-optimise.
    needs_reoptimisation: Mapped[bool] = mapped_column(default=False)
    #: The insertion structure (SIAE) hosting a reverse visit (kind siae_visit); none otherwise.
    host_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: What people were told may be out of date: their calendars are brought up to date at
    #: this time (pushed back by each further change, so that a burst makes one update).
    notify_after_at: Mapped[datetime | None] = mapped_column(index=True)
    #: The first change of the burst not yet sent: the update leaves no later than shortly after it.
    notify_first_at: Mapped[datetime | None]
    #: Counts the changes of what people are told, so that feed validators move even within one clock tick.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    buses: Mapped[list[Bus]] = relationship(
        back_populates="tour", order_by="Bus.position", cascade="all, delete-orphan"
    )
    candidates: Mapped[list[TourCandidate]] = relationship(back_populates="tour", cascade="all, delete-orphan")
    bookings: Mapped[list[Booking]] = relationship(back_populates="tour", order_by="Booking.id")
    ambassadors: Mapped[list[AmbassadorAssignment]] = relationship(back_populates="tour", cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    host_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[host_organisation_id])
    quotas: Mapped[list[TourQuota]] = relationship(
        back_populates="tour", order_by="TourQuota.id", cascade="all, delete-orphan"
    )
    pickup_points: Mapped[list[TourPickupPoint]] = relationship(
        back_populates="tour", order_by="TourPickupPoint.position", cascade="all, delete-orphan"
    )

    @property
    def seats_total(self) -> int:
        """Seats over all buses."""
        return sum(bus.seats for bus in self.buses)

    @property
    def meeting_at(self) -> datetime:
        """When the group meets at the meeting point: the tour's start."""
        return self.start_at

    @property
    def departure_at(self) -> datetime:
        """When the buses leave the meeting point: the start plus the boarding margin."""
        return self.start_at + timedelta(minutes=self.boarding_minutes or 0)

    @property
    def return_at(self) -> datetime:
        """When the last bus is back per the itinerary; the tour's end before there is one."""
        returns = [bus.return_at for bus in self.buses if bus.return_at is not None]
        return max(returns) if returns else self.end_at

    @property
    def has_lunch(self) -> bool:
        """Whether the tour has a lunch break to fit in."""
        return self.lunch_minutes is not None


class Bus(Base):
    """A bus (or the vehicle of a small group) of a tour."""

    __tablename__ = "buses"
    __table_args__ = (
        UniqueConstraint("tour_id", "position"),
        CheckConstraint("seats > 0", name="seats_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    #: Index of the bus in its tour, from 0, as in the API.
    position: Mapped[int]
    seats: Mapped[int]
    label: Mapped[str | None] = mapped_column(String(100))
    #: When the bus leaves the meeting point, per the itinerary (none without one).
    departure_at: Mapped[datetime | None]
    #: The bus's arrival back at the meeting point, per the itinerary.
    return_at: Mapped[datetime | None]
    #: The group's lunch as the optimiser placed it (none without lunch or itinerary).
    lunch_start_at: Mapped[datetime | None]
    lunch_end_at: Mapped[datetime | None]
    #: Where lunch is taken, in French: "en route", "sur place : <site>"…
    lunch_where: Mapped[str | None] = mapped_column(String(200))
    #: The drive back from the last visit to the meeting point, as the optimiser counted it.
    return_drive_seconds: Mapped[int | None]

    tour: Mapped[Tour] = relationship(back_populates="buses")
    stops: Mapped[list[Stop]] = relationship(
        back_populates="bus", order_by="Stop.position", cascade="all, delete-orphan"
    )

    @property
    def meeting_at(self) -> datetime:
        """When this bus's group meets: the tour's start."""
        return self.tour.start_at

    @property
    def planned_return_at(self) -> datetime:
        """When this bus is back: its itinerary's return, else the tour's end."""
        return self.return_at or self.tour.end_at

    @property
    def name(self) -> str:
        """How people call the bus: its label, else "Car 1", "Car 2"…"""
        return self.label or f"Car {self.position + 1}"


class TourQuota(Base):
    """Seats an organisation, or every organisation of a kind, may hold on a tour until a release date."""

    __tablename__ = "tour_quotas"
    __table_args__ = (
        CheckConstraint("seats >= 0", name="seats_not_negative"),
        CheckConstraint("(organisation_id IS NULL) <> (organisation_kind IS NULL)", name="one_holder"),
        UniqueConstraint("tour_id", "organisation_id"),
        UniqueConstraint("tour_id", "organisation_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    #: The organisation limited; or else…
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: …the kind of organisation limited, all its organisations together.
    organisation_kind: Mapped[OrganisationKind | None] = mapped_column(enum_column(OrganisationKind))
    #: Most confirmed and waiting seats the holder may have before `released_at`.
    seats: Mapped[int]
    #: From then on the quota no longer limits anyone; none = it limits until bookings close.
    released_at: Mapped[datetime | None]

    tour: Mapped[Tour] = relationship(back_populates="quotas")
    organisation: Mapped[Organisation | None] = relationship()


class TourPickupPoint(Base):
    """A place where a bus of the tour picks up the participants booked there."""

    __tablename__ = "tour_pickup_points"
    __table_args__ = (
        UniqueConstraint("tour_id", "position"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    #: Index of the pickup point in its tour, from 0, as in the API.
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float]
    lon: Mapped[float]

    tour: Mapped[Tour] = relationship(back_populates="pickup_points")


class TourCandidate(Base):
    """A visit slot the optimiser may use for a tour, and why it was left out if it was."""

    __tablename__ = "tour_candidates"
    __table_args__ = (UniqueConstraint("tour_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    #: In French, for the organiser: why the last optimisation did not place this visit.
    unassigned_reason: Mapped[str | None] = mapped_column(String(500))

    tour: Mapped[Tour] = relationship(back_populates="candidates")
    slot: Mapped[Slot] = relationship()


class Stop(Base):
    """A visit in a bus's itinerary."""

    __tablename__ = "stops"
    __table_args__ = (
        UniqueConstraint("bus_id", "position"),
        UniqueConstraint("tour_id", "slot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    bus_id: Mapped[int] = mapped_column(ForeignKey("buses.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    position: Mapped[int]
    arrival_at: Mapped[datetime]
    #: The visit begins…
    start_at: Mapped[datetime]
    #: …and ends.
    end_at: Mapped[datetime]
    departure_at: Mapped[datetime]
    #: The drive that brings the bus here from where it was before (the meeting point, the
    #: previous visit, pick-ups in between), as the optimiser counted it; none once that
    #: previous place changed without re-optimising.
    drive_seconds: Mapped[int | None]
    #: Locked by the organiser: re-optimising keeps this visit on this bus.
    is_locked: Mapped[bool] = mapped_column(default=False)
    #: Locked in place: besides its bus, the visit keeps its start time.
    is_time_locked: Mapped[bool] = mapped_column(default=False)
    #: The company's answer to this visit; a decline asks the organiser to re-optimise.
    company_response: Mapped[VisitResponse] = mapped_column(enum_column(VisitResponse), default=VisitResponse.PENDING)
    responded_at: Mapped[datetime | None]
    #: Why the company declined, in its words (told to the organiser).
    decline_reason: Mapped[str | None] = mapped_column(String(500))

    bus: Mapped[Bus] = relationship(back_populates="stops")
    slot: Mapped[Slot] = relationship()

    @property
    def is_declined(self) -> bool:
        """The company declined the visit: it no longer takes place, whatever the itinerary still says."""
        return self.company_response is VisitResponse.DECLINED


class AmbassadorAssignment(Base):
    """An ambassador of industry riding a bus of a tour."""

    __tablename__ = "ambassador_assignments"
    __table_args__ = (UniqueConstraint("tour_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    bus_id: Mapped[int] = mapped_column(ForeignKey("buses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tour: Mapped[Tour] = relationship(back_populates="ambassadors")
    bus: Mapped[Bus] = relationship()
    user: Mapped[User] = relationship()
