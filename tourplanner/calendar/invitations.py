"""Invitations (iTIP over mail) for the events of tours, visits and assignments.

Domain operations call these functions inside their transaction; each compares what the
people concerned should now have in their calendar with what they were last sent (one
`CalendarEventState` per event and person) and queues in the outbox a REQUEST for a new
or changed copy and a CANCEL for a withdrawn one. Nothing is sent twice: a call that
changes nothing queues nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from tourplanner.bookings.models import Booking
from tourplanner.calendar import ical
from tourplanner.calendar.enums import Audience, EventStatus
from tourplanner.calendar.events import (
    PersonalEvent, organizer, tour_events, tour_uid, tour_url, visit_events, visit_uid,
)
from tourplanner.calendar.messages import Cause, cancellation_text, invitation_text
from tourplanner.calendar.models import CalendarEventState
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.mail.operations import enqueue
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour


def booking_confirmed(booking: Booking) -> None:
    """A booking's seats are confirmed (at once or from the waiting list): invite its people."""
    tour = booking.tour
    people = _people_of(booking)
    _sync(tour, _desired(tour, visits=False, recipients=people), uids={tour_uid(tour.id)}, recipients=people,
          cause=Cause.BOOKING)


def booking_cancelled(booking: Booking) -> None:
    """A confirmed booking is cancelled: send CANCEL to its people (unless another seat still holds them)."""
    tour = booking.tour
    people = _people_of(booking)
    _sync(tour, _desired(tour, exclude_booking=booking, visits=False, recipients=people), uids={tour_uid(tour.id)},
          recipients=people, cause=Cause.BOOKING)


def tour_changed(tour: Tour) -> None:
    """A tour's times or place changed: send an updated REQUEST to those concerned."""
    _sync(tour, _desired(tour), cause=Cause.OTHER)


def tour_published(tour: Tour) -> None:
    """A tour leaves the draft stage: its scheduled visits now reach the companies."""
    _sync(tour, _desired(tour), cause=Cause.OTHER)


def tour_cancelled(tour: Tour, reason: str | None = None) -> None:
    """A tour is cancelled: send CANCEL to everyone concerned."""
    _sync(tour, [], cause=Cause.TOUR, reason=reason)


def ambassador_assigned(assignment: AmbassadorAssignment) -> None:
    """An ambassador is assigned to a bus: invite that ambassador alone."""
    tour = assignment.tour
    _sync(tour, _desired(tour, visits=False), uids={tour_uid(tour.id)}, recipients={assignment.user.email.lower()},
          cause=Cause.ASSIGNMENT)


def ambassador_unassigned(assignment: AmbassadorAssignment) -> None:
    """An ambassador leaves a tour: send them CANCEL (call it before or after deleting the row)."""
    tour = assignment.tour
    _sync(tour, _desired(tour, exclude_assignment=assignment, visits=False), uids={tour_uid(tour.id)},
          recipients={assignment.user.email.lower()}, cause=Cause.ASSIGNMENT)


def visit_scheduled(stop: Stop) -> None:
    """A company's visit is scheduled or moved: invite the company's contacts."""
    if stop.tour_id is None:
        db.session.flush()
    tour = db.session.get(Tour, stop.tour_id)
    _sync(tour, _desired(tour, tours=False, slot_id=stop.slot_id), uids={visit_uid(stop.tour_id, stop.slot_id)},
          cause=Cause.VISIT)


def visit_cancelled(stop: Stop) -> None:
    """A company's visit is removed from the itinerary: send CANCEL to its contacts."""
    if stop.tour_id is None:
        db.session.flush()
    tour = db.session.get(Tour, stop.tour_id)
    _sync(tour, [], uids={visit_uid(stop.tour_id, stop.slot_id)}, cause=Cause.VISIT)


def _people_of(booking: Booking) -> set[str]:
    people = {booking.prescriber.email.lower()}
    people.update(p.email.strip().lower() for p in booking.participants if p.email)
    return people


def _desired(tour: Tour, exclude_booking: Booking | None = None,
             exclude_assignment: AmbassadorAssignment | None = None, tours: bool = True, visits: bool = True,
             slot_id: int | None = None, recipients: set[str] | None = None) -> list[PersonalEvent]:
    """The copies people should hold now: none for a cancelled tour, no visit in a draft.

    `tours` and `visits` say which events to build, `slot_id` narrows visits to one slot.
    """
    if tour.status is TourStatus.CANCELLED:
        return []
    events = tour_events(tour, exclude_booking, exclude_assignment, recipients) if tours else []
    if visits and tour.status is not TourStatus.DRAFT:
        events += visit_events(tour, slot_id)
    return events


def _sync(tour: Tour, desired: Iterable[PersonalEvent], *, cause: Cause, uids: set[str] | None = None,
          recipients: set[str] | None = None, reason: str | None = None) -> None:
    """Bring the sent copies within scope (these UIDs, these people) to `desired`, queueing the mails."""

    def in_scope(uid: str, recipient: str) -> bool:
        return (uids is None or uid in uids) and (recipients is None or recipient in recipients)

    wanted = {(e.uid, e.recipient): e for e in desired if in_scope(e.uid, e.recipient)}
    states = {
        (s.uid, s.recipient): s
        for s in db.session.scalars(
            select(CalendarEventState).where(CalendarEventState.tour_id == tour.id).order_by(CalendarEventState.id)
        )
        if in_scope(s.uid, s.recipient)
    }
    now = utcnow()
    for key, event in wanted.items():
        state = states.get(key)
        if state is None:
            state = _new_state(event, now)
            _send_request(event, state, is_update=False, now=now)
        elif state.status is EventStatus.CANCELLED or state.fingerprint != event.fingerprint:
            is_update = state.status is EventStatus.CONFIRMED
            state.sequence += 1
            state.status = EventStatus.CONFIRMED
            state.cancelled_at = None
            _snapshot(state, event, now)
            _send_request(event, state, is_update=is_update, now=now)
    for key, state in states.items():
        if key not in wanted and state.status is EventStatus.CONFIRMED:
            state.sequence += 1
            state.status = EventStatus.CANCELLED
            state.cancelled_at = now
            state.updated_at = now
            _send_cancel(state, tour.title, cause, reason, now)
    db.session.flush()


def _new_state(event: PersonalEvent, now: datetime) -> CalendarEventState:
    state = CalendarEventState(uid=event.uid, recipient=event.recipient, tour_id=event.tour_id, sequence=0,
                               status=EventStatus.CONFIRMED, created_at=now)
    _snapshot(state, event, now)
    db.session.add(state)
    return state


def _snapshot(state: CalendarEventState, event: PersonalEvent, now: datetime) -> None:
    """Remember what the person is told now: a later CANCEL is built from it."""
    state.recipient_name = event.name[:200] if event.name else None
    state.audience = event.audience
    state.fingerprint = event.fingerprint
    state.summary = event.summary[:300]
    state.start_at = event.start
    state.end_at = event.end
    state.location = event.location[:500]
    state.updated_at = now


def _send_request(event: PersonalEvent, state: CalendarEventState, is_update: bool, now: datetime) -> None:
    ics = ical.invitation(event.calendar_event(state.sequence, now), ical.Method.REQUEST, organizer(), _tzid())
    mail = invitation_text(event, is_update)
    enqueue(event.recipient, mail.subject, mail.text, mail.html, ics.decode(), ical.Method.REQUEST.value)


def _send_cancel(state: CalendarEventState, title: str, cause: Cause, reason: str | None, now: datetime) -> None:
    url = tour_url(state.tour_id)
    mail = cancellation_text(title, state.summary, state.audience, state.recipient_name, state.start_at, cause,
                             reason, url)
    partstat = "ACCEPTED" if state.audience in (Audience.BOOKER, Audience.PARTICIPANT) else "NEEDS-ACTION"
    event = ical.CalendarEvent(
        uid=state.uid, summary=state.summary, start=state.start_at, end=state.end_at, stamp=now,
        sequence=state.sequence, is_cancelled=True, location=state.location, url=url,
        description=_description_of(mail.text), last_modified=now,
        attendee=ical.Attendee(state.recipient, state.recipient_name, partstat),
    )
    ics = ical.invitation(event, ical.Method.CANCEL, organizer(), _tzid())
    enqueue(state.recipient, mail.subject, mail.text, mail.html, ics.decode(), ical.Method.CANCEL.value)


def _description_of(text: str) -> str:
    """The mail text without greeting, footer and signature, for the event's DESCRIPTION."""
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(paragraphs[1:-2]) if len(paragraphs) > 3 else text.strip()


def _tzid() -> str:
    return current_app.config["TIMEZONE"]
