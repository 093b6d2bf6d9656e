"""Scheduled jobs of the impact loop: plain functions (a query, a domain call, one commit).

Wired to triggers in tourplanner.scheduler; tests call them directly with a frozen clock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.impact import operations, requests
from tourplanner.impact.enums import Moment
from tourplanner.timeutil import to_local

log = logging.getLogger(__name__)

#: Questionnaires and outcome requests are mailed between these local hours only.
MAIL_HOURS = range(8, 20)


def send_perception_questionnaires(now: datetime | None = None) -> int:
    """Mail the due questionnaires (before, after) and the single reminders; returns the mails queued."""
    now = now or utcnow()
    if to_local(now).hour not in MAIL_HOURS:
        return 0
    queued = 0
    for moment in Moment:
        for tour_id, user_id in requests.due_perception(moment, now):
            requests.queue_perception(tour_id, user_id, moment)
            queued += 1
    for request in requests.due_reminders(now):
        requests.queue_reminder(request, now)
        queued += 1
    return _commit(queued)


def ask_outcomes(now: datetime | None = None) -> int:
    """Ask prescribers, 1, 3 and 6 months after a tour, what became of their people; returns the mails queued."""
    now = now or utcnow()
    if to_local(now).hour not in MAIL_HOURS:
        return 0
    due = requests.due_outcomes(now)
    for tour_id, prescriber_id, months in due:
        requests.queue_outcome_request(tour_id, prescriber_id, months)
    return _commit(len(due))


def anonymise_personal_data(now: datetime | None = None) -> int:
    """Anonymise the participants whose retention period has passed; returns how many."""
    count = operations.anonymise_expired(now)
    db.session.commit()
    return count


def _commit(queued: int) -> int:
    try:
        db.session.commit()
    except IntegrityError:  # another scheduler recorded the same request first
        db.session.rollback()
        log.warning("Impact mails were already queued by another process; nothing queued here")
        return 0
    return queued
