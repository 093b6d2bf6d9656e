"""Perception answers, outcomes, the host company's assessment, and what was asked by mail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.models import Booking, Participant
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column
from tourplanner.impact.enums import Contract, Moment, OutcomeKind, Respondent
from tourplanner.tours.models import Tour

#: Months of retention before participants' personal data is anonymised, unless the organiser sets another.
DEFAULT_RETENTION_MONTHS = 24


class PerceptionAnswer(Base):
    """A prescriber's or a company contact's view of industry (or of people in retraining), before or after a tour."""

    __tablename__ = "perception_answers"
    __table_args__ = (
        UniqueConstraint("tour_id", "user_id", "moment"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    respondent: Mapped[Respondent] = mapped_column(enum_column(Respondent))
    moment: Mapped[Moment] = mapped_column(enum_column(Moment))
    #: The headline statement's score, 1 (pas du tout d'accord) to 5 (tout à fait d'accord): it decides "improved".
    score: Mapped[int]
    #: The other statements' scores, by question key (1–5 each).
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    tour: Mapped[Tour] = relationship()
    user: Mapped[User] = relationship()


class PerceptionRequest(Base):
    """A perception questionnaire mailed to someone for a tour and a moment (and its one reminder)."""

    __tablename__ = "perception_requests"
    __table_args__ = (UniqueConstraint("tour_id", "user_id", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    moment: Mapped[Moment] = mapped_column(enum_column(Moment))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The single reminder, when the questionnaire was still unanswered.
    reminded_at: Mapped[datetime | None]


class Outcome(Base):
    """What followed a visit for a participant, as their prescriber recorded it."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[OutcomeKind] = mapped_column(enum_column(OutcomeKind), index=True)
    #: The contract of a recruitment; none for other kinds or when not said.
    contract: Mapped[Contract | None] = mapped_column(enum_column(Contract))
    #: When it happened (the contract's, training's or internship's start), a local date.
    occurred_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant] = relationship()


class OutcomeRequest(Base):
    """A mail asking a prescriber what became of their people, some months after a tour."""

    __tablename__ = "outcome_requests"
    __table_args__ = (UniqueConstraint("tour_id", "prescriber_id", "months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    prescriber_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: 1, 3 or 6: months after the tour.
    months: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class CompanyAssessment(Base):
    """The host company's assessment of a visit it received."""

    __tablename__ = "company_assessments"
    __table_args__ = (
        UniqueConstraint("tour_id", "organisation_id"),
        CheckConstraint("visitors >= 0", name="visitors_not_negative"),
        CheckConstraint("profiles_spotted >= 0", name="profiles_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    went_as_planned: Mapped[bool]
    #: How many people came, as the company counted them.
    visitors: Mapped[int | None]
    #: How many visitors the company would like to see again (profiles spotted).
    profiles_spotted: Mapped[int | None]
    intends_to_recruit: Mapped[bool] = mapped_column(default=False)
    intends_immersion: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class ImpactSettings(Base):
    """The organisers' settings of the impact loop (a single row)."""

    __tablename__ = "impact_settings"
    __table_args__ = (CheckConstraint("retention_months BETWEEN 1 AND 120", name="retention_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Participants' personal data is anonymised this many months after their tour.
    retention_months: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_MONTHS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Covering indexes for the bilan's aggregate queries (declared here, beside the queries that need them).
Index("ix_participants_booking_attendance", Participant.booking_id, Participant.attendance)
Index(
    "ix_bookings_tour_status_people",
    Booking.tour_id,
    Booking.status,
    Booking.prescriber_id,
    Booking.organisation_id,
    Booking.seats,
)
Index("ix_outcomes_participant_kind", Outcome.participant_id, Outcome.kind)


class Questionnaire(Base):
    """An organisation's perception questionnaire for one audience (prescribers or companies)."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("organisation_id", "respondent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation (territory) whose tours ask it; none = organisers without an organisation.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    respondent: Mapped[Respondent] = mapped_column(enum_column(Respondent))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questions: Mapped[list[QuestionnaireQuestion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireQuestion.position", cascade="all, delete-orphan"
    )


class QuestionnaireQuestion(Base):
    """One 1–5 statement of a questionnaire; the first in order is the headline whose score decides "improved"."""

    __tablename__ = "questionnaire_questions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True)
    #: Stable name of the statement in answers' `scores` (kept when the wording changes).
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(300))
    #: Order on the form, from 1.
    position: Mapped[int]

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
