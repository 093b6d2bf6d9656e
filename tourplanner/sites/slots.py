"""The verbs of visit slots: offer, pause and resume a window in which a site receives a visit.

Who may: the site's managers (organisers, its company's contacts), as for the site itself
(tourplanner.sites.operations); another company's slot answers as an unknown id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Site, Slot
from tourplanner.sites.operations import is_site_manager, managed_site
from tourplanner.timeutil import to_local

#: Statuses in which a slot holds its window: a new slot at the same site may not overlap it.
HOLDING_STATUSES = (SlotStatus.OFFERED, SlotStatus.PAUSED, SlotStatus.ACCEPTED)


@dataclass(frozen=True)
class SlotDetails:
    """A window offered for one visit: it may begin at or after `start` and must end by `end`."""

    site_id: int
    start: datetime
    end: datetime
    visit_minutes: int
    max_visitors: int


def managed_slot(user: User, slot_id: int) -> Slot:
    """The slot with this id, whose site `user` manages; 403 for other roles, else 404."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    slot = db.session.get(Slot, slot_id)
    if slot is None or not is_site_manager(user, slot.site):
        raise NotFound(f"aucun créneau n°{slot_id}")
    return slot


def company_slot(user: User, slot_id: int) -> Slot:
    """A slot at a site of a company contact's company, for their space; 403 for other roles, else 404."""
    require_role(user, Role.COMPANY)
    return managed_slot(user, slot_id)


def check_slot(details: SlotDetails, now: datetime | None = None) -> None:
    """Raise InvalidInput naming every field of `details` that breaks a rule of its own."""
    now = now or utcnow()
    errors: list[FieldError] = []
    if details.start < now:
        errors.append(FieldError("start", "le créneau ne peut pas commencer dans le passé"))
    if details.end <= details.start:
        errors.append(FieldError("end", "la fin du créneau doit être après son début"))
    if details.visit_minutes <= 0:
        errors.append(FieldError("visit_minutes", "la durée de la visite doit être positive"))
    elif details.end > details.start and timedelta(minutes=details.visit_minutes) > details.end - details.start:
        window = int((details.end - details.start).total_seconds() // 60)
        errors.append(
            FieldError(
                "visit_minutes",
                f"la visite ({details.visit_minutes} min) est plus longue que le créneau ({window} min)",
            )
        )
    if details.max_visitors <= 0:
        errors.append(FieldError("max_visitors", "le nombre de visiteurs doit être au moins 1"))
    if errors:
        raise InvalidInput(errors)


def overlapping_slot(site: Site, start: datetime, end: datetime) -> Slot | None:
    """A slot of `site` that holds part of [start, end), if any; touching windows do not overlap."""
    return db.session.scalars(
        select(Slot)
        .where(
            Slot.site_id == site.id,
            Slot.status.in_(HOLDING_STATUSES),
            Slot.start_at < end,
            Slot.end_at > start,
        )
        .order_by(Slot.start_at)
        .limit(1)
    ).first()


def offer_slot(details: SlotDetails, actor: User) -> Slot:
    """Offer a visit slot at a site the actor manages; overlapping another slot is refused."""
    site = managed_site(actor, details.site_id)
    check_slot(details)
    # Serialise offers per site (PostgreSQL; SQLite writers are serialised anyway).
    db.session.execute(select(Site.id).where(Site.id == site.id).with_for_update())
    clash = overlapping_slot(site, details.start, details.end)
    if clash is not None:
        raise InvalidInput.one(
            "start",
            f"ce créneau chevauche le créneau n°{clash.id} du même site "
            f"({to_local(clash.start_at):%d/%m/%Y %H:%M} – {to_local(clash.end_at):%H:%M})",
        )
    slot = Slot(
        site=site,
        start_at=details.start,
        end_at=details.end,
        visit_minutes=details.visit_minutes,
        max_visitors=details.max_visitors,
        status=SlotStatus.OFFERED,
    )
    db.session.add(slot)
    record(actor, "slot.offer", slot, site_id=site.id, start=details.start.isoformat(), end=details.end.isoformat())
    return slot


def pause_slot(slot: Slot, actor: User) -> Slot:
    """Stop offering a slot for a while: the optimiser leaves it out until it is resumed."""
    if slot.status is not SlotStatus.OFFERED:
        raise Conflict(f"seul un créneau proposé peut être mis en pause (celui-ci est : {slot.status.label.lower()})")
    slot.status = SlotStatus.PAUSED
    record(actor, "slot.pause", slot)
    return slot


def resume_slot(slot: Slot, actor: User) -> Slot:
    """Offer a paused slot again, as long as its window has not begun."""
    if slot.status is not SlotStatus.PAUSED:
        raise Conflict(
            f"seul un créneau en pause peut être proposé à nouveau (celui-ci est : {slot.status.label.lower()})"
        )
    if slot.start_at < utcnow():
        raise Conflict("ce créneau a déjà commencé : il ne peut plus être proposé")
    if slot.series is not None and slot.series.is_paused:
        raise Conflict("sa série de créneaux est en pause : reprenez la série")
    slot.status = SlotStatus.OFFERED
    record(actor, "slot.resume", slot)
    return slot
