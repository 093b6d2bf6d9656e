"""No-show figures per organisation and kind of organisation, in the API and on the organisers' page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.bookings import attendance
from tourplanner.bookings.enums import Attendance
from tourplanner.bookings.operations import cancel_booking
from tourplanner.db import utcnow
from tourplanner.extensions import db


@pytest.fixture
def past_figures(booked_tour):
    """A tour three days ago: the mission locale's 3 seats (1 present, 1 absent, 1 not recorded), France Travail's 2 (2
    absent)."""
    local = booked_tour.book(3, ["Léa Dubois", "Éric Nguyen"])
    agency = booked_tour.book(2, prescriber=booked_tour.other_prescriber)
    dropped = booked_tour.book(1, ["Zoé Petit"], prescriber=booked_tour.other_prescriber)
    cancel_booking(dropped, booked_tour.organiser)
    booked_tour.move_to_today()
    sheet = attendance.attendance_sheet(booked_tour.tour, booked_tour.organiser)
    assert sheet.is_open
    marks = {local.participants[0].id: Attendance.PRESENT, local.participants[1].id: Attendance.ABSENT}
    marks.update({p.id: Attendance.ABSENT for p in agency.participants})
    for participant_id, value in marks.items():
        participant = attendance.get_participant(participant_id, booked_tour.organiser)
        attendance.record_attendance(participant, value, booked_tour.organiser)
    db.session.commit()
    booked_tour.move_to_past()
    return booked_tour


def test_figures_per_organisation_and_kind(past_figures, api_as):
    """Confirmed seats of past tours, present, absent, not recorded and absent ÷ recorded, by organisation and kind."""
    body = api_as(past_figures.organiser).get("/stats/no-shows").get_json()
    organisations = {row["label"]: row for row in body["organisations"]}
    assert organisations["Mission locale de Lyon"]["counts"] == {
        "confirmed": 3,
        "present": 1,
        "absent": 1,
        "not_recorded": 1,
        "no_show_rate": 0.5,
    }
    assert organisations["Mission locale de Lyon"]["kind"] == "mission_locale"
    assert organisations["France Travail Vénissieux"]["counts"] == {
        "confirmed": 2,
        "present": 0,
        "absent": 2,
        "not_recorded": 0,
        "no_show_rate": 1.0,
    }
    kinds = {row["kind"]: row["counts"] for row in body["kinds"]}
    assert kinds["france_travail"]["confirmed"] == 2  # the cancelled booking counts for nothing
    assert body["total"] == {"confirmed": 5, "present": 1, "absent": 3, "not_recorded": 1, "no_show_rate": 0.75}


def test_tours_to_come_do_not_count(booked_tour, api_as):
    """A tour not yet past gives no figures."""
    booked_tour.book(2)
    body = api_as(booked_tour.organiser).get("/stats/no-shows").get_json()
    assert body["organisations"] == [] and body["total"]["confirmed"] == 0


def test_a_cancelled_tour_does_not_count(past_figures, api_as):
    """A cancelled tour, even past, is left out."""
    from tourplanner.tours.enums import TourStatus

    past_figures.tour.status = TourStatus.CANCELLED
    past_figures.tour.cancelled_at = utcnow() - timedelta(days=5)
    db.session.commit()
    assert api_as(past_figures.organiser).get("/stats/no-shows").get_json()["total"]["confirmed"] == 0


def test_the_page_shows_the_figures_in_french(past_figures, client, sign_in):
    """The organisers' page shows both tables and rates written the French way."""
    sign_in(past_figures.organiser)
    page = text_of(client.get("/organisateur/absences"))
    assert "Par type d'organisation" in page and "Par organisation" in page
    assert "Mission locale de Lyon" in page and "50\u00a0%" in page and "75\u00a0%" in page


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_the_figures_are_for_organisers(client, sign_in, make_user, role):
    """Anyone but an organiser gets a French 403."""
    sign_in(make_user(role))
    response = client.get("/organisateur/absences")
    assert response.status_code == 403 and "action réservée aux organisateurs" in text_of(response).lower()


def test_rates_read_the_french_way():
    """12.5 % reads 12,5 %, a whole rate has no decimals, nothing recorded is a dash."""
    from routes.pages.organiser_bookings import percent

    assert [percent(0.125), percent(0.5), percent(None)] == ["12,5\u00a0%", "50\u00a0%", "—"]
