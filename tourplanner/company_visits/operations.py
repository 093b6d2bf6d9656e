"""The verbs of Ambassadeurs des métiers sessions: set the agenda, record interest at the debriefing.

Rules, in the users' words:
- A session (a tour of kind `company_visit`) has a three-step agenda: a briefing near the
  company, the visit, a debriefing; each with its time and place, in that order, within
  the session's hours. The agenda is shown in the pages and in the invitations and feeds.
- At the debriefing the organiser records, for each participant of a confirmed booking,
  whether they want to go further (yes / maybe / no); once the session has begun. Their
  referent (the prescriber who booked) sees it on « Mes inscriptions ».
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.company_visits.enums import AgendaStep, Interest
from tourplanner.company_visits.models import AgendaItem, ParticipantInterest
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Tour
from tourplanner.tours.notices import plan_changed
from tourplanner.tours.queries import check_manages

#: The steps in their order.
STEPS = list(AgendaStep)


@dataclass(frozen=True)
class AgendaEntry:
    """One step as the organiser gives it."""

    step: AgendaStep
    start: datetime
    place: str


def tour_agenda(tour: Tour) -> list[AgendaItem]:
    """The session's agenda steps, in their order (empty when none is set)."""
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.tour_id == tour.id)).all()
    return sorted(items, key=lambda item: STEPS.index(item.step))


def set_agenda(tour: Tour, entries: list[AgendaEntry], actor: User) -> list[AgendaItem]:
    """Set (or replace) the session's three-step agenda (its organisers)."""
    check_manages(actor, tour)
    if tour.kind is not TourKind.COMPANY_VISIT:
        raise Conflict("seule une visite d'entreprise en petit groupe a un déroulé briefing, visite, débriefing")
    if tour.status in (TourStatus.CANCELLED, TourStatus.DONE):
        raise Conflict(f"ce tour est {tour.status.label.lower()}")
    errors: list[FieldError] = []
    by_step = {entry.step: entry for entry in entries}
    if len(entries) != len(STEPS) or set(by_step) != set(STEPS):
        raise InvalidInput.one("steps", "indiquez les trois étapes : briefing, visite, débriefing, une fois chacune")
    previous: datetime | None = None
    for index, step in enumerate(STEPS):
        entry = by_step[step]
        if not entry.place.strip():
            errors.append(FieldError(f"steps.{index}.place", f"indiquez le lieu du {step.label.lower()}"))
        if not tour.start_at <= entry.start < tour.end_at:
            errors.append(
                FieldError(f"steps.{index}.start", f"le {step.label.lower()} doit avoir lieu pendant la session")
            )
        elif previous is not None and entry.start <= previous:
            errors.append(FieldError(f"steps.{index}.start", f"le {step.label.lower()} doit suivre l'étape précédente"))
        previous = entry.start
    if errors:
        raise InvalidInput(errors)
    for item in tour_agenda(tour):
        db.session.delete(item)
    db.session.flush()
    items = [
        AgendaItem(tour_id=tour.id, step=step, start_at=by_step[step].start, place=by_step[step].place.strip())
        for step in STEPS
    ]
    db.session.add_all(items)
    record(actor, "tour.agenda", tour)
    # Invitations and feeds carry the agenda: the people already told receive the new one.
    plan_changed(tour)
    db.session.flush()
    return items


def agenda_lines(tour: Tour, items: Iterable[AgendaItem] | None = None) -> list[str]:
    """The agenda as text lines for invitations and feeds (nothing when none is set).

    `items`: the tour's agenda rows when already read (a feed reads all its tours' at once).
    """
    items = tour_agenda(tour) if items is None else sorted(items, key=lambda item: STEPS.index(item.step))
    if not items:
        return []
    return [
        "Déroulé :",
        *(f"  {to_local(item.start_at):%H:%M}  {item.step.label} — {item.place}" for item in items),
        "",
    ]


def record_interest(participant: Participant, interest: Interest, actor: User) -> ParticipantInterest:
    """Record what a participant said at the debriefing (organisers, once the session has begun)."""
    booking = participant.booking
    tour = booking.tour
    check_manages(actor, tour)
    if tour.kind is not TourKind.COMPANY_VISIT:
        raise Conflict("l'intérêt se recueille au débriefing d'une visite d'entreprise en petit groupe")
    if booking.status is not BookingStatus.CONFIRMED:
        raise Conflict("cette personne n'a pas de place confirmée")
    if utcnow() < tour.start_at:
        raise Conflict("l'intérêt se recueille au débriefing, une fois la session commencée")
    row = db.session.scalars(
        select(ParticipantInterest).where(ParticipantInterest.participant_id == participant.id)
    ).one_or_none()
    if row is None:
        row = ParticipantInterest(participant_id=participant.id, interest=interest, recorded_by_id=actor.id)
        db.session.add(row)
    else:
        row.interest, row.recorded_by_id, row.recorded_at = interest, actor.id, utcnow()
    record(actor, "participant.interest", booking, participant_id=participant.id, interest=interest.value)
    db.session.flush()
    return row


def tour_participant(tour: Tour, participant_id: int) -> Participant:
    """A participant of one of the tour's bookings, or NotFound."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.booking.tour_id != tour.id:
        raise NotFound(f"aucun participant n°{participant_id} sur ce tour")
    return participant


def debriefing(tour: Tour, user: User) -> list[tuple[Participant, Interest | None]]:
    """The confirmed participants with their interest: all for organisers, a prescriber's own for them."""
    if user.role is Role.ORGANISER:
        check_manages(user, tour)
    elif user.role is not Role.PRESCRIBER:
        raise PermissionDenied("réservé aux organisateurs et aux prescripteurs des participants")
    query = (
        select(Participant)
        .join(Booking, Booking.id == Participant.booking_id)
        .where(Booking.tour_id == tour.id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(Booking.id, Participant.id)
    )
    if user.role is Role.PRESCRIBER:
        query = query.where(Booking.prescriber_id == user.id)
    participants = list(db.session.scalars(query))
    found = interests(participants)
    return [(p, found.get(p.id)) for p in participants]


def interests(participants: Iterable[Participant]) -> dict[int, Interest]:
    """The recorded interest of these participants, by participant id."""
    ids = [p.id for p in participants]
    if not ids:
        return {}
    rows = db.session.scalars(select(ParticipantInterest).where(ParticipantInterest.participant_id.in_(ids)))
    return {row.participant_id: row.interest for row in rows}
