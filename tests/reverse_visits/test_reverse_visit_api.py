"""Reverse visits (siae_visit): company contacts book the seats with the usual rules; the host sees who comes."""

from __future__ import annotations

from tests.reverse_visits.helpers import visit_body
from tourplanner.accounts.enums import Role


def test_a_reverse_visit_is_created_with_its_host(published_visit, host) -> None:
    """POST /tours takes kind siae_visit and the hosting structure, and shows them back."""
    assert published_visit["kind"] == "siae_visit"
    assert published_visit["host_organisation_id"] == host.user.organisation_id
    assert published_visit["host_organisation"] == "Atelier chantier d'insertion du Gier"


def test_the_host_must_be_an_insertion_structure(organiser, api_as) -> None:
    """A host that is not a SIAE, or a host on another kind of tour, is refused field by field (422)."""
    company = api_as(Role.COMPANY, organisation="Forges du Gier")
    response = organiser.post("/tours", json=visit_body(company.user.organisation_id))
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["host_organisation_id"]
    response = organiser.post("/tours", json=visit_body(company.user.organisation_id, kind="zi_tour"))
    assert response.status_code == 422
    assert "visite inversée" in response.get_json()["errors"][0]["message"]


def test_company_contacts_book_its_seats_and_prescribers_may_not(published_visit, api_as) -> None:
    """A company contact books like a prescriber elsewhere (201); a prescriber is refused (403)."""
    company = api_as(Role.COMPANY, organisation="Forges du Gier")
    booked = company.post(f"/tours/{published_visit['id']}/bookings", json={"seats": 2})
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["status"] == "confirmed"
    prescriber = api_as(Role.PRESCRIBER, organisation="France Travail Rive-de-Gier")
    refused = prescriber.post(f"/tours/{published_visit['id']}/bookings", json={"seats": 1})
    assert refused.status_code == 403
    assert "contacts entreprise" in refused.get_json()["detail"]


def test_company_contacts_may_not_book_a_zi_tour(organiser, api_as) -> None:
    """Elsewhere prescribers book: a company contact is refused on a ZI Tour (403)."""
    tour = organiser.post("/tours", json=visit_body(None, kind="zi_tour")).get_json()
    organiser.post(f"/tours/{tour['id']}/publish")
    company = api_as(Role.COMPANY, organisation="Forges du Gier")
    assert company.post(f"/tours/{tour['id']}/bookings", json={"seats": 1}).status_code == 403


def test_same_rules_all_or_nothing_waiting_list_and_promotion(published_visit, api_as) -> None:
    """Seats all fit or the booking waits; a cancellation promotes the waiting booking at once."""
    first = api_as(Role.COMPANY, organisation="Forges du Gier")
    second = api_as(Role.COMPANY, organisation="Plastiques de la Vallée")
    tour_id = published_visit["id"]
    held = first.post(f"/tours/{tour_id}/bookings", json={"seats": 3}).get_json()
    waiting = second.post(f"/tours/{tour_id}/bookings", json={"seats": 2}).get_json()
    assert (held["status"], waiting["status"]) == ("confirmed", "waitlisted")
    seats = first.get(f"/tours/{tour_id}").get_json()
    assert (seats["seats_confirmed"], seats["seats_waitlisted"]) == (3, 2)
    cancelled = first.delete(f"/bookings/{held['id']}").get_json()
    assert cancelled["promoted"] == [waiting["id"]]
    assert second.get(f"/bookings/{waiting['id']}").get_json()["status"] == "confirmed"


def test_idempotency_key_replays_the_first_booking(published_visit, api_as) -> None:
    """The same Idempotency-Key from the same company contact books nothing more."""
    company = api_as(Role.COMPANY, organisation="Forges du Gier")
    path = f"/tours/{published_visit['id']}/bookings"
    first = company.post(path, json={"seats": 1}, headers={"Idempotency-Key": "k-1"})
    again = company.post(path, json={"seats": 1}, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert company.get(f"/tours/{published_visit['id']}").get_json()["seats_confirmed"] == 1


def test_a_draft_reverse_visit_takes_no_booking(organiser, host, api_as) -> None:
    """Before publication, a company contact's booking is refused (409) as anywhere."""
    tour = organiser.post("/tours", json=visit_body(host.user.organisation_id)).get_json()
    company = api_as(Role.COMPANY, organisation="Forges du Gier")
    assert company.post(f"/tours/{tour['id']}/bookings", json={"seats": 1}).status_code == 409


def test_the_host_sees_who_is_coming_and_bookers_only_their_own(published_visit, host, api_as) -> None:
    """The host lists every booking with its company and people; a company contact only its own."""
    tour_id = published_visit["id"]
    forges = api_as(Role.COMPANY, organisation="Forges du Gier")
    plastics = api_as(Role.COMPANY, organisation="Plastiques de la Vallée")
    forges.post(f"/tours/{tour_id}/bookings", json={"seats": 2, "participants": [{"name": "Inès Roche"}]})
    plastics.post(f"/tours/{tour_id}/bookings", json={"seats": 1})
    listed = host.get(f"/tours/{tour_id}/bookings")
    assert listed.status_code == 200
    bookings = listed.get_json()["bookings"]
    assert [b["organisation"] for b in bookings] == ["Forges du Gier", "Plastiques de la Vallée"]
    assert bookings[0]["participants"][0]["name"] == "Inès Roche"
    own = forges.get(f"/tours/{tour_id}/bookings").get_json()["bookings"]
    assert [b["organisation"] for b in own] == ["Forges du Gier"]
    outsider = api_as(Role.PRESCRIBER, organisation="Mission locale du Gier")
    assert outsider.get(f"/tours/{tour_id}/bookings").status_code == 403
