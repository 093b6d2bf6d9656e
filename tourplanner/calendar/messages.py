"""The readable French side of the invitations: subject, text and HTML of each mail.

The words live in the templates `routes/templates/mail/{invitation,cancellation,reminder,follow_up}.txt`;
this module chooses the template, writes the subject and gives the facts.
"""

from __future__ import annotations

import enum
from datetime import datetime

from tourplanner.calendar.enums import Audience
from tourplanner.calendar.events import PersonalEvent
from tourplanner.formatting import long_date
from tourplanner.mail.compose import MailText, compose


class Cause(str, enum.Enum):
    """Why a person's copy of an event is cancelled: it decides how the mail explains it."""

    TOUR = "tour"
    BOOKING = "booking"
    VISIT = "visit"
    ASSIGNMENT = "assignment"
    OTHER = "other"


def invitation_text(event: PersonalEvent, is_update: bool) -> MailText:
    """The mail beside a REQUEST: a first invitation or an update of times or place."""
    when = long_date(event.start)
    if event.recurrence is not None:  # a weekly cohort: the first session, then every week
        when += " et les semaines suivantes"
    subject = f"{'Modifié' if is_update else 'Invitation'} : {event.summary} — {when}"
    return compose("invitation", subject, name=event.name, event=event, is_update=is_update, when=when)


def cancellation_text(
    title: str,
    summary: str,
    audience: Audience,
    name: str | None,
    start: datetime,
    cause: Cause,
    reason: str | None = None,
    url: str | None = None,
) -> MailText:
    """The mail beside a CANCEL: `title` is the tour's, `summary` the cancelled event's."""
    return compose(
        "cancellation",
        f"Annulé : {summary} — {long_date(start)}",
        name=name,
        title=title,
        summary=summary,
        audience=audience,
        start=start,
        cause=cause,
        reason=reason,
        url=url,
    )


def reminder_text(event: PersonalEvent) -> MailText:
    """The reminder two days before: where and when, and the day's programme."""
    return compose("reminder", f"Rappel : {event.summary} — {long_date(event.start)}", name=event.name, event=event)


def follow_up_text(event: PersonalEvent) -> MailText:
    """The mail of the day after: thanks, and what to do next."""
    return compose("follow_up", f"Merci : {event.title} — {long_date(event.start)}", name=event.name, event=event)
