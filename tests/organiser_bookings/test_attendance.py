"""Attendance on the day: who records it, when, unnamed seats, the API and the phone page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import future
from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.bookings.enums import Attendance
from tourplanner.bookings.models import Participant
from tourplanner.bookings.operations import cancel_booking
from tourplanner.extensions import db
from tourplanner.tours.assignments import assign_ambassador


def _participants(booking_id: int) -> list[Participant]:
    return list(
        db.session.scalars(select(Participant).where(Participant.booking_id == booking_id).order_by(Participant.id))
    )


def test_the_sheet_lists_confirmed_seats_per_bus_and_names_unnamed_ones(booked_tour, api_as):
    """Once the day has come, each unnamed seat gets its own participant, once: "Participant 2", "Participant 3"."""
    named = booked_tour.book(3, ["Léa Dubois"])
    booked_tour.book(3, prescriber=booked_tour.other_prescriber)
    waiting = booked_tour.book(2)
    booked_tour.move_to_today()
    organiser = api_as(booked_tour.organiser)
    sheet = organiser.get(f"/tours/{booked_tour.tour.id}/attendance").get_json()
    assert sheet["is_open"] is True
    names = [[p["name"] for p in bus["participants"]] for bus in sheet["buses"]]
    assert names == [
        ["Léa Dubois", "Participant 2", "Participant 3"],
        ["Participant 1", "Participant 2", "Participant 3"],
    ]
    assert all(p["id"] for bus in sheet["buses"] for p in bus["participants"])
    assert sheet["counts"] == {"confirmed": 6, "present": 0, "absent": 0, "not_recorded": 6, "no_show_rate": None}
    organiser.get(f"/tours/{booked_tour.tour.id}/attendance")
    assert [p.name for p in _participants(named.id)] == ["Léa Dubois", "Participant 2", "Participant 3"]
    assert _participants(waiting.id) == []


def test_before_the_day_the_sheet_creates_nothing_and_recording_is_refused(booked_tour, api_as):
    """A month ahead: the sheet shows unnamed seats without ids, and recording is a 409 in French."""
    booking = booked_tour.book(2, ["Léa Dubois"])
    organiser = api_as(booked_tour.organiser)
    sheet = organiser.get(f"/tours/{booked_tour.tour.id}/attendance").get_json()
    assert sheet["is_open"] is False
    assert [p["id"] is None for p in sheet["buses"][0]["participants"]] == [False, True]
    assert len(_participants(booking.id)) == 1
    response = organiser.post(f"/participants/{booking.participants[0].id}/attendance", json={"attendance": "present"})
    assert response.status_code == 409
    assert "la présence se relève à partir du jour du tour" in response.get_json()["detail"]


def test_the_tours_ambassador_records_attendance(booked_tour, api_as):
    """An ambassador assigned to the tour records a participant present; the audit trail keeps it."""
    booking = booked_tour.book(1, ["Léa Dubois"])
    booked_tour.move_to_today()
    ambassador = api_as(booked_tour.ambassador)
    participant_id = booking.participants[0].id
    response = ambassador.post(f"/participants/{participant_id}/attendance", json={"attendance": "present"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["attendance"] == "present"
    db.session.expire_all()
    assert db.session.get(Participant, participant_id).attendance is Attendance.PRESENT
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "participant.attendance")
        )
        == 1
    )
    response = ambassador.post(f"/participants/{participant_id}/attendance", json={"attendance": "absent"})
    assert response.get_json()["attendance"] == "absent"


def test_an_ambassador_of_another_tour_may_not(booked_tour, api_as, make_user, make_tour):
    """An ambassador riding another tour gets 403 on the sheet and on recording."""
    booking = booked_tour.book(1, ["Léa Dubois"])
    booked_tour.move_to_today()
    stranger = make_user(Role.AMBASSADOR)
    other = make_tour(
        published=True,
        organiser=booked_tour.organiser,
        start=future(60, 8, 30),
        end=future(60, 17, 0),
        booking_deadline=future(55, 18, 0),
    )
    assign_ambassador(other, stranger.email, 0, booked_tour.organiser)
    db.session.commit()
    api = api_as(stranger)
    assert api.get(f"/tours/{booked_tour.tour.id}/attendance").status_code == 403
    response = api.post(f"/participants/{booking.participants[0].id}/attendance", json={"attendance": "present"})
    assert response.status_code == 403
    assert "organisateurs et ses ambassadeurs" in response.get_json()["detail"]


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY])
def test_prescribers_and_companies_may_not(booked_tour, api_as, role):
    """Prescribers (even the booking's own) and companies get 403 on the sheet, recording and figures."""
    booking = booked_tour.book(1, ["Léa Dubois"])
    booked_tour.move_to_today()
    api = api_as(booked_tour.prescriber if role is Role.PRESCRIBER else role)
    assert api.get(f"/tours/{booked_tour.tour.id}/attendance").status_code == 403
    assert (
        api.post(f"/participants/{booking.participants[0].id}/attendance", json={"attendance": "present"}).status_code
        == 403
    )
    assert api.get("/stats/no-shows").status_code == 403


@pytest.mark.parametrize("body", [{"attendance": "late"}, {}, {"attendance": None}])
def test_bad_input_names_the_field_in_french(booked_tour, api_as, body):
    """Anything but present or absent is a 422 naming `attendance`, in French."""
    booking = booked_tour.book(1, ["Léa Dubois"])
    booked_tour.move_to_today()
    response = api_as(booked_tour.organiser).post(f"/participants/{booking.participants[0].id}/attendance", json=body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == ["attendance"]
    assert errors[0]["message"] in ("champ obligatoire",) or errors[0]["message"].startswith("valeur non reconnue")


def test_an_unknown_participant_is_404(booked_tour, api_as):
    """No such participant: 404."""
    assert (
        api_as(booked_tour.organiser)
        .post("/participants/999999/attendance", json={"attendance": "present"})
        .status_code
        == 404
    )


def test_a_cancelled_booking_takes_no_attendance(booked_tour, api_as):
    """The participants of a cancelled booking are no longer expected: 409."""
    booking = booked_tour.book(1, ["Léa Dubois"])
    cancel_booking(booking, booked_tour.organiser)
    db.session.commit()
    booked_tour.move_to_today()
    response = api_as(booked_tour.organiser).post(
        f"/participants/{booking.participants[0].id}/attendance", json={"attendance": "absent"}
    )
    assert response.status_code == 409 and "n'est pas confirmée" in response.get_json()["detail"]


# --- the phone page ---------------------------------------------------------------------


def test_the_presence_page_records_without_javascript(booked_tour, client, sign_in):
    """The tour's ambassador presses « Absent » in a plain form; the page then shows it pressed."""
    booking = booked_tour.book(2, ["Léa Dubois"], reduced_mobility=True)
    booked_tour.move_to_today()
    sign_in(booked_tour.ambassador)
    page = text_of(client.get(f"/tours/{booked_tour.tour.id}/presence"))
    assert "Léa Dubois" in page and "Participant 2" in page and "Mobilité réduite" in page and "votre car" in page
    participant_id = booking.participants[0].id
    response = client.post(f"/tours/{booked_tour.tour.id}/presence/{participant_id}", data={"attendance": "absent"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#participant-{participant_id}")
    page = text_of(client.get(f"/tours/{booked_tour.tour.id}/presence"))
    assert 'value="absent" class="ob-absent-button" aria-pressed="true"' in page
    assert "1 absent" in page


def test_the_presence_page_refuses_a_bad_value_in_french(booked_tour, client, sign_in):
    """A value other than present or absent records nothing and says so in French."""
    booking = booked_tour.book(1, ["Léa Dubois"])
    booked_tour.move_to_today()
    sign_in(booked_tour.organiser)
    response = client.post(
        f"/tours/{booked_tour.tour.id}/presence/{booking.participants[0].id}",
        data={"attendance": "peut-être"},
        follow_redirects=True,
    )
    assert "Présence non enregistrée : Choisissez présent ou absent." in text_of(response)
    db.session.expire_all()
    assert db.session.get(Participant, booking.participants[0].id).attendance is None


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_the_presence_page_is_for_organisers_and_the_tours_ambassadors(booked_tour, client, sign_in, make_user, role):
    """Prescribers, companies and ambassadors not on this tour get a French 403."""
    booking = booked_tour.book(1, ["Léa Dubois"])
    booked_tour.move_to_today()
    sign_in(make_user(role))
    assert client.get(f"/tours/{booked_tour.tour.id}/presence").status_code == 403
    response = client.post(
        f"/tours/{booked_tour.tour.id}/presence/{booking.participants[0].id}", data={"attendance": "present"}
    )
    assert response.status_code == 403 and "Action non autorisée" in text_of(response)


def test_the_attendance_routes_are_in_the_openapi_document(client):
    """The three routes and the attendance body are documented for partner systems."""
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert "post" in paths["/api/v1/participants/{participant_id}/attendance"]
    assert "get" in paths["/api/v1/tours/{tour_id}/attendance"] and "get" in paths["/api/v1/stats/no-shows"]
    assert any(name.startswith("AttendanceIn") for name in document["components"]["schemas"])
