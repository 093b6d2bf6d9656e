"""The passeport's scheduled job: a query, a domain call, one commit."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.passeport.mailing import MAIL_HOURS, queue_passeports, tours_due
from tourplanner.timeutil import to_local

log = logging.getLogger(__name__)


def send_passeports(now: datetime | None = None) -> int:
    """Mail the passeports of the tours that ended (once per tour, in the day); returns the mails queued."""
    now = now or utcnow()
    if to_local(now).hour not in MAIL_HOURS:
        return 0
    queued = sum(queue_passeports(tour) for tour in tours_due(now))
    try:
        db.session.commit()
    except IntegrityError:  # another scheduler mailed them first
        db.session.rollback()
        log.warning("The passeports were already queued by another process; nothing queued here")
        return 0
    return queued
