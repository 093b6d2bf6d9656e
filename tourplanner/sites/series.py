"""Recurring availability: a site's slot series, its RFC 5545 rule and its expansion into slots.

A series says "every Tuesday 9:00-12:00 from March to June, 90-minute visits, 20 people".
Its rule is RFC 5545 RRULE text ("FREQ=WEEKLY;BYDAY=TU") read by python-dateutil; the
period (first and last day) and the times of day are the series' own columns, in local
wall-clock time (Europe/Paris): 9:00 stays 9:00 in winter and in summer.

Occurrences become ordinary Slot rows (`Slot.series_id`) for the coming weeks only
(`SLOT_SERIES_WEEKS`, 12 by default); `expand_all_series` — a scheduled job — extends them
as time goes by. Expanding is idempotent: one slot per occurrence (unique series_id +
start_at), so expanding again creates nothing new.

Overlaps: a series' slots obey the slot rules. An occurrence that would overlap another
slot of the site is *skipped and reported* (not the whole series refused): a recurring
offer naturally meets the odd one-off slot, and refusing months of availability for one
clash would punish the company. The skipped dates are returned to the caller (API answer,
page message) and are tried again at the next expansion.

The rule's days, public holidays and French description live in tourplanner.sites.recurrence.
French public holidays (the `holidays` package) get no slot: the expansion reports them as
skipped (« jour férié ») and the series page lists them.

Exceptions are local dates without a slot. Adding one withdraws that day's slot (refused
when a visit is already planned on it: the company declines the visit instead); removing
it offers the slot again. Pausing a series pauses its future offered slots (planned
visits excepted) and new occurrences come paused; resuming offers them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.audit.operations import record
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Site, Slot, SlotSeries
from tourplanner.sites.operations import is_site_manager, managed_site
from tourplanner.sites.recurrence import (
    SeriesDetails,
    describe_rule,
    normalise_rule,
    occurrence_days,
    parse_rule,
    public_holiday,
    window_of,
)
from tourplanner.sites.slots import overlapping_slot
from tourplanner.timeutil import to_local

#: How many weeks ahead a series' occurrences exist as slots, unless SLOT_SERIES_WEEKS says otherwise.
DEFAULT_WEEKS = 12
#: Longest period of one series.
MAX_PERIOD = timedelta(days=731)


@dataclass(frozen=True)
class SkippedOccurrence:
    """An occurrence that got no slot, and why (in French)."""

    day: date
    reason: str


@dataclass
class Expansion:
    """What one expansion did: slots created, slots offered again, occurrences skipped."""

    created: list[Slot] = field(default_factory=list)
    restored: list[Slot] = field(default_factory=list)
    skipped: list[SkippedOccurrence] = field(default_factory=list)


def horizon_weeks() -> int:
    """How many weeks ahead occurrences become slots (config SLOT_SERIES_WEEKS)."""
    return int(current_app.config.get("SLOT_SERIES_WEEKS") or DEFAULT_WEEKS)


def check_series(details: SeriesDetails, now: datetime | None = None) -> None:
    """Raise InvalidInput naming every field of `details` that breaks a rule."""
    today = to_local(now or utcnow()).date()
    errors: list[FieldError] = []
    rule_ok = True
    try:
        parse_rule(details.rrule, details.starts_on, details.start_time)
    except InvalidInput as error:
        errors += error.errors
        rule_ok = False
    window_ok = details.end_time > details.start_time
    if not window_ok:
        errors.append(FieldError("end_time", "l'heure de fin doit être après l'heure de début"))
    if details.visit_minutes <= 0:
        errors.append(FieldError("visit_minutes", "la durée de la visite doit être positive"))
    elif window_ok:
        window = datetime.combine(date.min, details.end_time) - datetime.combine(date.min, details.start_time)
        if timedelta(minutes=details.visit_minutes) > window:
            errors.append(
                FieldError(
                    "visit_minutes",
                    f"la visite ({details.visit_minutes} min) est plus longue que le créneau "
                    f"({int(window.total_seconds() // 60)} min)",
                )
            )
    if details.max_visitors <= 0:
        errors.append(FieldError("max_visitors", "le nombre de visiteurs doit être au moins 1"))
    period_ok = True
    if details.starts_on < today:
        errors.append(FieldError("starts_on", "la première date ne peut pas être dans le passé"))
        period_ok = False
    if details.ends_on < details.starts_on:
        errors.append(FieldError("ends_on", "la dernière date doit être le jour de la première ou après"))
        period_ok = False
    elif details.ends_on - details.starts_on > MAX_PERIOD:
        errors.append(FieldError("ends_on", "une série couvre deux ans au plus"))
        period_ok = False
    for index, day in enumerate(details.exdates):
        if not details.starts_on <= day <= details.ends_on:
            errors.append(FieldError(f"exdates.{index}", f"le {day:%d/%m/%Y} est hors de la période de la série"))
    if rule_ok and period_ok:
        excluded = set(details.exdates)
        days = [day for day in occurrence_days(details, details.starts_on, details.ends_on) if day not in excluded]
        if not days:
            errors.append(
                FieldError(
                    "rrule",
                    f"cette règle ne donne aucune date entre le {details.starts_on:%d/%m/%Y} et le "
                    f"{details.ends_on:%d/%m/%Y}",
                )
            )
    if errors:
        raise InvalidInput(errors)


def managed_series(user: User, series_id: int) -> SlotSeries:
    """The series with this id, whose site `user` manages; 403 for other roles, else 404."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    series = db.session.get(SlotSeries, series_id)
    if series is None or not is_site_manager(user, series.site):
        raise NotFound(f"aucune série de créneaux n°{series_id}")
    return series


def company_series(user: User, series_id: int) -> SlotSeries:
    """A series at a site of a company contact's company, for their space; 403 for other roles, else 404."""
    require_role(user, Role.COMPANY)
    return managed_series(user, series_id)


def series_visible_to(user: User, site_id: int | None = None) -> list[SlotSeries]:
    """Series of the sites `user` manages (every site for organisers), newest period last."""
    require_role(user, Role.ORGANISER, Role.COMPANY)
    query = select(SlotSeries).join(SlotSeries.site).order_by(SlotSeries.starts_on, SlotSeries.id)
    if user.role is Role.COMPANY:
        query = query.where(Site.organisation_id == user.organisation_id)
    if site_id is not None:
        query = query.where(SlotSeries.site_id == site_id)
    return list(db.session.scalars(query))


def create_series(details: SeriesDetails, actor: User, now: datetime | None = None) -> tuple[SlotSeries, Expansion]:
    """Offer a recurring availability at a site the actor manages, and its slots for the coming weeks."""
    site = managed_site(actor, details.site_id)
    check_series(details, now)
    # Serialise offers per site, as offer_slot does.
    db.session.execute(select(Site.id).where(Site.id == site.id).with_for_update())
    series = SlotSeries(
        site=site,
        rrule=normalise_rule(details.rrule),
        start_time=details.start_time,
        end_time=details.end_time,
        starts_on=details.starts_on,
        ends_on=details.ends_on,
        visit_minutes=details.visit_minutes,
        max_visitors=details.max_visitors,
        exdates=sorted({day.isoformat() for day in details.exdates}),
        is_paused=False,
        created_by_id=actor.id,
    )
    db.session.add(series)
    db.session.flush()
    expansion = expand_series(series, now)
    record(
        actor,
        "slot_series.create",
        series,
        site_id=site.id,
        rrule=series.rrule,
        created=len(expansion.created),
        skipped=[s.day.isoformat() for s in expansion.skipped],
    )
    return series, expansion


def expand_series(series: SlotSeries, now: datetime | None = None, weeks: int | None = None) -> Expansion:
    """Create the missing slots of the series' occurrences in the coming weeks; idempotent."""
    now = now or utcnow()
    today = to_local(now).date()
    horizon = today + timedelta(weeks=weeks if weeks is not None else horizon_weeks())
    expansion = Expansion()
    existing = {slot.start_at: slot for slot in db.session.scalars(select(Slot).where(Slot.series_id == series.id))}
    excluded = set(series.exdates or [])
    status = SlotStatus.PAUSED if series.is_paused else SlotStatus.OFFERED
    for day in occurrence_days(series, today, horizon):
        if day.isoformat() in excluded:
            continue
        holiday = public_holiday(day)
        if holiday is not None:  # companies are closed: no slot, and the company is told why
            expansion.skipped.append(SkippedOccurrence(day, f"jour férié ({holiday})"))
            continue
        start, end = window_of(series, day)
        if start <= now:
            continue
        slot = existing.get(start)
        if slot is not None and slot.status is not SlotStatus.WITHDRAWN:
            continue
        clash = overlapping_slot(series.site, start, end)
        if clash is not None:
            expansion.skipped.append(
                SkippedOccurrence(
                    day,
                    f"chevauche le créneau n°{clash.id} "
                    f"({to_local(clash.start_at):%d/%m/%Y %H:%M} – {to_local(clash.end_at):%H:%M})",
                )
            )
            continue
        if slot is not None:  # withdrawn by an exception that has been removed since
            slot.status = status
            expansion.restored.append(slot)
            continue
        slot = Slot(
            site=series.site,
            series=series,
            start_at=start,
            end_at=end,
            visit_minutes=series.visit_minutes,
            max_visitors=series.max_visitors,
            status=status,
        )
        db.session.add(slot)
        db.session.flush()
        expansion.created.append(slot)
    return expansion


def expand_all_series(now: datetime | None = None) -> int:
    """Extend every running series to the horizon (a scheduled job: call, then commit); the slots created."""
    now = now or utcnow()
    today = to_local(now).date()
    created = 0
    for series in db.session.scalars(select(SlotSeries).where(SlotSeries.ends_on >= today).order_by(SlotSeries.id)):
        created += len(expand_series(series, now).created)
    return created


def _occurrence_day(series: SlotSeries, day: date) -> None:
    """Refuse, on "date", a day that is no occurrence of the series."""
    if not series.starts_on <= day <= series.ends_on:
        raise InvalidInput.one(
            "date",
            f"le {day:%d/%m/%Y} est hors de la période de la série "
            f"({series.starts_on:%d/%m/%Y} – {series.ends_on:%d/%m/%Y})",
        )
    if day not in set(occurrence_days(series, day, day)):
        raise InvalidInput.one(
            "date", f"la série ne propose pas de créneau le {day:%d/%m/%Y} ({describe_rule(series)})"
        )


def _planned_tour_title(slot: Slot) -> str | None:
    """The title of a live tour whose itinerary visits `slot`, if any."""
    from tourplanner.tours.enums import TourStatus
    from tourplanner.tours.models import Stop, Tour

    return db.session.scalar(
        select(Tour.title)
        .join(Stop, Stop.tour_id == Tour.id)
        .where(Stop.slot_id == slot.id, Tour.status != TourStatus.CANCELLED)
        .limit(1)
    )


def add_exception(series: SlotSeries, day: date, actor: User) -> SlotSeries:
    """Exclude a day from the series: its slot is withdrawn (refused when a visit is planned on it)."""
    _occurrence_day(series, day)
    if day.isoformat() in (series.exdates or []):
        return series
    start, _ = window_of(series, day)
    slot = db.session.scalar(select(Slot).where(Slot.series_id == series.id, Slot.start_at == start))
    if slot is not None:
        title = _planned_tour_title(slot)
        if title is not None:
            raise Conflict(
                f"une visite est déjà prévue le {day:%d/%m/%Y} (tour « {title} ») : déclinez-la depuis vos visites"
            )
        if slot.status in (SlotStatus.OFFERED, SlotStatus.PAUSED):
            slot.status = SlotStatus.WITHDRAWN
    series.exdates = sorted({*(series.exdates or []), day.isoformat()})
    db.session.flush()
    record(actor, "slot_series.exception.add", series, date=day.isoformat())
    return series


def remove_exception(series: SlotSeries, day: date, actor: User, now: datetime | None = None) -> Expansion:
    """Offer a day of the series again: its slot comes back (unless another slot overlaps it now)."""
    if day.isoformat() not in (series.exdates or []):
        raise InvalidInput.one("date", f"le {day:%d/%m/%Y} n'est pas une exception de cette série")
    series.exdates = [value for value in series.exdates if value != day.isoformat()]
    db.session.flush()
    expansion = expand_series(series, now)
    record(actor, "slot_series.exception.remove", series, date=day.isoformat())
    return expansion


def _future_slots(series: SlotSeries, status: SlotStatus, now: datetime) -> list[Slot]:
    """The series' slots in `status` that have not begun and no live tour visits."""
    from tourplanner.tours.enums import TourStatus
    from tourplanner.tours.models import Stop, Tour

    planned = select(Stop.slot_id).join(Tour, Stop.tour_id == Tour.id).where(Tour.status != TourStatus.CANCELLED)
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.series_id == series.id, Slot.status == status, Slot.start_at > now, Slot.id.not_in(planned))
            .order_by(Slot.start_at)
        )
    )


def pause_series(series: SlotSeries, actor: User, now: datetime | None = None) -> list[Slot]:
    """Pause a series for a busy period: its future offered slots are paused (planned visits stay); returns them."""
    if series.is_paused:
        raise Conflict("cette série est déjà en pause")
    now = now or utcnow()
    series.is_paused = True
    slots = _future_slots(series, SlotStatus.OFFERED, now)
    for slot in slots:
        slot.status = SlotStatus.PAUSED
    db.session.flush()
    record(actor, "slot_series.pause", series, slots=[slot.id for slot in slots])
    return slots


def resume_series(series: SlotSeries, actor: User, now: datetime | None = None) -> list[Slot]:
    """Offer a paused series again: its future paused slots are offered, missing weeks created; returns them."""
    if not series.is_paused:
        raise Conflict("cette série n'est pas en pause")
    now = now or utcnow()
    series.is_paused = False
    slots = _future_slots(series, SlotStatus.PAUSED, now)
    for slot in slots:
        slot.status = SlotStatus.OFFERED
    db.session.flush()
    slots += expand_series(series, now).created
    record(actor, "slot_series.resume", series, slots=[slot.id for slot in slots])
    return slots
