"""A cohort's weekly rule, its sessions, attendance per session and the absence alerts sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.bookings.enums import Attendance
from tourplanner.bookings.models import Participant
from tourplanner.cohorts.enums import SchoolZone, SessionStatus
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column
from tourplanner.tours.models import Tour


class CohortSeries(Base):
    """The weekly rule of a tour of kind `cohort`: which weekday, which hours, from when to when."""

    __tablename__ = "cohort_series"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_minute > start_minute", name="time_order"),
        CheckConstraint("last_day >= first_day", name="day_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), unique=True)
    #: Day of the week of every session: 0 = Monday … 6 = Sunday.
    weekday: Mapped[int]
    #: Local wall-clock start and end of a session, in minutes after midnight (Europe/Paris).
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    #: The first and last day (local dates) the rule may fall on.
    first_day: Mapped[date]
    last_day: Mapped[date]
    #: Whose school holidays are skipped.
    school_zone: Mapped[SchoolZone] = mapped_column(enum_column(SchoolZone), default=SchoolZone.A)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tour: Mapped[Tour] = relationship()
    sessions: Mapped[list[CohortSession]] = relationship(
        back_populates="series", order_by="CohortSession.planned_start_at", cascade="all, delete-orphan"
    )


class CohortSession(Base):
    """One week of the rule: a session held (perhaps moved), skipped for a holiday, or cancelled."""

    __tablename__ = "cohort_sessions"
    __table_args__ = (
        UniqueConstraint("series_id", "planned_start_at"),
        CheckConstraint("end_at > start_at", name="time_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("cohort_series.id"), index=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    #: When the weekly rule puts the session: its RECURRENCE-ID, whatever later moves it.
    planned_start_at: Mapped[datetime]
    #: When it actually takes place (a moved session differs from the rule).
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus), default=SessionStatus.SCHEDULED)
    #: Why there is no session that week, in French (« Vacances d'hiver », « Lundi de Pâques », a cancellation).
    reason: Mapped[str | None] = mapped_column(String(300))
    #: Where this one session takes place when not at the cohort's usual place.
    place: Mapped[str | None] = mapped_column(String(300))

    series: Mapped[CohortSeries] = relationship(back_populates="sessions")

    @property
    def is_held(self) -> bool:
        """The session takes place (neither skipped nor cancelled)."""
        return self.status is SessionStatus.SCHEDULED


class SessionAttendance(Base):
    """Whether one participant of the cohort came to one session."""

    __tablename__ = "cohort_attendance"
    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cohort_sessions.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CohortSession] = relationship()
    participant: Mapped[Participant] = relationship()


class AbsenceAlert(Base):
    """The referent was told of a streak of absences; one row per streak, so one mail per streak."""

    __tablename__ = "cohort_absence_alerts"
    __table_args__ = (UniqueConstraint("participant_id", "first_session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    #: The first session missed in the streak: it names the streak.
    first_session_id: Mapped[int] = mapped_column(ForeignKey("cohort_sessions.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
