"""Invitations (iTIP over mail) for the events of tours, visits and assignments.

`plan_update(tour)` compares, reading only, what the people concerned should now have in
their calendar with what they were last sent (one `CalendarEventState` per event and
person) and builds a REQUEST for a new or changed copy and a CANCEL for a withdrawn one;
its `apply()` then writes the copies' new state and queues the mails, in a short write
transaction. Nothing is sent twice: an update that changes nothing queues nothing. Domain
verbs do not call it: they mark the tour (`tourplanner.tours.notices`) and
`tourplanner.calendar.updates` runs it once their change is committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class _Mail:
    """One invitation or cancellation, built: what `enqueue` is given."""

    recipient: str
    subject: str
    text: str
    html: str | None
    ics: str
    method: str
    uid: str
    sequence: int


@dataclass(frozen=True)
class _Change:
    """What one person's copy of one event becomes, and the mail that tells them."""

    key: tuple[str, str]
    #: The columns of their `CalendarEventState` to set (all of them for a new one).
    values: dict[str, Any]
    mail: _Mail


@dataclass(frozen=True)
class CalendarUpdate:
    """What a tour's people should be sent, computed from what was read (no write, no lock held).

    `apply` writes it in the caller's (short) write transaction, provided the copies sent in
    the meantime are still those it was computed from."""

    tour_id: int
    #: The tour's revision it was computed from: the caller claims the tour at that revision only.
    revision: int
    #: (sequence, status) of each copy already sent, as read.
    seen: dict[tuple[str, str], tuple[int, EventStatus]]
    changes: list[_Change] = field(default_factory=list)

    def apply(self) -> int | None:
        """Write the copies' new state and queue the mails; how many, or None (nothing written) if
        the copies sent changed since the read: the update must then be computed again."""
        states = {
            (s.uid, s.recipient): s
            for s in db.session.scalars(
                select(CalendarEventState)
                .where(CalendarEventState.tour_id == self.tour_id)
                .order_by(CalendarEventState.id)
            )
        }
        if {key: (s.sequence, s.status) for key, s in states.items()} != self.seen:
            return None
        for change in self.changes:
            state = states.get(change.key)
            if state is None:
                state = CalendarEventState(uid=change.key[0], recipient=change.key[1], tour_id=self.tour_id)
                db.session.add(state)
            for name, value in change.values.items():
                setattr(state, name, value)
            mail = change.mail
            enqueue(
                mail.recipient,
                mail.subject,
                mail.text,
                mail.html,
                mail.ics,
                mail.method,
                event_uid=mail.uid,
                event_sequence=mail.sequence,
            )
        db.session.flush()
        return len(self.changes)


def update_calendars(tour: Tour) -> int:
    """Bring every person's copy of the tour's events to what the tour holds now, in the caller's
    transaction; returns the mails queued (see `plan_update`). Calling it twice queues nothing
    the second time."""
    queued = plan_update(tour).apply()
    assert queued is not None  # computed and written in one transaction
    return queued


def plan_update(tour: Tour) -> CalendarUpdate:
    """What every person's copy of the tour's events should become, and the mails to send; reads only.

    Compares, per event and person, what they should hold (nothing for a cancelled tour,
    no company visit while the tour is a draft) with what they were last sent: a REQUEST
    with a higher SEQUENCE for a new or changed copy, a CANCEL for a copy withdrawn,
    nothing for the others; and nothing at all once the tour is over.
    """
    if tour.status is TourStatus.CANCELLED:
        plan = _plan(tour, [], reason=tour.cancellation_reason)
    else:
        plan = _plan(tour, _desired(tour))
    if tour.end_at <= utcnow():
        # Over: nobody is sent an invitation, an update or a withdrawal of what already took place (a tour held
        # being marked for its attendance, say, or a demo's history loaded at once).
        plan.changes.clear()
    return plan


def _desired(tour: Tour) -> list[PersonalEvent]:
    """The copies people should hold now: none for a cancelled tour, no visit in a draft."""
    if tour.status is TourStatus.CANCELLED:
        return []
    events = tour_events(tour)
    if tour.status is not TourStatus.DRAFT:
        events += visit_events(tour)
    return events


def _plan(tour: Tour, desired: Iterable[PersonalEvent], *, reason: str | None = None) -> CalendarUpdate:
    """The changes that bring the sent copies of the tour's events to `desired`, with their mails."""
    wanted = {(e.uid, e.recipient): e for e in desired}
    states = {
        (s.uid, s.recipient): s
        for s in db.session.scalars(
            select(CalendarEventState).where(CalendarEventState.tour_id == tour.id).order_by(CalendarEventState.id)
        )
    }
    plan = CalendarUpdate(
        tour_id=tour.id,
        revision=tour.revision,
        seen={key: (s.sequence, s.status) for key, s in states.items()},
    )
    now = utcnow()
    for key, event in wanted.items():
        state = states.get(key)
        if state is None:
            values = {"sequence": 0, "status": EventStatus.CONFIRMED, "created_at": now, **_snapshot(event, now)}
            plan.changes.append(_Change(key, values, _request(event, 0, is_update=False, now=now)))
        elif state.status is EventStatus.CANCELLED or state.fingerprint != event.fingerprint:
            sequence = state.sequence + 1
            values = {
                "sequence": sequence,
                "status": EventStatus.CONFIRMED,
                "cancelled_at": None,
                **_snapshot(event, now),
            }
            is_update = state.status is EventStatus.CONFIRMED
            plan.changes.append(_Change(key, values, _request(event, sequence, is_update=is_update, now=now)))
    for key, state in states.items():
        if key not in wanted and state.status is EventStatus.CONFIRMED:
            sequence = state.sequence + 1
            values = {"sequence": sequence, "status": EventStatus.CANCELLED, "cancelled_at": now, "updated_at": now}
            mail = _cancel(state, sequence, tour.title, _cause(tour, state), reason, now)
            plan.changes.append(_Change(key, values, mail))
    return plan


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


def _snapshot(event: PersonalEvent, now: datetime) -> dict[str, Any]:
    """What the person is told now, to remember: a later CANCEL is built from it."""
    return {
        "recipient_name": event.name[:200] if event.name else None,
        "audience": event.audience,
        "fingerprint": event.fingerprint,
        "summary": event.summary[:300],
        "start_at": event.start,
        "end_at": event.end,
        "location": event.location[:500],
        "updated_at": now,
    }


def _request(event: PersonalEvent, sequence: int, is_update: bool, now: datetime) -> _Mail:
    ics = ical.invitation(event.calendar_event(sequence, now), ical.Method.REQUEST, organizer(), _tzid())
    mail = invitation_text(event, is_update)
    return _Mail(
        event.recipient,
        mail.subject,
        mail.text,
        mail.html,
        ics.decode(),
        ical.Method.REQUEST.value,
        event.uid,
        sequence,
    )


def _cancel(
    state: CalendarEventState, sequence: int, title: str, cause: Cause, reason: str | None, now: datetime
) -> _Mail:
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
        sequence=sequence,
        is_cancelled=True,
        location=state.location,
        url=url,
        description=_description_of(mail.text),
        last_modified=now,
        attendee=ical.Attendee(state.recipient, state.recipient_name, partstat),
    )
    ics = ical.invitation(event, ical.Method.CANCEL, organizer(), _tzid())
    return _Mail(
        state.recipient, mail.subject, mail.text, mail.html, ics.decode(), ical.Method.CANCEL.value, state.uid, sequence
    )


def _description_of(text: str) -> str:
    """The mail text without greeting, footer and signature, for the event's DESCRIPTION."""
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(paragraphs[1:-2]) if len(paragraphs) > 3 else text.strip()


def _tzid() -> str:
    return current_app.config["TIMEZONE"]
