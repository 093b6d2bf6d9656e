"""Read-only queries for the ambassadors' pages: their assignments, and who can be assigned."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Bus, Tour


@dataclass(frozen=True)
class AmbassadorDay:
    """One tour an ambassador rides: the tour, their bus and the other ambassadors on it."""

    assignment: AmbassadorAssignment
    #: The other ambassadors on the same bus, by name.
    companions: list[User] = field(default_factory=list)

    @property
    def tour(self) -> Tour:
        """The tour ridden."""
        return self.assignment.tour

    @property
    def bus(self) -> Bus:
        """The bus ridden."""
        return self.assignment.bus


@dataclass(frozen=True)
class AmbassadorSchedule:
    """An ambassador's tours to come (soonest first) and past (latest first)."""

    upcoming: list[AmbassadorDay]
    past: list[AmbassadorDay]


def ambassador_schedule(user: User) -> AmbassadorSchedule:
    """The tours `user` is assigned to, drafts left out (they are not announced yet).

    A tour is past once it has ended; a cancelled tour stays listed, marked as such. Ambassadors only
    (PermissionDenied for anyone else).
    """
    require_role(user, Role.AMBASSADOR)
    mine = list(
        db.session.scalars(
            select(AmbassadorAssignment)
            .join(AmbassadorAssignment.tour)
            .options(joinedload(AmbassadorAssignment.tour), joinedload(AmbassadorAssignment.bus))
            .where(AmbassadorAssignment.user_id == user.id, Tour.status != TourStatus.DRAFT)
            .order_by(Tour.start_at, Tour.id)
        ).unique()
    )
    companions: dict[int, list[User]] = defaultdict(list)
    if mine:
        others = db.session.scalars(
            select(AmbassadorAssignment)
            .join(AmbassadorAssignment.user)
            .options(joinedload(AmbassadorAssignment.user))
            .where(
                AmbassadorAssignment.bus_id.in_([a.bus_id for a in mine]),
                AmbassadorAssignment.user_id != user.id,
            )
            .order_by(User.name, User.id)
        ).unique()
        for other in others:
            companions[other.bus_id].append(other.user)
    now = utcnow()
    days = [AmbassadorDay(a, companions.get(a.bus_id, [])) for a in mine]
    return AmbassadorSchedule(
        upcoming=[d for d in days if d.tour.end_at >= now],
        past=[d for d in reversed(days) if d.tour.end_at < now],
    )


def assignable_ambassadors() -> list[User]:
    """Active users with the ambassador role, by name."""
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.AMBASSADOR, User.is_active.is_(True)).order_by(User.name, User.id)
        )
    )
