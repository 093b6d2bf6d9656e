"""Bookings and their participants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column
from tourplanner.tours.models import Bus, Tour, TourPickupPoint


class Booking(Base):
    """Seats a prescriber booked on a tour, for themselves or the people they accompany."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        UniqueConstraint("prescriber_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    # Looked up through ix_bookings_feed (calendar.models), whose first column it is.
    prescriber_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The prescriber's organisation when booking (quotas and no-show figures count by it).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    seats: Mapped[int]
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus), index=True)
    #: The bus the seats are on, once confirmed.
    bus_id: Mapped[int | None] = mapped_column(ForeignKey("buses.id"), index=True)
    #: Where the booking's participants board the bus, on a tour with pickup points.
    pickup_point_id: Mapped[int | None] = mapped_column(ForeignKey("tour_pickup_points.id"), index=True)
    #: The client's Idempotency-Key header, unique per prescriber.
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    tour: Mapped[Tour] = relationship(back_populates="bookings")
    prescriber: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    bus: Mapped[Bus | None] = relationship()
    pickup_point: Mapped[TourPickupPoint | None] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="booking", order_by="Participant.id", cascade="all, delete-orphan"
    )


class Participant(Base):
    """A person a booking's seat is for."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    #: Needs a site accessible to people with reduced mobility.
    has_reduced_mobility: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[Attendance | None] = mapped_column(enum_column(Attendance))

    booking: Mapped[Booking] = relationship(back_populates="participants")
