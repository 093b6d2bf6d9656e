"""The booking form: confirmed or waitlisted, idempotent, French errors with nothing written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.pages.helpers import text_of
from tests.prescriber_pages.conftest import book, close_bookings
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.extensions import db
from tourplanner.tours.operations import cancel_tour

KEY_INPUT = re.compile(r'name="idempotency_key"[^>]*value="([^"]+)"')


def booking_form(seats: int = 2, key: str = "cle-1", rows: list[tuple[str, str, bool]] | None = None) -> dict[str, Any]:
    """The booking form as a browser posts it: seats, participant rows, the hidden key."""
    form: dict[str, Any] = {"seats": str(seats), "idempotency_key": key, "reserver": "1"}
    for index, (name, email, reduced) in enumerate(rows or []):
        form[f"participants-{index}-name"] = name
        form[f"participants-{index}-email"] = email
        if reduced:
            form[f"participants-{index}-reduced_mobility"] = "y"
    return form


def booking_count() -> int:
    """How many bookings are stored."""
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_form_shows_one_row_per_seat_asked_up_to_ten(client, prescriber, make_tour):
    """The form has as many participant rows as seats asked for (?places=), ten at most, and a fresh key."""
    tour = make_tour(published=True, bus_seats=[50])
    page = text_of(client.get(f"/tours/{tour.id}/inscrire?places=3"))
    assert 'id="participants-2-name"' in page and 'id="participants-3-name"' not in page
    assert 'name="idempotency_key"' in page
    page = text_of(client.get(f"/tours/{tour.id}/inscrire?places=25"))
    assert 'id="participants-9-name"' in page and 'id="participants-10-name"' not in page
    keys = {KEY_INPUT.search(text_of(client.get(f"/tours/{tour.id}/inscrire"))).group(1) for _ in range(2)}
    assert len(keys) == 2 and all(len(key) >= 20 for key in keys)  # each rendering draws its own key


def test_adjusting_rows_books_nothing(client, prescriber, make_tour):
    """ "Afficher une ligne par place" re-renders with one row per seat and keeps what was typed; no booking."""
    tour = make_tour(published=True)
    form = booking_form(4, rows=[("Léa Girard", "", False)])
    form.pop("reserver")
    form["lignes"] = "1"
    page = text_of(client.post(f"/tours/{tour.id}/inscrire", data=form))
    assert 'id="participants-3-name"' in page and 'value="Léa Girard"' in page
    assert 'value="cle-1"' in page
    assert booking_count() == 0


def test_booking_with_room_is_confirmed(client, prescriber, make_tour):
    """Seats that fit are confirmed; named rows become participants, empty rows are ignored."""
    tour = make_tour(published=True, title="ZI Tour Meyzieu", bus_seats=[20])
    response = client.post(
        f"/tours/{tour.id}/inscrire",
        data=booking_form(
            3, rows=[("Léa Girard", "lea@example.fr", True), ("", "", False), ("Yanis Haddad", "", False)]
        ),
    )
    assert response.status_code == 302
    booking = db.session.scalars(select(Booking)).one()
    assert response.headers["Location"] == f"/mes-inscriptions#inscription-{booking.id}"
    assert booking.status is BookingStatus.CONFIRMED and booking.seats == 3 and booking.prescriber_id == prescriber.id
    people = [(p.name, p.email, p.has_reduced_mobility) for p in booking.participants]
    assert people == [("Léa Girard", "lea@example.fr", True), ("Yanis Haddad", None, False)]
    page = text_of(client.get("/mes-inscriptions"))
    assert "Inscription confirmée : 3 places sur « ZI Tour Meyzieu »" in page


def test_booking_without_room_waits_with_its_position(client, prescriber, make_user, make_tour):
    """Seats that do not fit go on the waiting list; the page says the waiting position."""
    tour = make_tour(published=True, title="ZI Tour complet", bus_seats=[4])
    other = make_user(Role.PRESCRIBER)
    book(tour, other, 3)
    book(tour, other, 2)  # waiting, first
    response = client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2), follow_redirects=True)
    page = text_of(response)
    assert "est en liste d'attente, position 2" in page
    assert "Position 2 sur la liste d'attente" in page
    mine = db.session.scalars(select(Booking).where(Booking.prescriber_id == prescriber.id)).one()
    assert mine.status is BookingStatus.WAITLISTED


def test_same_form_sent_twice_books_once(client, prescriber, make_tour):
    """A double click sends the same idempotency key: one booking, both answers lead to it."""
    tour = make_tour(published=True)
    first = client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2, key="double-clic"))
    second = client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2, key="double-clic"))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert booking_count() == 1
    assert "Ce formulaire avait déjà été envoyé : une seule inscription est enregistrée." in text_of(
        client.get("/mes-inscriptions")
    )
    client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2, key="autre-formulaire"))
    assert booking_count() == 2


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (booking_form(0), "Réservez au moins une place."),
        (booking_form(21), "Une réservation tient dans un seul car : au plus 20 places."),
        ({**booking_form(2), "seats": "deux"}, "Nombre de places"),
        (
            booking_form(1, rows=[("Léa Girard", "", False), ("Yanis Haddad", "", False)]),
            "2 participants nommés pour 1 place : ajoutez des places ou videz des lignes.",
        ),
        (
            booking_form(2, rows=[("", "sans.nom@example.fr", False)]),
            "Indiquez le nom de cette personne, ou videz la ligne.",
        ),
        (booking_form(2, rows=[("Léa Girard", "pas-une-adresse", False)]), "Adresse e-mail invalide."),
    ],
)
def test_bad_booking_is_explained_and_nothing_written(client, prescriber, make_tour, form, message):
    """Wrong seats or participant rows: a French message on the page (422), no booking stored."""
    tour = make_tour(published=True, bus_seats=[20])
    response = client.post(f"/tours/{tour.id}/inscrire", data=form)
    assert response.status_code == 422
    page = text_of(response)
    assert "Rien n'a été enregistré" in page and message in page
    assert booking_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_tour_limit_per_booking_is_said(client, prescriber, make_tour):
    """More seats than the tour allows per booking: the tour's own limit is named."""
    tour = make_tour(published=True, bus_seats=[20], max_seats_per_booking=6)
    page = text_of(client.post(f"/tours/{tour.id}/inscrire", data=booking_form(7)))
    assert "Au plus 6 places par réservation sur ce tour." in page
    assert booking_count() == 0


def test_tour_past_its_deadline_refuses_with_a_message(client, prescriber, make_tour):
    """After the deadline the page says bookings are closed, and a sent form is refused (409), nothing written."""
    tour = make_tour(published=True)
    close_bookings(tour)
    page = text_of(client.get(f"/tours/{tour.id}/inscrire"))
    assert "Inscriptions closes" in page and "la date limite d'inscription de ce tour est passée" in page
    assert 'name="seats"' not in page
    response = client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2))
    assert response.status_code == 409
    assert "la date limite d'inscription de ce tour est passée" in text_of(response)
    assert booking_count() == 0


def test_cancelled_tour_refuses_bookings(client, prescriber, make_tour):
    """A cancelled tour takes no booking: a French message (409), never a 500, nothing written."""
    tour = make_tour(published=True)
    cancel_tour(tour, None)
    db.session.commit()
    response = client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2))
    assert response.status_code == 409
    assert "ce tour ne prend pas de réservation (il est : annulé)" in text_of(response)
    assert booking_count() == 0


def test_draft_or_unknown_tour_is_not_found(client, prescriber, make_tour):
    """A draft tour cannot be booked from the pages: it does not exist for a prescriber."""
    tour = make_tour(published=False)
    assert client.get(f"/tours/{tour.id}/inscrire").status_code == 404
    assert client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2)).status_code == 404
    assert client.get("/tours/999/inscrire").status_code == 404
    assert booking_count() == 0


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COMPANY, Role.AMBASSADOR])
def test_only_prescribers_may_book(client, make_user, sign_in, make_tour, role):
    """Other roles get a French 403 on the booking form and "my bookings", and nothing is booked."""
    tour = make_tour(published=True)
    sign_in(make_user(role))
    for response in (
        client.get(f"/tours/{tour.id}/inscrire"),
        client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2)),
        client.get("/mes-inscriptions"),
        client.post("/mes-inscriptions/1/annuler"),
    ):
        assert response.status_code == 403
        assert "Action réservée aux prescripteurs" in text_of(response)
    assert booking_count() == 0


def test_tour_with_pickup_points_asks_where_to_board(client, prescriber, make_tour):
    """On a tour with pickup points the form asks for one, refuses a booking without it, and stores it."""
    from tourplanner.tours.models import TourPickupPoint

    tour = make_tour(published=True)
    db.session.add_all(
        [
            TourPickupPoint(tour_id=tour.id, position=0, name="Gare de Givors-Ville", lat=45.59, lon=4.77),
            TourPickupPoint(tour_id=tour.id, position=1, name="Place de la mairie, Rive-de-Gier", lat=45.53, lon=4.62),
        ]
    )
    db.session.commit()
    assert "Gare de Givors-Ville" in text_of(client.get(f"/tours/{tour.id}/inscrire"))
    refused = client.post(f"/tours/{tour.id}/inscrire", data=booking_form(2))
    assert refused.status_code == 422 and "Choisissez où montent les participants." in text_of(refused)
    assert booking_count() == 0
    client.post(f"/tours/{tour.id}/inscrire", data={**booking_form(2), "pickup_point": "1"})
    booking = db.session.scalars(select(Booking)).one()
    assert booking.pickup_point.name == "Place de la mairie, Rive-de-Gier"
    assert "Montée au point de prise en charge : Place de la mairie, Rive-de-Gier" in text_of(
        client.get("/mes-inscriptions")
    )
