"""Invitations (iTIP over mail) for the events of tours, visits and assignments.

`update_calendars(tour)` compares what the people concerned should now have in their
calendar with what they were last sent (one `CalendarEventState` per event and person)
and queues in the outbox a REQUEST for a new or changed copy and a CANCEL for a withdrawn
one. Nothing is sent twice: a call that changes nothing queues nothing. Domain verbs do
not call it: they mark the tour (`tourplanner.tours.notices`) and
`tourplanner.calendar.updates` calls it once their change is committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from tourplanner.calendar import ical
from tourplanner.calendar.enums import Audience, EventStatus
from tourplanner.calendar.events import PersonalEvent, organizer, tour_events, tour_url, visit_events
from tourplanner.calendar.messages import Cause, cancellation_text, invitation_text
from tourplanner.calendar.models import CalendarEventState
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.mail.operations import enqueue
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour


def update_calendars(tour: Tour) -> int:
    """Bring every person's copy of the tour's events to what the tour holds now; returns the mails queued.

    Compares, per event and person, what they should hold (nothing for a cancelled tour,
    no company visit while the tour is a draft) with what they were last sent: a REQUEST
    with a higher SEQUENCE for a new or changed copy, a CANCEL for a copy withdrawn,
    nothing for the others. Calling it twice queues nothing the second time.
    """
    if tour.status is TourStatus.CANCELLED:
        return _sync(tour, [], reason=tour.cancellation_reason)
    return _sync(tour, _desired(tour))


def _desired(tour: Tour) -> list[PersonalEvent]:
    """The copies people should hold now: none for a cancelled tour, no visit in a draft."""
    if tour.status is TourStatus.CANCELLED:
        return []
    events = tour_events(tour)
    if tour.status is not TourStatus.DRAFT:
        events += visit_events(tour)
    return events


def _sync(tour: Tour, desired: Iterable[PersonalEvent], *, reason: str | None = None) -> int:
    """Bring the sent copies of the tour's events to `desired`, queueing the mails; returns how many."""
    wanted = {(e.uid, e.recipient): e for e in desired}
    states = {
        (s.uid, s.recipient): s
        for s in db.session.scalars(
            select(CalendarEventState).where(CalendarEventState.tour_id == tour.id).order_by(CalendarEventState.id)
        )
    }
    now = utcnow()
    queued = 0
    for key, event in wanted.items():
        state = states.get(key)
        if state is None:
            state = _new_state(event, now)
            _send_request(event, state, is_update=False, now=now)
            queued += 1
        elif state.status is EventStatus.CANCELLED or state.fingerprint != event.fingerprint:
            is_update = state.status is EventStatus.CONFIRMED
            state.sequence += 1
            state.status = EventStatus.CONFIRMED
            state.cancelled_at = None
            _snapshot(state, event, now)
            _send_request(event, state, is_update=is_update, now=now)
            queued += 1
    for key, state in states.items():
        if key not in wanted and state.status is EventStatus.CONFIRMED:
            state.sequence += 1
            state.status = EventStatus.CANCELLED
            state.cancelled_at = now
            state.updated_at = now
            _send_cancel(state, tour.title, _cause(tour, state), reason, now)
            queued += 1
    db.session.flush()
    return queued


def _cause(tour: Tour, state: CalendarEventState) -> Cause:
    """Why a person's copy is withdrawn, for the mail's words."""
    if tour.status is TourStatus.CANCELLED:
        return Cause.TOUR
    return {
        Audience.COMPANY: Cause.VISIT,
        Audience.AMBASSADOR: Cause.ASSIGNMENT,
        Audience.BOOKER: Cause.BOOKING,
        Audience.PARTICIPANT: Cause.BOOKING,
    }.get(state.audience, Cause.OTHER)


def _new_state(event: PersonalEvent, now: datetime) -> CalendarEventState:
    state = CalendarEventState(
        uid=event.uid,
        recipient=event.recipient,
        tour_id=event.tour_id,
        sequence=0,
        status=EventStatus.CONFIRMED,
        created_at=now,
    )
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
    enqueue(
        event.recipient,
        mail.subject,
        mail.text,
        mail.html,
        ics.decode(),
        ical.Method.REQUEST.value,
        event_uid=event.uid,
        event_sequence=state.sequence,
    )


def _send_cancel(state: CalendarEventState, title: str, cause: Cause, reason: str | None, now: datetime) -> None:
    url = tour_url(state.tour_id)
    mail = cancellation_text(
        title, state.summary, state.audience, state.recipient_name, state.start_at, cause, reason, url
    )
    partstat = "ACCEPTED" if state.audience in (Audience.BOOKER, Audience.PARTICIPANT) else "NEEDS-ACTION"
    event = ical.CalendarEvent(
        uid=state.uid,
        summary=state.summary,
        start=state.start_at,
        end=state.end_at,
        stamp=now,
        sequence=state.sequence,
        is_cancelled=True,
        location=state.location,
        url=url,
        description=_description_of(mail.text),
        last_modified=now,
        attendee=ical.Attendee(state.recipient, state.recipient_name, partstat),
    )
    ics = ical.invitation(event, ical.Method.CANCEL, organizer(), _tzid())
    enqueue(
        state.recipient,
        mail.subject,
        mail.text,
        mail.html,
        ics.decode(),
        ical.Method.CANCEL.value,
        event_uid=state.uid,
        event_sequence=state.sequence,
    )


def _description_of(text: str) -> str:
    """The mail text without greeting, footer and signature, for the event's DESCRIPTION."""
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(paragraphs[1:-2]) if len(paragraphs) > 3 else text.strip()


def _tzid() -> str:
    return current_app.config["TIMEZONE"]
