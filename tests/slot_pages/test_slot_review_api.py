"""Accepting and declining slots through the API: organisers only, states, bad input, candidates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PARIS, future
from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.tours.itinerary import set_candidates
from tourplanner.tours.operations import cancel_tour


def audit_of(slot) -> list[tuple[str, dict]]:
    """The slot's audit entries: (action, details), oldest first."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "slot", AuditEntry.object_id == slot.id)
        .order_by(AuditEntry.id)
    )
    return [(entry.action, entry.details) for entry in entries]


@pytest.mark.parametrize("verb", ["accept", "decline"])
def test_organisers_answer_a_slot(api_as, make_slot, verb):
    """accept → "accepted", decline → "declined"; the answer is the slot, the reason is audited."""
    slot = make_slot()
    api = api_as(Role.ORGANISER)
    response = api.post(f"/slots/{slot.id}/{verb}", json={"reason": "  Pour le tour du mois  "})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    expected = {"accept": "accepted", "decline": "declined"}[verb]
    assert (
        body["id"] == slot.id
        and body["status"] == expected
        and body["start"] == slot.start_at.astimezone(PARIS).isoformat()
    )
    assert audit_of(slot) == [(f"slot.{verb}", {"status_before": "offered", "reason": "Pour le tour du mois"})]


def test_the_body_may_be_left_out(api_as, make_slot):
    """No body at all, or an empty object, is a complete answer without a reason."""
    first, second = make_slot(), make_slot()
    api = api_as(Role.ORGANISER)
    assert (
        api.client.post(
            f"/api/v1/slots/{first.id}/accept", headers={"Authorization": f"Bearer {api.token}"}
        ).status_code
        == 200
    )
    assert api.post(f"/slots/{second.id}/decline", json={}).status_code == 200
    assert audit_of(first)[0][1]["reason"] is None


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
@pytest.mark.parametrize("verb", ["accept", "decline"])
def test_other_roles_get_403(api_as, make_slot, role, verb):
    """Prescribers, company contacts (even the slot's own company) and ambassadors get 403; nothing changes."""
    slot = make_slot()
    kw = {"organisation": slot.site.organisation.name} if role is Role.COMPANY else {}
    response = api_as(role, **kw).post(f"/slots/{slot.id}/{verb}", json={})
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "réservée aux organisateurs" in response.get_json()["detail"]
    db.session.refresh(slot)
    assert slot.status is SlotStatus.OFFERED and audit_of(slot) == []


@pytest.mark.parametrize("verb", ["accept", "decline"])
def test_unknown_slot_is_404_and_no_token_is_401(api_as, client, verb):
    """An unknown id answers 404 problem+json; without a token, 401."""
    response = api_as(Role.ORGANISER).post(f"/slots/999999/{verb}", json={})
    assert response.status_code == 404 and response.get_json()["detail"] == "aucun créneau n°999999"
    assert client.post(f"/api/v1/slots/1/{verb}", json={}).status_code == 401


@pytest.mark.parametrize(
    ("status", "verb", "detail"),
    [
        (SlotStatus.ACCEPTED, "accept", "ce créneau est déjà retenu"),
        (SlotStatus.DECLINED, "decline", "ce créneau est déjà décliné"),
        (SlotStatus.PAUSED, "accept", "l'entreprise a mis ce créneau en pause : il ne peut pas être retenu"),
        (SlotStatus.WITHDRAWN, "decline", "l'entreprise a retiré ce créneau : il n'y a rien à décliner"),
    ],
)
def test_states_that_forbid_the_answer_are_409(api_as, make_slot, status, verb, detail):
    """Accepting twice, declining twice, or answering a paused or withdrawn slot: 409, status unchanged."""
    slot = make_slot(status=status)
    response = api_as(Role.ORGANISER).post(f"/slots/{slot.id}/{verb}", json={})
    assert response.status_code == 409 and response.get_json()["detail"] == detail
    db.session.refresh(slot)
    assert slot.status is status


def test_a_declined_slot_may_be_accepted_again_until_it_begins(api_as, make_slot):
    """A declined slot to come can be accepted; one that has begun cannot (409)."""
    later = make_slot(status=SlotStatus.DECLINED)
    begun = make_slot(status=SlotStatus.DECLINED, start_at=future(0, 0, 0), end_at=future(1, 23, 0))
    api = api_as(Role.ORGANISER)
    assert api.post(f"/slots/{later.id}/accept", json={}).get_json()["status"] == "accepted"
    response = api.post(f"/slots/{begun.id}/accept", json={})
    assert response.status_code == 409 and "déjà commencé" in response.get_json()["detail"]


def test_declining_a_candidate_of_a_tour_being_planned_is_409(api_as, make_slot, make_tour):
    """A slot among a live tour's candidates cannot be declined; once the tour is cancelled it can."""
    api = api_as(Role.ORGANISER)
    slot = make_slot()
    tour = make_tour(organiser=api.user, title="ZI Tour Décines")
    set_candidates(tour, [slot.id], api.user)
    db.session.commit()
    response = api.post(f"/slots/{slot.id}/decline", json={})
    assert response.status_code == 409
    assert "« ZI Tour Décines »" in response.get_json()["detail"]
    cancel_tour(tour, api.user, None)
    db.session.commit()
    assert api.post(f"/slots/{slot.id}/decline", json={}).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"reason": "x" * 501}, "est trop long"),
        ({"reason": 12}, "doit être une chaîne de caractères"),
    ],
)
def test_bad_reason_is_422_naming_the_field(api_as, make_slot, body, message):
    """A reason that is too long or not text: 422 with errors [{field: "reason"}] in French; nothing changes."""
    slot = make_slot()
    response = api_as(Role.ORGANISER).post(f"/slots/{slot.id}/decline", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": "reason", "message": message}]
    db.session.refresh(slot)
    assert slot.status is SlotStatus.OFFERED


def test_unreadable_body_is_400(api_as, make_slot):
    """A body that is not JSON answers 400, never a 500."""
    slot = make_slot()
    api = api_as(Role.ORGANISER)
    response = api.client.post(
        f"/api/v1/slots/{slot.id}/accept",
        data="{oops",
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_a_declined_slot_cannot_become_a_candidate(api_as, make_slot, make_tour):
    """After a decline, POST /tours/{id}/candidates with that slot is refused (422) and changes nothing."""
    api = api_as(Role.ORGANISER)
    slot = make_slot()
    tour = make_tour(organiser=api.user)
    assert api.post(f"/slots/{slot.id}/decline", json={}).status_code == 200
    response = api.post(f"/tours/{tour.id}/candidates", json={"slot_ids": [slot.id]})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["message"] == f"le créneau n°{slot.id} est décliné"
    db.session.refresh(tour)
    assert tour.candidates == []


def test_accept_and_decline_are_in_the_openapi_document(client):
    """Both routes are documented, with their optional reason."""
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert "post" in paths["/api/v1/slots/{slot_id}/accept"] and "post" in paths["/api/v1/slots/{slot_id}/decline"]
    assert "SlotReviewIn" in str(spec["components"]["schemas"])
