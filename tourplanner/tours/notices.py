"""Marking a tour whose people may need updated invitations: the calendar sends them later.

Domain verbs (tours, bookings, itineraries, visits) call `plan_changed` inside their
transaction; they never build or queue invitations themselves. Once the change is
committed, and after a short delay in which further changes of the same burst join it,
`tourplanner.calendar.updates` compares what each person should now hold with what they
were last sent, and queues the difference (see there for what runs it).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, has_app_context

from tourplanner.db import utcnow
from tourplanner.tours.models import Tour

#: Default of NOTIFY_DELAY_SECONDS: changes within this time of a first one make one update.
DEFAULT_DELAY_SECONDS = 30


def plan_changed(tour: Tour) -> None:
    """What the tour's people were told may have changed: schedule a calendar update."""
    now = utcnow()
    delay = timedelta(seconds=float(current_app.config.get("NOTIFY_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)))
    # A window opened by the first change of a burst: later changes join it, so each person
    # gets one update, and nobody waits longer than the delay after the first change.
    if tour.notify_after_at is None or tour.notify_after_at > now + delay:
        tour.notify_after_at = now + delay
    # Feeds derive their validators from this: every change of content moves it.
    tour.updated_at = now
    if has_app_context():
        g.calendar_touched = True
