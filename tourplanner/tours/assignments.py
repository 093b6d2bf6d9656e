"""Ambassadors of industry riding the buses of tours.

Assigning an ambassador who already rides this tour moves them to the bus asked for
(and invites them again); asking for the bus they are on changes nothing. An ambassador
rides one tour at a time: a tour whose hours meet one they already ride is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.operations import find_user_by_email
from tourplanner.audit.operations import record
from tourplanner.email_address import is_email
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Bus, Tour
from tourplanner.tours.notices import plan_changed
from tourplanner.tours.queries import check_manages

#: Tours on which ambassadors are no longer assigned nor taken off.
CLOSED_FOR_ASSIGNMENT = (TourStatus.CANCELLED, TourStatus.DONE)


def is_open_for_assignment(tour: Tour) -> bool:
    """Whether ambassadors may still be put on or taken off `tour`."""
    return tour.status not in CLOSED_FOR_ASSIGNMENT


@dataclass(frozen=True)
class AssignmentOutcome:
    """What assign_ambassador did: `created` a new assignment, or `moved` an existing one."""

    assignment: AmbassadorAssignment
    created: bool
    moved: bool


def _ambassador(email: str, errors: list[FieldError]) -> User | None:
    user = find_user_by_email(email) if is_email(email) else None
    if user is None or not user.is_active:
        errors.append(FieldError("email", f"aucun compte actif pour {email.strip()}"))
        return None
    if user.role is not Role.AMBASSADOR:
        errors.append(FieldError("email", f"{user.email} n'a pas le rôle ambassadeur ({user.role.label.lower()})"))
        return None
    return user


def _busy_elsewhere(tour: Tour, user: User) -> Tour | None:
    """Another live tour of `user`'s whose hours meet this one's, if any."""
    return db.session.scalars(
        select(Tour)
        .join(AmbassadorAssignment, AmbassadorAssignment.tour_id == Tour.id)
        .where(
            AmbassadorAssignment.user_id == user.id,
            Tour.id != tour.id,
            Tour.status.not_in((TourStatus.CANCELLED, TourStatus.DONE)),
            Tour.start_at < tour.end_at,
            Tour.end_at > tour.start_at,
        )
        .limit(1)
    ).first()


def assign_ambassador(tour: Tour, email: str, bus_index: int, organiser: User) -> AssignmentOutcome:
    """Put the ambassador with this address on bus `bus_index` (from 0) of `tour`, and invite them.

    Only an organiser who manages the tour may (PermissionDenied or NotFound otherwise).
    """
    check_manages(organiser, tour)
    if not is_open_for_assignment(tour):
        raise Conflict(f"ce tour est {tour.status.label.lower()} : on n'y affecte plus d'ambassadeur")
    errors: list[FieldError] = []
    ambassador = _ambassador(email, errors)
    if not 0 <= bus_index < len(tour.buses):
        errors.append(
            FieldError("bus", f"ce tour a {len(tour.buses)} car(s) : indiquez un numéro de 0 à {len(tour.buses) - 1}")
        )
    if errors:
        raise InvalidInput(errors)
    assert ambassador is not None
    bus = tour.buses[bus_index]
    # Serialise assignments per tour (PostgreSQL), so the unique (tour, user) never trips.
    db.session.execute(select(Tour.id).where(Tour.id == tour.id).with_for_update())
    existing = db.session.scalar(
        select(AmbassadorAssignment).where(
            AmbassadorAssignment.tour_id == tour.id, AmbassadorAssignment.user_id == ambassador.id
        )
    )
    if existing is not None:
        if existing.bus_id == bus.id:
            return AssignmentOutcome(existing, created=False, moved=False)
        before = existing.bus.position
        existing.bus = bus
        db.session.flush()
        record(organiser, "ambassador.move", existing, user_id=ambassador.id, bus_before=before, bus=bus_index)
        plan_changed(tour)
        return AssignmentOutcome(existing, created=False, moved=True)
    other = _busy_elsewhere(tour, ambassador)
    if other is not None:
        raise Conflict(
            f"{ambassador.name} accompagne déjà « {other.title} » le {to_local(other.start_at):%d/%m/%Y} à ces heures"
        )
    assignment = AmbassadorAssignment(tour=tour, bus=bus, user=ambassador)
    db.session.add(assignment)
    record(organiser, "ambassador.assign", assignment, user_id=ambassador.id, tour_id=tour.id, bus=bus_index)
    plan_changed(tour)
    return AssignmentOutcome(assignment, created=True, moved=False)


def unassign_ambassador(assignment: AmbassadorAssignment, organiser: User) -> None:
    """Take an ambassador off a tour, and send them a cancellation.

    Only an organiser who manages the tour may; a cancelled or done tour keeps its ambassadors (Conflict).
    """
    tour = assignment.tour
    check_manages(organiser, tour)
    if not is_open_for_assignment(tour):
        raise Conflict(f"ce tour est {tour.status.label.lower()} : on n'en retire plus d'ambassadeur")
    record(organiser, "ambassador.unassign", assignment, user_id=assignment.user_id, tour_id=assignment.tour_id)
    plan_changed(tour)
    tour.ambassadors.remove(assignment)
    db.session.flush()


def assignment_of(tour: Tour, assignment_id: int) -> AmbassadorAssignment:
    """The assignment with this id on `tour`, or NotFound."""
    assignment = db.session.get(AmbassadorAssignment, assignment_id)
    if assignment is None or assignment.tour_id != tour.id:
        raise NotFound(f"aucune affectation n°{assignment_id} sur ce tour")
    return assignment


def assignments_of(tour: Tour) -> Sequence[AmbassadorAssignment]:
    """The tour's ambassadors, by bus then name."""
    return db.session.scalars(
        select(AmbassadorAssignment)
        .join(AmbassadorAssignment.bus)
        .join(AmbassadorAssignment.user)
        .where(AmbassadorAssignment.tour_id == tour.id)
        .order_by(Bus.position, User.name, AmbassadorAssignment.id)
    ).all()
