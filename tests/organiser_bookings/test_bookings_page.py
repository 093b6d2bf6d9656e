"""The organiser's bookings page, its actions and the CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.bookings import moves
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.bookings.operations import cancel_booking
from tourplanner.extensions import db
from tourplanner.tours.enums import TourStatus


def test_bookings_are_shown_per_bus_with_the_waiting_list_and_cancelled_ones(booked_tour, client, sign_in):
    """Per bus: prescriber, organisation, seats, participants, reduced mobility; then waiting positions and
    cancelled."""
    booked_tour.book(3, ["Léa Dubois"], reduced_mobility=True)
    booked_tour.book(3, ["Omar Diallo"], prescriber=booked_tour.other_prescriber)
    waiting_one = booked_tour.book(2)
    waiting_two = booked_tour.book(1, prescriber=booked_tour.other_prescriber)  # bus 1 has 1 left: confirmed
    waiting_three = booked_tour.book(2, prescriber=booked_tour.other_prescriber)
    gone = booked_tour.book(4)
    assert waiting_two.status is BookingStatus.CONFIRMED and gone.status is BookingStatus.WAITLISTED
    cancel_booking(gone, booked_tour.organiser)
    db.session.commit()
    sign_in(booked_tour.organiser)
    response = client.get(f"/tours/{booked_tour.tour.id}/inscriptions")
    assert response.status_code == 200
    page = text_of(response)
    car1 = page[
        page.index('id="car-' + str(booked_tour.tour.buses[0].id)) : page.index(
            'id="car-' + str(booked_tour.tour.buses[1].id)
        )
    ]
    assert "Julie Martin" in car1 and "Mission locale de Lyon" in car1 and "Léa Dubois" in car1
    assert "Mobilité réduite" in car1 and "4 / 4 places occupées" in car1
    waiting = page[page.index('id="attente"') : page.index("Inscriptions annulées")]
    rows = re.findall(r'<tr id="reservation-(\d+)">\s*<td[^>]*>(\d+)</td>', waiting)
    assert rows == [(str(waiting_one.id), "1"), (str(waiting_three.id), "2")]
    assert re.search(r"<details[^>]*>\s*<summary>Inscriptions annulées \(1\)</summary>", page)


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_only_organisers_see_the_bookings_and_their_export(booked_tour, client, sign_in, make_user, role):
    """Prescribers, companies and ambassadors get a French 403 on the page and on the CSV."""
    sign_in(make_user(role))
    for path in (f"/tours/{booked_tour.tour.id}/inscriptions", f"/tours/{booked_tour.tour.id}/inscriptions.csv"):
        response = client.get(path)
        assert response.status_code == 403
        assert "action réservée aux organisateurs" in text_of(response).lower()


def test_cancelling_gives_the_seats_to_the_waiting_list(booked_tour, client, sign_in):
    """Cancelling a confirmed booking from the page confirms the first waiting booking that fits."""
    booking = booked_tour.book(3)
    booked_tour.book(3)
    waiting = booked_tour.book(2)
    sign_in(booked_tour.organiser)
    path = f"/tours/{booked_tour.tour.id}/inscriptions/{booking.id}/annuler"
    assert f'href="{path}"' in text_of(client.get(f"/tours/{booked_tour.tour.id}/inscriptions"))
    confirm = text_of(client.get(path))
    assert "Annuler cette inscription ?" in confirm and f'action="{path}"' in confirm
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED  # asking changes nothing
    response = client.post(path, follow_redirects=True)
    assert response.status_code == 200
    assert f"Inscription n°{booking.id}" in text_of(response) and f"n°{waiting.id}" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CONFIRMED


def test_cancelling_twice_says_why(booked_tour, client, sign_in):
    """A cancelled booking cannot be cancelled again: 409 and a French message."""
    booking = booked_tour.book(1)
    sign_in(booked_tour.organiser)
    client.post(f"/tours/{booked_tour.tour.id}/inscriptions/{booking.id}/annuler")
    response = client.post(f"/tours/{booked_tour.tour.id}/inscriptions/{booking.id}/annuler")
    assert response.status_code == 409
    assert "cette réservation est déjà annulée" in text_of(response)


def test_moving_from_the_page(booked_tour, client, sign_in):
    """The move form puts the booking on the bus chosen."""
    booking = booked_tour.book(2)
    second = booked_tour.tour.buses[1]
    sign_in(booked_tour.organiser)
    response = client.post(
        f"/tours/{booked_tour.tour.id}/inscriptions/{booking.id}/car", data={"bus_id": second.id}, follow_redirects=True
    )
    assert response.status_code == 200 and "déplacée dans Car 2" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).bus_id == second.id


def test_a_move_that_does_not_fit_is_a_409_in_french(booked_tour, client, sign_in):
    """Four seats do not fit in a bus of three: 409, the page says so, nothing moves."""
    booking = booked_tour.book(4)
    sign_in(booked_tour.organiser)
    response = client.post(
        f"/tours/{booked_tour.tour.id}/inscriptions/{booking.id}/car", data={"bus_id": booked_tour.tour.buses[1].id}
    )
    assert response.status_code == 409
    assert "Car 2 n'a pas la place : 4 places demandées, 3 places libres" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).bus_id == booked_tour.tour.buses[0].id


@pytest.mark.parametrize("data", [{}, {"bus_id": "deux"}, {"bus_id": "999999"}])
def test_a_bad_bus_is_refused_in_french(booked_tour, client, sign_in, data):
    """No bus, not a number or no bus of this tour: 422 and a French message, never a 500."""
    booking = booked_tour.book(1)
    sign_in(booked_tour.organiser)
    response = client.post(f"/tours/{booked_tour.tour.id}/inscriptions/{booking.id}/car", data=data)
    assert response.status_code == 422
    assert re.search(r"Choisissez un car|entier|pas de car n°999999", text_of(response))


def test_a_booking_of_another_tour_is_not_found(booked_tour, make_tour, client, sign_in):
    """The booking id must belong to the tour in the address."""
    booking = booked_tour.book(1)
    other = make_tour(published=True)
    sign_in(booked_tour.organiser)
    response = client.post(f"/tours/{other.id}/inscriptions/{booking.id}/annuler")
    assert response.status_code == 404


def _parse(response) -> list[dict[str, str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_a_row_per_participant_for_french_excel(booked_tour, client, sign_in):
    """UTF-8 with BOM, ';', attachment; a row per participant, a row for a booking without names, waiting positions."""
    named = booked_tour.book(2, ["Léa Dubois", "Éric Nguyen"], reduced_mobility=True)
    anonymous = booked_tour.book(3, prescriber=booked_tour.other_prescriber)
    waiting = booked_tour.book(4)
    sign_in(booked_tour.organiser)
    response = client.get(f"/tours/{booked_tour.tour.id}/inscriptions.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = _parse(response)
    assert list(rows[0]) == [
        "Tour",
        "Car",
        "Inscription n°",
        "Statut",
        "Position en liste d'attente",
        "Prescripteur",
        "Organisation",
        "Type d'organisation",
        "Places",
        "Participant",
        "E-mail",
        "Mobilité réduite",
        "Présence",
    ]
    by_booking = {}
    for row in rows:
        by_booking.setdefault(int(row["Inscription n°"]), []).append(row)
    assert [r["Participant"] for r in by_booking[named.id]] == ["Léa Dubois", "Éric Nguyen"]
    assert by_booking[named.id][0]["E-mail"] == "léa@example.fr"
    assert by_booking[named.id][0]["Mobilité réduite"] == "oui"
    assert by_booking[named.id][0]["Car"] == "Car 1" and by_booking[named.id][0]["Statut"] == "Confirmée"
    assert by_booking[named.id][0]["Organisation"] == "Mission locale de Lyon"
    assert by_booking[named.id][0]["Type d'organisation"] == "Mission locale"
    assert len(by_booking[anonymous.id]) == 1 and by_booking[anonymous.id][0]["Participant"] == ""
    assert by_booking[anonymous.id][0]["Places"] == "3" and by_booking[anonymous.id][0]["Car"] == "Car 2"
    assert by_booking[waiting.id][0]["Statut"] == "En liste d'attente"
    assert by_booking[waiting.id][0]["Position en liste d'attente"] == "1" and by_booking[waiting.id][0]["Car"] == ""


def test_the_csv_defuses_formulas(booked_tour, client, sign_in):
    """Cells starting with =, +, - or @ get a leading quote, so Excel shows them instead of running them."""
    booked_tour.book(4, ['=HYPERLINK("http://x")', "+33 6 12", "-2+3", "@SUM(A1)"])
    sign_in(booked_tour.organiser)
    rows = _parse(client.get(f"/tours/{booked_tour.tour.id}/inscriptions.csv"))
    assert [r["Participant"] for r in rows] == ['\'=HYPERLINK("http://x")', "'+33 6 12", "'-2+3", "'@SUM(A1)"]


def test_the_move_form_follows_the_domains_movable_statuses(booked_tour, client, sign_in, monkeypatch):
    """The page offers the move form exactly when moves.MOVABLE_STATUSES lets the verb move (no copy of the rule)."""
    booked_tour.book(2)
    sign_in(booked_tour.organiser)
    path = f"/tours/{booked_tour.tour.id}/inscriptions"
    assert 'class="ob-move"' in client.get(path).get_data(as_text=True)
    monkeypatch.setattr(moves, "MOVABLE_STATUSES", (TourStatus.CLOSED,))
    assert 'class="ob-move"' not in client.get(path).get_data(as_text=True)
