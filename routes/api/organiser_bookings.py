"""Attendance and no-show figures in the API.

- GET /tours/{id}/attendance: the attendance sheet per bus (organisers, the tour's
  ambassadors). Once attendance is open (from the tour's day), every unnamed seat has its
  own participant, "Participant n", so every seat has an id to record against.
- POST /participants/{id}/attendance {"attendance": "present"|"absent"}: record it.
- GET /stats/no-shows: no-show figures per organisation and kind of organisation (organisers).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Problem, ValidationProblem
from routes.api.tours import load_tour
from tourplanner.bookings import attendance
from tourplanner.bookings.enums import Attendance
from tourplanner.bookings.models import Participant
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


class AttendanceIn(Body):
    """Whether the participant came."""

    attendance: Attendance


class CountsOut(BaseModel):
    """Confirmed seats and their attendance; `no_show_rate` = absent ÷ (present + absent), or null."""

    confirmed: int
    present: int
    absent: int
    not_recorded: int
    no_show_rate: float | None = None


class ParticipantAttendanceOut(BaseModel):
    """A seat of a confirmed booking; `id` is null for an unnamed seat before the tour's day."""

    model_config = ConfigDict(extra="allow")

    id: int | None = None
    booking_id: int
    name: str
    has_reduced_mobility: bool
    attendance: Attendance | None = None
    prescriber: str | None = None
    organisation: str | None = None
    tour_id: int | None = None


class BusAttendanceOut(BaseModel):
    """One bus's sheet."""

    bus: int | None = None
    name: str
    counts: CountsOut
    participants: list[ParticipantAttendanceOut]


class AttendanceSheetOut(BaseModel):
    """A tour's attendance sheet."""

    model_config = ConfigDict(extra="allow")

    tour_id: int
    is_open: bool
    opens_at: str
    counts: CountsOut
    buses: list[BusAttendanceOut]


class NoShowRowOut(BaseModel):
    """Figures for an organisation or a kind of organisation."""

    model_config = ConfigDict(extra="allow")

    label: str
    kind: str | None = None
    counts: CountsOut


class NoShowsOut(BaseModel):
    """No-show figures over tours that are done or past."""

    organisations: list[NoShowRowOut]
    kinds: list[NoShowRowOut]
    total: CountsOut


def counts_json(counts: attendance.Counts) -> dict[str, Any]:
    """Counts as the API shows them."""
    rate = counts.no_show_rate
    return {
        "confirmed": counts.confirmed,
        "present": counts.present,
        "absent": counts.absent,
        "not_recorded": counts.not_recorded,
        "no_show_rate": round(rate, 4) if rate is not None else None,
    }


def participant_json(participant: Participant) -> dict[str, Any]:
    """A participant and their attendance."""
    booking = participant.booking
    return {
        "id": participant.id,
        "booking_id": booking.id,
        "tour_id": booking.tour_id,
        "name": participant.name,
        "has_reduced_mobility": participant.has_reduced_mobility,
        "attendance": participant.attendance.value if participant.attendance is not None else None,
    }


def _line_json(line: attendance.SeatLine) -> dict[str, Any]:
    booking = line.booking
    return {
        "id": line.participant.id if line.participant is not None else None,
        "booking_id": booking.id,
        "name": line.name,
        "has_reduced_mobility": line.has_reduced_mobility,
        "attendance": line.attendance.value if line.attendance is not None else None,
        "prescriber": booking.prescriber.name,
        "organisation": booking.organisation.name if booking.organisation is not None else None,
    }


@api.get("/tours/<int:tour_id>/attendance")
@spec.validate(resp=Response(HTTP_200=AttendanceSheetOut, **ERRORS), tags=["attendance"])
def tour_attendance(tour_id: int):
    """The tour's confirmed seats per bus and their attendance (organisers, the tour's ambassadors)."""
    tour = load_tour(tour_id)
    sheet = attendance.attendance_sheet(tour, current_user())
    db.session.commit()  # unnamed seats get their participant rows once attendance is open
    return jsonify(
        {
            "tour_id": tour.id,
            "is_open": sheet.is_open,
            "opens_at": isoformat_local(attendance.attendance_opens_at(tour)),
            "counts": counts_json(sheet.counts),
            "buses": [
                {
                    "bus": entry.bus.position if entry.bus is not None else None,
                    "name": entry.name,
                    "counts": counts_json(entry.counts),
                    "participants": [_line_json(line) for line in entry.lines],
                }
                for entry in sheet.buses
            ],
        }
    )


@api.post("/participants/<int:participant_id>/attendance")
@spec.validate(
    resp=Response(HTTP_200=ParticipantAttendanceOut, HTTP_422=ValidationProblem, **ERRORS), tags=["attendance"]
)
def record_attendance(participant_id: int, json: AttendanceIn):
    """Record a participant present or absent (organisers, the tour's ambassadors).

    409 when the booking is not confirmed, the tour's day has not come, or the tour is a
    draft or cancelled.
    """
    participant = attendance.get_participant(participant_id, current_user())
    attendance.record_attendance(participant, json.attendance, current_user())
    db.session.commit()
    return jsonify(participant_json(participant))


@api.get("/stats/no-shows")
@spec.validate(resp=Response(HTTP_200=NoShowsOut, **ERRORS), tags=["attendance"])
def no_shows():
    """No-show figures per organisation and per kind of organisation, over tours done or past (organisers)."""
    report = attendance.no_show_figures(current_user())

    def row(item: attendance.NoShowRow) -> dict[str, Any]:
        return {
            "label": item.label,
            "kind": item.kind.value if item.kind is not None else None,
            "counts": counts_json(item.counts),
        }

    return jsonify(
        {
            "organisations": [row(item) for item in report.organisations],
            "kinds": [row(item) for item in report.kinds],
            "total": counts_json(report.total),
        }
    )
