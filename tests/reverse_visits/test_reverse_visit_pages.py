"""Reverse visits in the pages: company contacts book from their list, the host sees who comes, prescribers cannot."""

from __future__ import annotations

import html

from tests.reverse_visits.helpers import visit_body
from tourplanner.accounts.enums import Role
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_company_contact_books_from_the_list_once_per_form(client, sign_in, make_user, published_visit) -> None:
    """The list shows the visit; its form books the seats with the names; sent twice, it books once."""
    contact = make_user(Role.COMPANY, organisation="Forges du Gier")
    sign_in(contact)
    page = _text(client.get("/visites-inversees"))
    assert "Visite inversée : l'atelier chantier d'insertion du Gier" in page
    assert "4 places libres" in page
    tour_id = published_visit["id"]
    data = {
        f"t{tour_id}-seats": "2",
        f"t{tour_id}-names": "Luc Ferrand\nAnne Vidal",
        f"t{tour_id}-idempotency_key": "k",
    }
    first = client.post(f"/visites-inversees/{tour_id}/reserver", data=data)
    assert first.status_code == 302
    client.post(f"/visites-inversees/{tour_id}/reserver", data=data)
    [booking] = db.session.query(Booking).filter_by(tour_id=tour_id).all()
    assert (booking.seats, booking.status.value) == (2, "confirmed")
    assert [p.name for p in booking.participants] == ["Luc Ferrand", "Anne Vidal"]
    assert "Places confirmées." in _text(client.get(first.headers["Location"]))


def test_too_many_names_is_a_french_422(client, sign_in, make_user, published_visit) -> None:
    """More names than seats: refused beside the form, nothing booked."""
    sign_in(make_user(Role.COMPANY))
    tour_id = published_visit["id"]
    response = client.post(
        f"/visites-inversees/{tour_id}/reserver", data={f"t{tour_id}-seats": "1", f"t{tour_id}-names": "A\nB"}
    )
    assert response.status_code == 422
    assert "2 participants pour 1 places" in _text(response)
    assert db.session.query(Booking).count() == 0


def test_a_prescriber_gets_a_french_403(client, sign_in, make_user, published_visit) -> None:
    """A prescriber may not book a reverse visit, and the tour page offers no booking button."""
    sign_in(make_user(Role.PRESCRIBER))
    tour_id = published_visit["id"]
    response = client.post(f"/visites-inversees/{tour_id}/reserver", data={f"t{tour_id}-seats": "1"})
    assert response.status_code == 403
    assert "réservée aux contacts entreprise" in _text(response)
    assert "S'inscrire" not in _text(client.get(f"/tours/{tour_id}"))


def test_the_host_sees_who_is_coming(client, sign_in, host, api_as, published_visit) -> None:
    """The host's tour page links to « Qui vient ? », which lists each company, its contact and people."""
    company = api_as(Role.COMPANY, organisation="Forges du Gier", name="Luc Ferrand")
    company.post(
        f"/tours/{published_visit['id']}/bookings", json={"seats": 2, "participants": [{"name": "Anne Vidal"}]}
    )
    sign_in(host.user)
    assert "Qui vient ?" in _text(client.get(f"/tours/{published_visit['id']}"))
    page = _text(client.get(f"/tours/{published_visit['id']}/qui-vient"))
    assert "Forges du Gier" in page and "Luc Ferrand" in page and "Anne Vidal" in page
    assert "<strong>2</strong> place(s) confirmée(s) sur 4" in page


def test_outsiders_may_not_see_who_is_coming(client, sign_in, make_user, organiser, published_visit) -> None:
    """A prescriber of another structure: 403; a visit without host shows no link to anyone but organisers."""
    sign_in(make_user(Role.PRESCRIBER))
    assert client.get(f"/tours/{published_visit['id']}/qui-vient").status_code == 403
    no_host = organiser.post("/tours", json=visit_body(None)).get_json()
    assert no_host["host_organisation_id"] is None


def _visit_form(**overrides: str) -> dict[str, str]:
    form = {
        "title": "Visite inversée au chantier d'insertion",
        "kind": "siae_visit",
        "description": "",
        "start": "2027-03-09T09:00",
        "end": "2027-03-09T12:00",
        "booking_deadline": "2027-03-05T18:00",
        "meeting_point_name": "ACI du Gier",
        "meeting_lat": "45.5285",
        "meeting_lon": "4.6180",
        "bus_seats": "6",
        "max_seats_per_booking": "",
        "lunch_earliest": "",
        "lunch_latest": "",
        "lunch_minutes": "",
    }
    form.update(overrides)
    return form


def test_the_organiser_creates_a_reverse_visit_with_its_host_from_the_form(client, sign_in, make_user, host) -> None:
    """The tour form offers the SIAE as host; a host on a ZI Tour is refused beside the field (422)."""
    from tourplanner.tours.models import Tour

    sign_in(make_user(Role.ORGANISER))
    form_page = _text(client.get("/tours/nouveau"))
    assert "Atelier chantier d'insertion du Gier" in form_page
    host_id = str(host.user.organisation_id)
    refused = client.post("/tours/nouveau", data=_visit_form(kind="zi_tour", host_organisation_id=host_id))
    assert refused.status_code == 422
    assert "Seule une visite inversée (siae_visit) est accueillie par une structure." in _text(refused)
    created = client.post("/tours/nouveau", data=_visit_form(host_organisation_id=host_id))
    assert created.status_code == 302
    tour = db.session.query(Tour).one()
    assert tour.host_organisation_id == host.user.organisation_id
    assert "Atelier chantier d'insertion du Gier" in _text(client.get(created.headers["Location"]))


def test_the_prescribers_catalogue_leaves_reverse_visits_out(client, sign_in, make_user, published_visit) -> None:
    """Prescribers do not book reverse visits: their catalogue does not list them."""
    sign_in(make_user(Role.PRESCRIBER))
    assert "l'atelier chantier d'insertion du Gier" not in _text(client.get("/inscriptions/tours"))
