"""Organisers create, edit, publish and cancel tours through the pages; others may not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import future
from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Tour

PARIS = ZoneInfo("Europe/Paris")


def local(days: int, hour: int, minute: int = 0) -> str:
    """A datetime-local input value, `days` from now at hour:minute."""
    return future(days, hour, minute).strftime("%Y-%m-%dT%H:%M")


def tour_form(**overrides: Any) -> dict[str, Any]:
    """A complete, valid tour form as a browser posts it."""
    form = {
        "title": "ZI Tour Corbas – Saint-Priest",
        "kind": "zi_tour",
        "description": "Trois usines, un déjeuner en entreprise.",
        "start": local(40, 8, 30),
        "end": local(40, 17, 0),
        "booking_deadline": local(35, 18, 0),
        "meeting_point_name": "Gare de Vénissieux",
        "meeting_lat": "45.7059",
        "meeting_lon": "4.8870",
        "bus_seats": "50, 30",
        "max_seats_per_booking": "",
        "lunch_earliest": "12:00",
        "lunch_latest": "13:00",
        "lunch_minutes": "45",
    }
    form.update(overrides)
    return form


def tour_count(db) -> int:
    """How many tours are stored."""
    return db.session.scalar(select(func.count()).select_from(Tour))


def reload(db, tour: Tour) -> Tour:
    """The tour as stored now (the pages commit in their own session)."""
    return db.session.get(Tour, tour.id, populate_existing=True)


@pytest.fixture
def organiser(make_user, sign_in):
    """A signed-in organiser."""
    user = make_user(Role.ORGANISER, name="Olivier Organisateur")
    sign_in(user)
    return user


@pytest.fixture
def prescriber(make_user, sign_in):
    """A signed-in prescriber."""
    user = make_user(Role.PRESCRIBER, name="Paula Prescriptrice")
    sign_in(user)
    return user


def test_organiser_creates_a_tour(client, db, organiser):
    """The form creates a draft with its kind, Paris times, meeting point, buses and lunch."""
    response = client.post("/tours/nouveau", data=tour_form(kind="company_visit"))
    assert response.status_code == 302
    tour = db.session.scalars(select(Tour)).one()
    assert response.headers["Location"] == f"/tours/{tour.id}"
    assert tour.status is TourStatus.DRAFT
    assert tour.kind is TourKind.COMPANY_VISIT
    assert tour.title == "ZI Tour Corbas – Saint-Priest"
    start = tour.start_at if tour.start_at.tzinfo else tour.start_at.replace(tzinfo=UTC)
    assert start.astimezone(PARIS).strftime("%H:%M") == "08:30"
    assert [bus.seats for bus in tour.buses] == [50, 30]
    assert (tour.meeting_point_name, tour.meeting_lat, tour.meeting_lon) == ("Gare de Vénissieux", 45.7059, 4.887)
    assert tour.lunch_minutes == 45
    lunch = tour.lunch_earliest_at if tour.lunch_earliest_at.tzinfo else tour.lunch_earliest_at.replace(tzinfo=UTC)
    assert lunch.astimezone(PARIS).strftime("%H:%M") == "12:00"
    page = text_of(client.get(response.headers["Location"]))
    assert "Tour créé (brouillon)." in page and "Brouillon" in page


def test_tour_without_lunch(client, db, organiser):
    """The lunch break is optional: left empty, the tour has none."""
    response = client.post("/tours/nouveau", data=tour_form(lunch_earliest="", lunch_latest="", lunch_minutes=""))
    assert response.status_code == 302
    tour = db.session.scalars(select(Tour)).one()
    assert not tour.has_lunch
    assert "pas de pause prévue" in text_of(client.get(f"/tours/{tour.id}"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Ce champ est obligatoire."),
        ({"end": local(40, 8, 0)}, "end", "La fin doit être après le début."),
        (
            {"booking_deadline": local(41, 8, 0)},
            "booking_deadline",
            "La date limite d'inscription doit précéder le début.",
        ),
        ({"start": "demain matin"}, "start", "N'est pas une date/heure valide."),
        ({"meeting_lat": "nord"}, "meeting_lat", "N'est pas une valeur décimale valide."),
        ({"meeting_lon": "200"}, "meeting_lon", "Entre -180 et 180."),
        ({"meeting_lat": "NaN"}, "meeting_lat", "Indiquez un nombre."),
        ({"meeting_lon": "-Infinity"}, "meeting_lon", "Indiquez un nombre."),
        ({"bus_seats": "cinquante"}, "bus_seats", "Indiquez des nombres séparés par des virgules, ex. 50, 30."),
        ({"bus_seats": "50, 500"}, "bus_seats", "Le nombre de places doit être entre 1 et 100."),
        ({"kind": "fusée"}, "kind", "N'est pas un choix valide."),
        ({"lunch_minutes": ""}, "lunch_minutes", "Indiquez l'heure au plus tôt, au plus tard et la durée du déjeuner."),
        ({"lunch_earliest": "07:00"}, "lunch_earliest", "Le déjeuner doit commencer pendant le tour."),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_written(client, db, organiser, overrides, field, message):
    """Each faulty field gets its French message beside it; the answer is 422 and no tour is stored."""
    response = client.post("/tours/nouveau", data=tour_form(**overrides))
    html = text_of(response)
    assert response.status_code == 422
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert "Le formulaire contient des erreurs" in html
    assert tour_count(db) == 0


def test_every_faulty_field_is_named_at_once(client, db, organiser):
    """Several mistakes are all reported in one answer."""
    response = client.post("/tours/nouveau", data=tour_form(title="", meeting_point_name="", bus_seats=""))
    html = text_of(response)
    assert response.status_code == 422
    for field in ("title", "meeting_point_name", "bus_seats"):
        assert f'id="{field}-error"' in html
    assert tour_count(db) == 0


def test_edit_form_is_prefilled_and_saves(client, db, organiser, make_tour):
    """The edit form shows the tour's values in Paris time and saves the changes."""
    tour = make_tour(organiser=organiser, bus_seats=[20, 25])
    form = text_of(client.get(f"/tours/{tour.id}/modifier"))
    assert 'value="ZI Tour Vallée du Gier"' in form and 'value="20, 25"' in form
    assert f'value="{local(30, 8, 30)}"' in form
    response = client.post(f"/tours/{tour.id}/modifier", data=tour_form(title="ZI Tour Gier", bus_seats="40"))
    assert response.status_code == 302
    tour = reload(db, tour)
    assert tour.title == "ZI Tour Gier" and [bus.seats for bus in tour.buses] == [40]


def test_edit_with_bad_input_changes_nothing(client, db, organiser, make_tour):
    """A refused edit leaves the stored tour as it was."""
    tour = make_tour(organiser=organiser)
    response = client.post(f"/tours/{tour.id}/modifier", data=tour_form(title="Nouveau titre", end=local(40, 7, 0)))
    assert response.status_code == 422
    assert reload(db, tour).title == "ZI Tour Vallée du Gier"


def test_publish_opens_bookings(client, db, organiser, make_tour):
    """Publishing a draft makes it open to bookings, and the page says so."""
    tour = make_tour(organiser=organiser)
    response = client.post(f"/tours/{tour.id}/publier", follow_redirects=True)
    assert response.status_code == 200
    assert reload(db, tour).status is TourStatus.PUBLISHED
    html = text_of(response)
    assert "Tour publié" in html and "Ouvert aux inscriptions" in html


def test_publish_refused_says_why_in_french(client, db, organiser, make_tour):
    """A draft past its booking deadline is not published; the page tells why."""
    past = datetime.now(UTC) - timedelta(hours=1)
    tour = make_tour(organiser=organiser, booking_deadline=past)
    response = client.post(f"/tours/{tour.id}/publier", follow_redirects=True)
    assert "Action impossible : la date limite d'inscription est passée" in text_of(response)
    assert reload(db, tour).status is TourStatus.DRAFT


def test_cancel_a_tour(client, db, organiser, make_tour):
    """Cancelling marks the tour cancelled; its page shows the state and no more actions."""
    tour = make_tour(published=True, organiser=organiser)
    response = client.post(f"/tours/{tour.id}/annuler", data={"reason": "Grève des transports"}, follow_redirects=True)
    html = text_of(response)
    assert reload(db, tour).status is TourStatus.CANCELLED
    assert "Annulé" in html and "Publier" not in html and "Annuler le tour" not in html


def test_cancel_with_too_long_reason_is_refused_beside_the_field(client, db, organiser, make_tour):
    """A reason over 500 characters gets a French message beside it; the tour stays as it was."""
    tour = make_tour(published=True, organiser=organiser)
    response = client.post(f"/tours/{tour.id}/annuler", data={"reason": "x" * 501})
    assert response.status_code == 422
    assert '<p class="field-error" id="reason-error">500 caractères au plus.</p>' in text_of(response)
    assert reload(db, tour).status is TourStatus.PUBLISHED


def test_cancel_twice_says_why_in_french(client, db, organiser, make_tour):
    """Cancelling a cancelled tour is refused with a French message, not an error page."""
    tour = make_tour(organiser=organiser)
    client.post(f"/tours/{tour.id}/annuler")
    response = client.post(f"/tours/{tour.id}/annuler", follow_redirects=True)
    assert response.status_code == 200
    assert "Action impossible : ce tour est déjà annulé." in text_of(response)


def test_tour_page_shows_state_and_seats(client, organiser, make_tour):
    """The tour's page shows its state, free seats over all buses, and each bus."""
    tour = make_tour(published=True, organiser=organiser, bus_seats=[20, 30], max_seats_per_booking=4)
    html = text_of(client.get(f"/tours/{tour.id}"))
    assert "Ouvert aux inscriptions" in html
    assert '<strong class="seats-free">50</strong> places libres sur 50' in html
    assert '<th scope="row">Car 1</th><td>20</td>' in html and '<th scope="row">Car 2</th><td>30</td>' in html
    assert "4 au plus" in html


def test_tours_list_shows_drafts_to_organisers_only(client, make_user, sign_in, make_tour):
    """Organisers list drafts; a prescriber lists the published tours only."""
    make_tour(title="Brouillon secret")
    make_tour(published=True, title="Tour ouvert")
    sign_in(make_user(Role.ORGANISER))
    html = text_of(client.get("/tours"))
    assert "Brouillon secret" in html and "Tour ouvert" in html
    client.post("/deconnexion")
    sign_in(make_user(Role.PRESCRIBER))
    html = text_of(client.get("/tours"))
    assert "Brouillon secret" not in html and "Tour ouvert" in html


@pytest.mark.parametrize("path", ["/tours/nouveau", "/tours/{id}/modifier"])
def test_prescriber_gets_a_french_403_on_organiser_pages(client, prescriber, make_tour, path):
    """A prescriber opening an organiser page sees a French 403 page and none of the tour's data."""
    tour = make_tour(published=True, title="ZI Tour confidentiel", meeting_point_name="Parking secret")
    response = client.get(path.format(id=tour.id))
    html = text_of(response)
    assert response.status_code == 403
    assert "Action non autorisée" in html and "Action réservée aux organisateurs." in html
    assert "ZI Tour confidentiel" not in html and "Parking secret" not in html


@pytest.mark.parametrize(
    ("action", "data"), [("publier", {}), ("annuler", {"reason": "non"}), ("modifier", tour_form())]
)
def test_prescriber_cannot_change_a_tour(client, db, prescriber, make_tour, action, data):
    """A prescriber's POST to an organiser action is a 403 and changes nothing."""
    tour = make_tour()
    response = client.post(f"/tours/{tour.id}/{action}", data=data)
    assert response.status_code == 403
    stored = reload(db, tour)
    assert stored.status is TourStatus.DRAFT and stored.title == "ZI Tour Vallée du Gier"


def test_prescriber_does_not_see_drafts(client, prescriber, make_tour):
    """A draft's page is a 404 for a prescriber: its existence is private."""
    tour = make_tour(title="Projet en cours")
    response = client.get(f"/tours/{tour.id}")
    assert response.status_code == 404
    assert "Projet en cours" not in text_of(response)


def test_unknown_tour_is_a_french_404(client, organiser):
    """An unknown id answers the French error page."""
    response = client.get("/tours/9999")
    assert response.status_code == 404
    assert "Ce tour n'existe pas." in text_of(response)
