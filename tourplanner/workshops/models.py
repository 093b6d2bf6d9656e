"""A workshop event's workshops, who registered for them, and their reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.models import User
from tourplanner.db import Base, utcnow
from tourplanner.tours.models import Tour


class Workshop(Base):
    """One workshop of a workshop event: a theme, a capacity and a time slot."""

    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("end_at > start_at", name="time_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    theme: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: People the workshop's room takes; a registration is all or nothing within it.
    capacity: Mapped[int]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    #: The organiser's report after the workshop, as text (Markdown allowed).
    report_text: Mapped[str | None] = mapped_column(Text)
    #: An uploaded report file, kept in the database (size-limited, see operations.REPORT_MAX_BYTES).
    report_filename: Mapped[str | None] = mapped_column(String(200))
    report_content_type: Mapped[str | None] = mapped_column(String(100))
    report_file: Mapped[bytes | None] = mapped_column(LargeBinary)
    report_attached_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tour: Mapped[Tour] = relationship()
    registrations: Mapped[list[WorkshopRegistration]] = relationship(
        back_populates="workshop", order_by="WorkshopRegistration.id", cascade="all, delete-orphan"
    )

    @property
    def has_report(self) -> bool:
        """Whether the organiser attached a report (text or file)."""
        return self.report_text is not None or self.report_file is not None


class WorkshopRegistration(Base):
    """One person registered for a workshop, by a prescriber, a company contact or themselves."""

    __tablename__ = "workshop_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    #: Who made the registration (and sees the report).
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The person's address, lower-case: one workshop per time slot for each address.
    email: Mapped[str] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="registrations")
    registered_by: Mapped[User] = relationship()
