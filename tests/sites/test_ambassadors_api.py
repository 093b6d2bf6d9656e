"""POST/GET/DELETE /api/v1/tours/{id}/ambassadors: ambassadors on buses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import future
from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.errors import Conflict, PermissionDenied
from tourplanner.mail.models import OutboxMail
from tourplanner.tours import assignments
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Tour


def fields(response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["field"] for error in response.get_json()["errors"]}


@pytest.fixture
def invited(monkeypatch) -> list[Tour]:
    """Spy on the marking of the tour for a calendar update: the tours marked by assignments."""
    calls: list[Tour] = []
    monkeypatch.setattr(assignments, "plan_changed", calls.append)
    return calls


@pytest.fixture
def organiser(api_as):
    """An organiser's API client."""
    return api_as(Role.ORGANISER)


@pytest.fixture
def ambassador(make_user):
    """A user with the ambassador role."""
    return make_user(Role.AMBASSADOR, email="claire.martin@ambassadeurs.example.fr", name="Claire Martin")


def test_assign_an_ambassador_to_a_bus(organiser, make_tour, ambassador, db, invited) -> None:
    """201 with the assignment; the bus is the index in the tour's buses; the ambassador is invited."""
    tour = make_tour(bus_seats=[20, 30])
    response = organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 1})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["tour_id"], body["bus"], body["email"], body["user_id"]) == (
        tour.id,
        1,
        ambassador.email,
        ambassador.id,
    )
    stored = db.session.get(AmbassadorAssignment, body["id"])
    assert stored.bus.position == 1 and stored.bus.seats == 30
    assert invited == [stored.tour]


def test_email_is_matched_whatever_its_case(organiser, make_tour, ambassador, invited) -> None:
    """Addresses are compared as stored: trimmed, lower-case."""
    response = organiser.post(
        f"/tours/{make_tour().id}/ambassadors", json={"email": "  Claire.Martin@Ambassadeurs.example.FR ", "bus": 0}
    )
    assert response.status_code == 201


def test_unknown_email_is_422(organiser, make_tour, invited) -> None:
    """No account with this address: 422 naming email."""
    response = organiser.post(f"/tours/{make_tour().id}/ambassadors", json={"email": "personne@example.fr", "bus": 0})
    assert response.status_code == 422
    assert fields(response) == {"email"}
    assert invited == []


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.ORGANISER])
def test_user_without_ambassador_role_is_422(organiser, make_tour, make_user, role: Role, invited) -> None:
    """An existing user who is not an ambassador: 422 naming email."""
    user = make_user(role)
    response = organiser.post(f"/tours/{make_tour().id}/ambassadors", json={"email": user.email, "bus": 0})
    assert response.status_code == 422
    assert fields(response) == {"email"}


def test_inactive_ambassador_is_422(organiser, make_tour, ambassador, db, invited) -> None:
    """A deactivated account cannot be assigned."""
    ambassador.is_active = False
    db.session.commit()
    response = organiser.post(f"/tours/{make_tour().id}/ambassadors", json={"email": ambassador.email, "bus": 0})
    assert response.status_code == 422
    assert fields(response) == {"email"}


@pytest.mark.parametrize("bus", [2, -1, 99])
def test_unknown_bus_is_422(organiser, make_tour, ambassador, bus: int, invited) -> None:
    """A bus index outside the tour's buses names bus."""
    response = organiser.post(
        f"/tours/{make_tour(bus_seats=[20, 20]).id}/ambassadors", json={"email": ambassador.email, "bus": bus}
    )
    assert response.status_code == 422
    assert fields(response) == {"bus"}


def test_both_faults_are_named(organiser, make_tour, invited) -> None:
    """An unknown address and an unknown bus are both listed."""
    response = organiser.post(f"/tours/{make_tour().id}/ambassadors", json={"email": "x@example.fr", "bus": 5})
    assert fields(response) == {"email", "bus"}


@pytest.mark.parametrize(
    "body, field",
    [({"email": "a@b.fr", "bus": "deux"}, "bus"), ({"bus": 0}, "email"), ({"email": 3, "bus": 0}, "email")],
)
def test_wrong_types_are_422(organiser, make_tour, body: dict, field: str) -> None:
    """Ill-typed or missing fields are named."""
    response = organiser.post(f"/tours/{make_tour().id}/ambassadors", json=body)
    assert response.status_code == 422
    assert field in fields(response)


def test_malformed_json_is_400(organiser, make_tour) -> None:
    """A body that is not JSON is 400."""
    tour = make_tour()
    response = organiser.client.post(
        f"/api/v1/tours/{tour.id}/ambassadors",
        data="email=x",
        headers={**organiser._headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_unknown_tour_is_404(organiser, ambassador) -> None:
    """An unknown tour id is 404."""
    assert organiser.post("/tours/999999/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code == 404


def test_assigning_again_to_another_bus_moves_the_ambassador(organiser, make_tour, ambassador, db, invited) -> None:
    """The same ambassador again on another bus: 200, one assignment, on the new bus, invited again."""
    tour = make_tour(bus_seats=[20, 20])
    first = organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}).get_json()
    moved = organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 1})
    assert moved.status_code == 200
    assert (moved.get_json()["id"], moved.get_json()["bus"], moved.get_json()["moved"]) == (first["id"], 1, True)
    rows = db.session.scalars(select(AmbassadorAssignment).where(AmbassadorAssignment.tour_id == tour.id)).all()
    assert [row.bus.position for row in rows] == [1]
    assert len(invited) == 2


def test_assigning_again_to_the_same_bus_changes_nothing(organiser, make_tour, ambassador, invited) -> None:
    """A repeated request answers 200 with the same assignment and sends no second invitation."""
    tour = make_tour()
    first = organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}).get_json()
    again = organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0})
    assert again.status_code == 200
    assert (again.get_json()["id"], again.get_json()["moved"]) == (first["id"], False)
    assert len(invited) == 1


def test_ambassador_rides_one_tour_at_a_time(organiser, make_tour, ambassador, invited) -> None:
    """A tour whose hours meet one the ambassador already rides is 409; another day is fine."""
    morning = make_tour(start=future(30, 8, 0), end=future(30, 13, 0))
    afternoon = make_tour(start=future(30, 12, 0), end=future(30, 17, 0))
    next_day = make_tour(start=future(31, 8, 0), end=future(31, 17, 0), booking_deadline=future(26, 18, 0))
    assert (
        organiser.post(f"/tours/{morning.id}/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code
        == 201
    )
    clash = organiser.post(f"/tours/{afternoon.id}/ambassadors", json={"email": ambassador.email, "bus": 0})
    assert clash.status_code == 409
    assert "accompagne déjà" in clash.get_json()["detail"]
    assert (
        organiser.post(f"/tours/{next_day.id}/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code
        == 201
    )


def test_cancelled_tour_takes_no_ambassador(organiser, make_tour, ambassador, db, invited) -> None:
    """A cancelled tour: 409."""
    tour = make_tour()
    tour.status = TourStatus.CANCELLED
    db.session.commit()
    assert (
        organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code == 409
    )


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_only_organisers_assign(api_as, make_tour, ambassador, role: Role) -> None:
    """Other roles get 403, on assigning and on listing."""
    tour = make_tour()
    client = api_as(role)
    assert client.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code == 403
    assert client.get(f"/tours/{tour.id}/ambassadors").status_code == 403


def test_no_token_is_401(client, make_tour) -> None:
    """Without a bearer token: 401."""
    assert (
        client.post(f"/api/v1/tours/{make_tour().id}/ambassadors", json={"email": "a@b.fr", "bus": 0}).status_code
        == 401
    )


def test_assignment_is_audited(organiser, make_tour, ambassador, db, invited) -> None:
    """The audit trail records who assigned whom."""
    tour = make_tour()
    assignment_id = organiser.post(
        f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}
    ).get_json()["id"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ambassador.assign"))
    assert (entry.actor_id, entry.object_id, entry.details["user_id"]) == (
        organiser.user.id,
        assignment_id,
        ambassador.id,
    )


def test_list_the_tours_ambassadors(organiser, make_tour, make_user, invited) -> None:
    """GET lists the assignments by bus."""
    tour = make_tour(bus_seats=[20, 20])
    second = make_user(Role.AMBASSADOR, name="Bruno Perrin")
    first = make_user(Role.AMBASSADOR, name="Anne Roux")
    organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": second.email, "bus": 1})
    organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": first.email, "bus": 0})
    listed = organiser.get(f"/tours/{tour.id}/ambassadors").get_json()["ambassadors"]
    assert [(a["bus"], a["name"]) for a in listed] == [(0, "Anne Roux"), (1, "Bruno Perrin")]


def test_unassign_an_ambassador(organiser, make_tour, ambassador, db, monkeypatch, invited) -> None:
    """DELETE takes them off the tour and sends them a cancellation; another tour's assignment id is 404."""
    tour, other = make_tour(), make_tour()
    assignment_id = organiser.post(
        f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}
    ).get_json()["id"]
    assert organiser.delete(f"/tours/{other.id}/ambassadors/{assignment_id}").status_code == 404
    response = organiser.delete(f"/tours/{tour.id}/ambassadors/{assignment_id}")
    assert response.status_code == 200
    assert db.session.get(AmbassadorAssignment, assignment_id) is None
    assert [t.id for t in invited] == [tour.id, tour.id]  # assigned, then taken off: calendars updated each time


def test_assigned_ambassador_alone_receives_an_invitation(organiser, make_tour, ambassador, db) -> None:
    """With the calendar's real invitations: a mail to the ambassador, and to no one else."""
    tour = make_tour(published=True)
    before = set(db.session.scalars(select(OutboxMail.id)).all())
    assert (
        organiser.post(f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}).status_code == 201
    )
    new = db.session.scalars(select(OutboxMail).where(OutboxMail.id.not_in(before))).all()
    assert {mail.recipient for mail in new} == {ambassador.email}


@pytest.mark.parametrize("status", [TourStatus.CANCELLED, TourStatus.DONE])
def test_cancelled_or_done_tour_keeps_its_ambassadors(organiser, make_tour, ambassador, db, invited, status) -> None:
    """DELETE on a cancelled or done tour: 409 in French, the assignment stays (as on the page)."""
    tour = make_tour()
    assignment_id = organiser.post(
        f"/tours/{tour.id}/ambassadors", json={"email": ambassador.email, "bus": 0}
    ).get_json()["id"]
    tour.status = status
    db.session.commit()
    response = organiser.delete(f"/tours/{tour.id}/ambassadors/{assignment_id}")
    assert response.status_code == 409
    assert "on n'en retire plus d'ambassadeur" in response.get_json()["detail"]
    assert db.session.get(AmbassadorAssignment, assignment_id) is not None


def test_the_verbs_refuse_an_actor_who_does_not_manage_the_tour(make_tour, make_user, ambassador, db) -> None:
    """Called without any route, assign and unassign check the actor: another territory's organiser, a prescriber."""
    tour = make_tour(published=True)
    outcome = assignments.assign_ambassador(tour, ambassador.email, 0, tour.created_by)
    db.session.flush()
    for stranger in (make_user(Role.ORGANISER, organisation="Territoire voisin"), make_user(Role.PRESCRIBER)):
        with pytest.raises(PermissionDenied):
            assignments.assign_ambassador(tour, ambassador.email, 0, stranger)
        with pytest.raises(PermissionDenied):
            assignments.unassign_ambassador(outcome.assignment, stranger)
    assert db.session.get(AmbassadorAssignment, outcome.assignment.id) is not None


def test_the_unassign_verb_refuses_a_cancelled_tour(make_tour, ambassador, db) -> None:
    """Called directly, unassign_ambassador raises Conflict on a cancelled tour."""
    tour = make_tour(published=True)
    outcome = assignments.assign_ambassador(tour, ambassador.email, 0, tour.created_by)
    tour.status = TourStatus.CANCELLED
    db.session.flush()
    with pytest.raises(Conflict):
        assignments.unassign_ambassador(outcome.assignment, tour.created_by)
