"""Marking a tour whose people may need updated invitations: the calendar sends them later.

Domain verbs (tours, bookings, itineraries, visits, sites) call `plan_changed` inside their
transaction; they never build or queue invitations themselves. Once the change is
committed, and once the burst has gone quiet (or has lasted long enough, see there),
the calendar side (its `updates` module) compares what each person should now hold with what they
were last sent, and queues the difference (see there for what runs it).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, has_app_context

from tourplanner.db import utcnow
from tourplanner.tours.models import Tour

#: Default of NOTIFY_DELAY_SECONDS: the quiet time after a change before its update leaves.
DEFAULT_DELAY_SECONDS = 30
#: Default of NOTIFY_MAX_DELAY_SECONDS: however long a burst goes on, its update leaves this
#: long after its first change (mail must leave within a minute of the action).
DEFAULT_MAX_DELAY_SECONDS = 50


def plan_changed(tour: Tour) -> None:
    """What the tour's people were told may have changed: schedule a calendar update."""
    now = utcnow()
    config = current_app.config
    quiet = timedelta(seconds=float(config.get("NOTIFY_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)))
    cap = timedelta(seconds=float(config.get("NOTIFY_MAX_DELAY_SECONDS", DEFAULT_MAX_DELAY_SECONDS)))
    # A debounce: each change of a burst pushes the update back by the quiet time, so a lock
    # then a re-optimisation make one update per person; but never beyond the cap after the
    # burst's first change, so that nobody waits longer than that for the first change.
    if tour.notify_after_at is None or tour.notify_first_at is None:
        tour.notify_first_at = now
    tour.notify_after_at = min(now + quiet, tour.notify_first_at + cap)
    # Feeds derive their validators from these: every change of content moves them, the
    # counter even when two changes fall within one tick of the clock.
    tour.updated_at = now
    tour.revision = (tour.revision or 0) + 1
    if has_app_context():
        g.calendar_touched = True
