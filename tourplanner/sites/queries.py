"""Reading sites and slots as each role may see them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.errors import NotFound
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Site, Slot


def sites_visible_to(user: User) -> Sequence[Site]:
    """Every site for organisers; a company contact's own organisation's sites (others: 403)."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    query = select(Site).order_by(Site.name, Site.id)
    if user.role is Role.COMPANY:
        query = query.where(Site.organisation_id == user.organisation_id)
    return db.session.scalars(query).all()


def get_visible_site(user: User, site_id: int) -> Site:
    """A site's detail, for those who may list it: the same rule as `sites_visible_to` (403, then 404)."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    site = db.session.get(Site, site_id)
    if site is None or (user.role is Role.COMPANY and site.organisation_id != user.organisation_id):
        raise NotFound(f"aucun site n°{site_id}")
    return site


def slots_visible_to(
    user: User,
    site_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: SlotStatus | None = None,
) -> Sequence[Slot]:
    """Slots whose window meets [start, end): organisers see offered slots of every site
    (or those of `status`), a company contact every slot of its own sites."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    query = select(Slot).join(Slot.site).order_by(Slot.start_at, Slot.id)
    if user.role is Role.COMPANY:
        query = query.where(Site.organisation_id == user.organisation_id)
        if status is not None:
            query = query.where(Slot.status == status)
    else:
        query = query.where(Slot.status == (status or SlotStatus.OFFERED))
    if site_id is not None:
        query = query.where(Slot.site_id == site_id)
    if start is not None:
        query = query.where(Slot.end_at > start)
    if end is not None:
        query = query.where(Slot.start_at < end)
    return db.session.scalars(query).all()
