"""Weekly cohorts in the API: create a series, read its sessions, move or cancel one, take attendance."""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal

from flask import jsonify
from pydantic import AwareDatetime, BaseModel, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Id, Int, Moment, Number, Problem, ValidationProblem
from tourplanner.bookings.enums import Attendance
from tourplanner.cohorts import operations
from tourplanner.cohorts.enums import SchoolZone
from tourplanner.cohorts.models import CohortSeries, CohortSession
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import get_visible_tour

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class PlaceIn(Body):
    """Where the sessions take place."""

    name: str = Field(min_length=1, max_length=200)
    lat: Number = Field(ge=-90, le=90)
    lon: Number = Field(ge=-180, le=180)


class CohortIn(Body):
    """A weekly cohort: every `weekday` (0 = Monday) from `start_time` to `end_time` (Paris), from `first_day`
    to `last_day`; French public holidays and the zone's school holidays get no session."""

    title: str = Field(min_length=1, max_length=200)
    weekday: Int = Field(ge=0, le=6)
    start_time: time
    end_time: time
    first_day: date
    last_day: date
    place: PlaceIn
    seats: Int = Field(ge=1, le=500)
    school_zone: SchoolZone = SchoolZone.A
    booking_deadline: Moment | None = None
    description: str | None = Field(default=None, max_length=5000)


class SessionOut(BaseModel):
    """One week of the rule: held (perhaps moved), skipped for a holiday, or cancelled."""

    id: int
    planned_start: AwareDatetime
    start: AwareDatetime
    end: AwareDatetime
    status: Literal["scheduled", "skipped", "cancelled"]
    reason: str | None = None
    place: str | None = None


class CohortOut(BaseModel):
    """A cohort: its tour (book its seats with POST /tours/{id}/bookings), its rule and its sessions."""

    id: int
    tour_id: int
    title: str
    status: str
    weekday: int
    start_time: str
    end_time: str
    first_day: date
    last_day: date
    school_zone: str
    place: str
    seats_total: int
    sessions: list[SessionOut]


class MoveIn(Body):
    """New times (same day) and, optionally, another place for one session."""

    start: Moment
    end: Moment
    place: str | None = Field(default=None, max_length=300)


class CancelSessionIn(Body):
    """Why the session is cancelled, as told to the cohort."""

    reason: str | None = Field(default=None, max_length=300)


class MarkIn(Body):
    """One participant's attendance."""

    participant_id: Id
    attendance: Attendance


class AttendanceIn(Body):
    """Who came to the session."""

    marks: list[MarkIn] = Field(min_length=1, max_length=500)


class AttendanceLineOut(BaseModel):
    """A member of the cohort at a session."""

    participant_id: int
    name: str
    referent: str
    attendance: Literal["present", "absent"] | None = None
    absences_in_a_row: int


class AttendanceOut(BaseModel):
    """The attendance sheet of one session; `alerts_sent` counts the referents just alerted."""

    session_id: int
    participants: list[AttendanceLineOut]
    alerts_sent: int = 0


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def session_json(session: CohortSession) -> dict[str, Any]:
    """A session as the API shows it."""
    return {
        "id": session.id,
        "planned_start": isoformat_local(session.planned_start_at),
        "start": isoformat_local(session.start_at),
        "end": isoformat_local(session.end_at),
        "status": session.status.value,
        "reason": session.reason,
        "place": session.place,
    }


def cohort_json(tour: Tour, series: CohortSeries) -> dict[str, Any]:
    """A cohort with its sessions."""
    return {
        "id": tour.id,
        "tour_id": tour.id,
        "title": tour.title,
        "status": tour.status.value,
        "weekday": series.weekday,
        "start_time": _hhmm(series.start_minute),
        "end_time": _hhmm(series.end_minute),
        "first_day": series.first_day.isoformat(),
        "last_day": series.last_day.isoformat(),
        "school_zone": series.school_zone.value,
        "place": tour.meeting_point_name,
        "seats_total": tour.seats_total,
        "sessions": [session_json(s) for s in series.sessions],
    }


def sheet_json(tour: Tour, session: CohortSession, alerts: int = 0) -> dict[str, Any]:
    """The attendance sheet of a session (organisers)."""
    lines = operations.attendance_sheet(tour, session, current_user())
    return {
        "session_id": session.id,
        "alerts_sent": alerts,
        "participants": [
            {
                "participant_id": line.participant.id,
                "name": line.participant.name,
                "referent": line.referent_name,
                "attendance": line.attendance.value if line.attendance else None,
                "absences_in_a_row": line.absences_in_a_row,
            }
            for line in lines
        ],
    }


@api.post("/cohorts")
@spec.validate(json=CohortIn, resp=Response(HTTP_201=CohortOut, HTTP_422=ValidationProblem, **ERRORS), tags=["cohorts"])
def cohort_create(json: CohortIn):
    """Create a weekly cohort as a draft tour of kind `cohort` (organisers); publish it with POST
    /tours/{id}/publish."""
    tour = operations.create_cohort(
        operations.CohortDetails(
            title=json.title,
            weekday=json.weekday,
            start_time=json.start_time.replace(tzinfo=None),
            end_time=json.end_time.replace(tzinfo=None),
            first_day=json.first_day,
            last_day=json.last_day,
            place_name=json.place.name,
            lat=json.place.lat,
            lon=json.place.lon,
            seats=json.seats,
            school_zone=json.school_zone,
            booking_deadline=json.booking_deadline,
            description=json.description,
        ),
        current_user(),
    )
    db.session.commit()
    return jsonify(cohort_json(tour, operations.series_of(tour))), 201


@api.get("/cohorts/<int:tour_id>")
@spec.validate(resp=Response(HTTP_200=CohortOut, **ERRORS), tags=["cohorts"])
def cohort_get(tour_id: int):
    """A cohort with every week's session (any signed-in user)."""
    tour = get_visible_tour(current_user(), tour_id)
    return jsonify(cohort_json(tour, operations.series_of(tour)))


@api.post("/cohorts/<int:tour_id>/sessions/<int:session_id>/move")
@spec.validate(json=MoveIn, resp=Response(HTTP_200=SessionOut, HTTP_422=ValidationProblem, **ERRORS), tags=["cohorts"])
def cohort_move_session(tour_id: int, session_id: int, json: MoveIn):
    """Move one session (organisers): calendars get an override of that week, with a higher SEQUENCE."""
    tour = get_visible_tour(current_user(), tour_id)
    session = operations.get_session(tour, session_id)
    operations.move_session(tour, session, json.start, json.end, json.place, current_user())
    db.session.commit()
    return jsonify(session_json(session))


@api.post("/cohorts/<int:tour_id>/sessions/<int:session_id>/cancel")
@spec.validate(
    json=CancelSessionIn, resp=Response(HTTP_200=SessionOut, HTTP_422=ValidationProblem, **ERRORS), tags=["cohorts"]
)
def cohort_cancel_session(tour_id: int, session_id: int, json: CancelSessionIn):
    """Cancel one session (organisers): calendars drop that week (EXDATE), with a higher SEQUENCE."""
    tour = get_visible_tour(current_user(), tour_id)
    session = operations.get_session(tour, session_id)
    operations.cancel_session(tour, session, json.reason, current_user())
    db.session.commit()
    return jsonify(session_json(session))


@api.get("/cohorts/<int:tour_id>/sessions/<int:session_id>/attendance")
@spec.validate(resp=Response(HTTP_200=AttendanceOut, **ERRORS), tags=["cohorts"])
def cohort_get_attendance(tour_id: int, session_id: int):
    """The session's attendance sheet (organisers)."""
    tour = get_visible_tour(current_user(), tour_id)
    return jsonify(sheet_json(tour, operations.get_session(tour, session_id)))


@api.put("/cohorts/<int:tour_id>/sessions/<int:session_id>/attendance")
@spec.validate(
    json=AttendanceIn, resp=Response(HTTP_200=AttendanceOut, HTTP_422=ValidationProblem, **ERRORS), tags=["cohorts"]
)
def cohort_record_attendance(tour_id: int, session_id: int, json: AttendanceIn):
    """Record who came (organisers, once the session has begun); two absences in a row alert the referent once."""
    tour = get_visible_tour(current_user(), tour_id)
    session = operations.get_session(tour, session_id)
    alerts = operations.record_attendance(
        tour, session, {m.participant_id: m.attendance for m in json.marks}, current_user()
    )
    db.session.commit()
    return jsonify(sheet_json(tour, session, len(alerts)))
