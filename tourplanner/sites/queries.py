"""Reading sites and slots as each role may see them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, joinedload

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.errors import NotFound
from tourplanner.extensions import db
from tourplanner.pagination import Page, PageRequest, keyset_page
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Site, Slot
from tourplanner.trades.models import SiteTrade


def sites_visible_query(user: User) -> Select[tuple[Site]]:
    """The statement of the sites `user` may list: every site for organisers; a company contact's own
    organisation's sites (others: 403). By name, then id; each with its organisation."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    query = select(Site).options(joinedload(Site.organisation)).order_by(Site.name, Site.id)
    if user.role is Role.COMPANY:
        query = query.where(Site.organisation_id == user.organisation_id)
    return query


def sites_visible_to(user: User) -> Sequence[Site]:
    """Every site for organisers; a company contact's own organisation's sites (others: 403)."""
    return db.session.scalars(sites_visible_query(user)).all()


def sites_page(user: User, page: PageRequest) -> Page[Site]:
    """One page of the sites `user` may list, keyset on (name, id)."""
    return keyset_page(
        sites_visible_query(user),
        [(Site.name, str), (Site.id, int)],
        lambda site: (site.name, site.id),
        page,
        lambda statement: list(db.session.scalars(statement)),
    )


def trade_codes_by_site(site_ids: list[int]) -> dict[int, list[str]]:
    """The ROME codes each of these sites is tagged with, in one statement (as trades.operations.site_codes)."""
    codes: dict[int, list[str]] = {site_id: [] for site_id in site_ids}
    if site_ids:
        rows = db.session.execute(
            select(SiteTrade.site_id, SiteTrade.rome_code).where(SiteTrade.site_id.in_(site_ids)).order_by(SiteTrade.id)
        )
        for site_id, code in rows:
            codes[site_id].append(code)
    return codes


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
    return db.session.scalars(slots_visible_query(user, site_id, start, end, status)).all()


def slots_page(
    user: User,
    page: PageRequest,
    site_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: SlotStatus | None = None,
) -> Page[Slot]:
    """One page of the slots of `slots_visible_to`, keyset on (start, id)."""
    query = slots_visible_query(user, site_id, start, end, status)
    return keyset_page(
        query,
        [(Slot.start_at, datetime), (Slot.id, int)],
        lambda slot: (slot.start_at, slot.id),
        page,
        lambda statement: list(db.session.scalars(statement)),
    )


def slots_visible_query(
    user: User,
    site_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: SlotStatus | None = None,
) -> Select[tuple[Slot]]:
    """The statement of `slots_visible_to`, by start then id, each slot with its site."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    query = select(Slot).join(Slot.site).options(contains_eager(Slot.site)).order_by(Slot.start_at, Slot.id)
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
    return query
