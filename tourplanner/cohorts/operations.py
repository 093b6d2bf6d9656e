"""The verbs of weekly cohorts: create a series, move or cancel one session, take attendance.

A cohort is a tour of kind `cohort` (its one group of seats is the cohort) with a weekly
rule (`CohortSeries`) and one `CohortSession` per week of the rule. People join the
cohort once, with an ordinary booking of the tour: seats all or nothing, the waiting
list and its promotions stay the bookings' own rules, in one place.

Rules, in the users' words:
- Sessions fall every week on the rule's weekday, from its first to its last day; French
  public holidays and the zone's school holidays get no session (a skipped week, named).
- Moving a session changes that one week (an override in calendars); cancelling it removes
  that week (an EXDATE). Everyone booked receives the series again with a higher SEQUENCE.
- The organiser takes attendance per session once it has begun. After two absences in a
  row, the participant's referent (the prescriber who booked) gets one mail per streak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select

from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.bookings.operations import lock_tour
from tourplanner.cohorts.days import MAX_WEEKS, rule_days, school_calendar_last_day
from tourplanner.cohorts.enums import SchoolZone, SessionStatus
from tourplanner.cohorts.models import AbsenceAlert, CohortSeries, CohortSession, SessionAttendance
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.mail.compose import compose
from tourplanner.mail.operations import enqueue
from tourplanner.timeutil import local_zone, to_local
from tourplanner.tours.details import TourDetails
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Tour
from tourplanner.tours.notices import plan_changed
from tourplanner.tours.operations import create_tour
from tourplanner.tours.queries import check_manages, get_visible_tour

#: Absences in a row after which the referent is alerted.
ABSENCES_IN_A_ROW = 2


@dataclass(frozen=True)
class CohortDetails:
    """A weekly cohort as the organiser describes it; times are local wall-clock times."""

    title: str
    weekday: int
    start_time: time
    end_time: time
    first_day: date
    last_day: date
    place_name: str
    lat: float
    lon: float
    seats: int
    school_zone: SchoolZone = SchoolZone.A
    #: Bookings close then; none = when the first session begins.
    booking_deadline: datetime | None = None
    description: str | None = None


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment).replace(tzinfo=local_zone(), fold=0)


def _check(details: CohortDetails) -> list[FieldError]:
    errors = []
    if not 0 <= details.weekday <= 6:
        errors.append(FieldError("weekday", "le jour de la semaine va de 0 (lundi) à 6 (dimanche)"))
    if details.end_time <= details.start_time:
        errors.append(FieldError("end_time", "la fin de séance doit suivre son début"))
    if details.first_day.year < 2000:
        errors.append(FieldError("first_day", "doit être une date après l'an 2000"))
    elif details.last_day < details.first_day:
        errors.append(FieldError("last_day", "la dernière date doit suivre la première"))
    elif (details.last_day - details.first_day).days > MAX_WEEKS * 7:
        errors.append(FieldError("last_day", f"une cohorte dure au plus {MAX_WEEKS} semaines"))
    elif details.last_day > school_calendar_last_day():
        errors.append(
            FieldError(
                "last_day",
                f"le calendrier des vacances scolaires n'est connu que jusqu'au {school_calendar_last_day():%d/%m/%Y}",
            )
        )
    return errors


def create_cohort(details: CohortDetails, organiser: User) -> Tour:
    """Create a draft tour of kind `cohort` with its weekly rule and every week's session (organisers)."""
    require_organiser(organiser)
    errors = _check(details)
    days = [] if errors else rule_days(details.first_day, details.last_day, details.weekday, details.school_zone.value)
    if not errors and not any(day.skipped_because is None for day in days):
        errors.append(FieldError("first_day", "aucune séance possible sur cette période (vacances et jours fériés)"))
    if errors:
        raise InvalidInput(errors)
    held = [day.day for day in days if day.skipped_because is None]
    start, end = _at(held[0], details.start_time), _at(held[-1], details.end_time)
    tour = create_tour(
        TourDetails(
            title=details.title,
            start=start,
            end=end,
            meeting_point_name=details.place_name,
            meeting_lat=details.lat,
            meeting_lon=details.lon,
            bus_seats=[details.seats],
            bus_labels=["Cohorte"],
            booking_deadline=details.booking_deadline or start,
            kind=TourKind.COHORT,
            description=details.description,
        ),
        organiser,
    )
    series = CohortSeries(
        tour=tour,
        weekday=details.weekday,
        first_day=details.first_day,
        last_day=details.last_day,
        start_minute=details.start_time.hour * 60 + details.start_time.minute,
        end_minute=details.end_time.hour * 60 + details.end_time.minute,
        school_zone=details.school_zone,
    )
    db.session.add(series)
    db.session.flush()
    for day in days:
        planned = _at(day.day, details.start_time)
        series.sessions.append(
            CohortSession(
                tour_id=tour.id,
                planned_start_at=planned,
                start_at=planned,
                end_at=_at(day.day, details.end_time),
                status=SessionStatus.SCHEDULED if day.skipped_because is None else SessionStatus.SKIPPED,
                reason=day.skipped_because,
            )
        )
    db.session.flush()
    record(organiser, "cohort.create", tour, sessions=len(held))
    return tour


def get_cohort(user: User, tour_id: int) -> Tour:
    """The cohort with this id as `user` may read it; NotFound when unknown, invisible to them or another kind."""
    tour = get_visible_tour(user, tour_id)
    if tour.kind is not TourKind.COHORT:
        raise NotFound("ce tour n'est pas une cohorte")
    return tour


def series_of(tour: Tour) -> CohortSeries:
    """The weekly rule of a cohort; NotFound for a tour of another kind."""
    series = db.session.scalar(select(CohortSeries).where(CohortSeries.tour_id == tour.id))
    if series is None:
        raise NotFound("ce tour n'est pas une cohorte")
    return series


def get_session(tour: Tour, session_id: int) -> CohortSession:
    """A session of the cohort by id (NotFound if it belongs to another)."""
    session = db.session.get(CohortSession, session_id)
    if session is None or session.tour_id != tour.id:
        raise NotFound("séance inconnue")
    return session


def _check_changeable(tour: Tour, session: CohortSession) -> None:
    if tour.status in (TourStatus.CANCELLED, TourStatus.DONE):
        raise Conflict(f"une cohorte {tour.status.label.lower()} ne se modifie plus")
    if session.status is SessionStatus.SKIPPED:
        raise Conflict(f"pas de séance cette semaine-là : {session.reason}")
    if session.status is SessionStatus.CANCELLED:
        raise Conflict("cette séance est annulée")


def move_session(
    tour: Tour, session: CohortSession, start: datetime, end: datetime, place: str | None, organiser: User
) -> CohortSession:
    """Change the times (and perhaps the place) of one session; the others keep the rule."""
    check_manages(organiser, tour)
    _check_changeable(tour, session)
    errors = []
    if end <= start:
        errors.append(FieldError("end", "la fin doit suivre le début"))
    elif to_local(start).date() != to_local(end).date():
        errors.append(FieldError("end", "une séance tient dans une journée"))
    if start < utcnow():
        errors.append(FieldError("start", "une séance ne se déplace pas dans le passé"))
    if errors:
        raise InvalidInput(errors)
    session.start_at, session.end_at = start, end
    session.place = (place or "").strip()[:300] or None
    _after_change(tour, session.series)
    record(organiser, "cohort.session.move", tour, session_id=session.id, start=start.isoformat())
    return session


def cancel_session(tour: Tour, session: CohortSession, reason: str | None, organiser: User) -> CohortSession:
    """Cancel one session: calendars drop that week (EXDATE); the series goes on."""
    check_manages(organiser, tour)
    _check_changeable(tour, session)
    if not any(other.is_held for other in session.series.sessions if other is not session):
        raise Conflict("c'est la dernière séance : annulez plutôt la cohorte")
    session.status = SessionStatus.CANCELLED
    session.reason = (reason or "").strip()[:300] or "séance annulée"
    _after_change(tour, session.series)
    record(organiser, "cohort.session.cancel", tour, session_id=session.id)
    return session


def _after_change(tour: Tour, series: CohortSeries) -> None:
    """The tour spans its held sessions; people's calendars get the new series."""
    held = sorted((s for s in series.sessions if s.is_held), key=lambda s: s.start_at)
    tour.start_at = min(s.start_at for s in held)
    tour.end_at = max(s.end_at for s in held)
    db.session.flush()
    plan_changed(tour)


def cohort_participants(tour: Tour) -> list[Participant]:
    """The people of the cohort: participants of its confirmed bookings."""
    return list(
        db.session.scalars(
            select(Participant)
            .join(Booking)
            .where(Booking.tour_id == tour.id, Booking.status == BookingStatus.CONFIRMED)
            .order_by(Participant.name, Participant.id)
        )
    )


def attendance_of(session: CohortSession) -> dict[int, Attendance]:
    """Each participant's attendance at the session, by participant id (those recorded)."""
    return {
        row.participant_id: row.attendance
        for row in db.session.scalars(select(SessionAttendance).where(SessionAttendance.session_id == session.id))
    }


def record_attendance(
    tour: Tour, session: CohortSession, marks: dict[int, Attendance], organiser: User, now: datetime | None = None
) -> list[AbsenceAlert]:
    """Record who came to a session (organisers, once it has begun); returns the absence alerts sent."""
    check_manages(organiser, tour)
    now = now or utcnow()
    # One writer per cohort at a time: two sheets saved at once never alert a referent twice.
    tour = lock_tour(tour.id)
    if tour.status is TourStatus.CANCELLED:
        raise Conflict("cette cohorte est annulée")
    if session.status is not SessionStatus.SCHEDULED:
        raise Conflict("pas de présence à noter : cette séance n'a pas lieu")
    if session.start_at > now:
        raise Conflict("la présence se note une fois la séance commencée")
    members = {participant.id: participant for participant in cohort_participants(tour)}
    unknown = [pid for pid in marks if pid not in members]
    if unknown:
        raise InvalidInput([FieldError(f"participants.{pid}", "ne fait pas partie de la cohorte") for pid in unknown])
    rows = {
        row.participant_id: row
        for row in db.session.scalars(select(SessionAttendance).where(SessionAttendance.session_id == session.id))
    }
    for pid, attendance in marks.items():
        row = rows.get(pid)
        if row is None:
            db.session.add(
                SessionAttendance(session_id=session.id, participant_id=pid, attendance=attendance, recorded_at=now)
            )
        elif row.attendance is not attendance:
            row.attendance, row.recorded_at = attendance, now
    db.session.flush()
    record(organiser, "cohort.attendance", tour, session_id=session.id, marks=len(marks))
    alerts = []
    for pid in marks:
        alerts += _alert_streaks(tour, session.series, members[pid], now)
    return alerts


def absence_streaks(series: CohortSeries, participant_id: int) -> list[list[CohortSession]]:
    """The participant's runs of ABSENCES_IN_A_ROW or more absences, over the sessions whose attendance was taken."""
    recorded = {
        row.session_id: row.attendance
        for row in db.session.scalars(
            select(SessionAttendance).where(SessionAttendance.participant_id == participant_id)
        )
    }
    streaks, current = [], []
    for session in sorted((s for s in series.sessions if s.is_held and s.id in recorded), key=lambda s: s.start_at):
        if recorded[session.id] is Attendance.ABSENT:
            current.append(session)
            continue
        if len(current) >= ABSENCES_IN_A_ROW:
            streaks.append(current)
        current = []
    if len(current) >= ABSENCES_IN_A_ROW:
        streaks.append(current)
    return streaks


def _alert_streaks(tour: Tour, series: CohortSeries, participant: Participant, now: datetime) -> list[AbsenceAlert]:
    """Mail the referent about each streak not yet told of (one mail per streak)."""
    told = set(
        db.session.scalars(select(AbsenceAlert.first_session_id).where(AbsenceAlert.participant_id == participant.id))
    )
    alerts = []
    for streak in absence_streaks(series, participant.id):
        if streak[0].id in told:
            continue
        alert = AbsenceAlert(participant_id=participant.id, first_session_id=streak[0].id, sent_at=now)
        db.session.add(alert)
        _mail_referent(tour, participant, streak)
        alerts.append(alert)
    db.session.flush()
    return alerts


def _mail_referent(tour: Tour, participant: Participant, streak: list[CohortSession]) -> None:
    referent = participant.booking.prescriber
    mail = compose(
        "absence_alert",
        f"Absences répétées : {participant.name} — {tour.title}",
        name=referent.name,
        tour=tour,
        participant=participant,
        streak=streak,
        url=f"{current_app.config['BASE_URL'].rstrip('/')}/tours/{tour.id}",
    )
    enqueue(referent.email, mail.subject, mail.text, mail.html)


@dataclass(frozen=True)
class AttendanceLine:
    """One member of the cohort at one session: who, their referent, whether they came, their streak."""

    participant: Participant
    referent_name: str
    attendance: Attendance | None
    #: Absences in a row up to and including this session (0 when present or not recorded).
    absences_in_a_row: int


def attendance_sheet(tour: Tour, session: CohortSession, organiser: User) -> list[AttendanceLine]:
    """The attendance sheet of a session (organisers): every member, what was recorded, their current streak."""
    check_manages(organiser, tour)
    marks = attendance_of(session)
    lines = []
    for participant in cohort_participants(tour):
        streak = 0
        for run in absence_streaks(session.series, participant.id):
            if session in run:
                streak = run.index(session) + 1
        if streak == 0 and marks.get(participant.id) is Attendance.ABSENT:
            streak = 1
        lines.append(
            AttendanceLine(participant, participant.booking.prescriber.name, marks.get(participant.id), streak)
        )
    return lines
