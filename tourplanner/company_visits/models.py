"""A session's agenda steps and each participant's interest recorded at the debriefing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.models import User
from tourplanner.bookings.models import Participant
from tourplanner.company_visits.enums import AgendaStep, Interest
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column
from tourplanner.tours.models import Tour


class AgendaItem(Base):
    """One step of a company visit session: when and where it happens."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("tour_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    step: Mapped[AgendaStep] = mapped_column(enum_column(AgendaStep))
    start_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300))

    tour: Mapped[Tour] = relationship()


class ParticipantInterest(Base):
    """What a participant said at the debriefing: do they want to go further?"""

    __tablename__ = "participant_interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), unique=True)
    interest: Mapped[Interest] = mapped_column(enum_column(Interest))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    participant: Mapped[Participant] = relationship()
    recorded_by: Mapped[User] = relationship()
