"""Asking by mail: perception questionnaires (before, after, one reminder), outcomes at 1, 3 and 6 months.

Who is asked, and when:
- **before**: each prescriber with a confirmed booking on an open tour that has not started,
  and each contact of a company whose visit it schedules — within minutes of the booking's
  confirmation (the scheduler's round), so it comes with the confirmation;
- **after**: the same people, the day after the tour (from the first mail hour of the next day,
  for a week);
- **one reminder** three days after a questionnaire still unanswered, never a second;
- **outcomes**: each prescriber with a confirmed booking on a tour, 1, 3 and 6 months after it,
  with one link to a page listing the people they accompanied.
Each mail is recorded (a PerceptionRequest or OutcomeRequest row, unique per person, tour and
moment), so running a round twice sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, and_, exists, select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db
from tourplanner.impact.enums import Moment
from tourplanner.impact.links import link
from tourplanner.impact.models import OutcomeRequest, PerceptionAnswer, PerceptionRequest
from tourplanner.mail.compose import MailText, compose
from tourplanner.mail.operations import enqueue
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import Site, Slot
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Stop, Tour

#: An unanswered questionnaire gets its single reminder this long after it was sent.
REMINDER_AFTER = timedelta(days=3)
#: Questionnaires older than this get no reminder any more.
REMINDER_WITHIN = timedelta(days=21)
#: The "after" questionnaire goes out for this long after the tour, not later.
AFTER_WITHIN = timedelta(days=7)
#: Outcomes are asked this many months after the tour.
OUTCOME_MONTHS = (1, 3, 6)
#: An outcome request not sent within this long after its date is skipped (e.g. the scheduler was down).
OUTCOME_WITHIN = timedelta(days=14)


def _people(tours: Select) -> Select:
    """(tour id, user id) of the prescribers booked (confirmed) on `tours` and of the visited companies' contacts."""
    prescribers = select(Booking.tour_id, Booking.prescriber_id.label("user_id")).where(
        Booking.tour_id.in_(tours), Booking.status == BookingStatus.CONFIRMED
    )
    contacts = (
        select(Stop.tour_id, User.id.label("user_id"))
        .join(Slot, Stop.slot_id == Slot.id)
        .join(Site, Slot.site_id == Site.id)
        .join(User, and_(User.organisation_id == Site.organisation_id, User.role == Role.COMPANY))
        .where(Stop.tour_id.in_(tours), Stop.company_response != VisitResponse.DECLINED, User.is_active.is_(True))
    )
    return prescribers.union(contacts)


def due_perception(moment: Moment, now: datetime) -> list[tuple[int, int]]:
    """(tour id, user id) who should now receive the questionnaire of `moment` and have not."""
    if moment is Moment.BEFORE:
        tours = select(Tour.id).where(Tour.status.in_((TourStatus.PUBLISHED, TourStatus.CLOSED)), Tour.start_at > now)
    else:
        local = to_local(now)
        start_of_today = local.replace(hour=0, minute=0, second=0, microsecond=0)
        tours = select(Tour.id).where(
            Tour.status.not_in((TourStatus.DRAFT, TourStatus.CANCELLED)),
            Tour.end_at < start_of_today,
            Tour.end_at >= now - AFTER_WITHIN,
        )
    people = _people(tours).subquery()
    asked = exists().where(
        PerceptionRequest.tour_id == people.c.tour_id,
        PerceptionRequest.user_id == people.c.user_id,
        PerceptionRequest.moment == moment,
    )
    return [
        (t, u)
        for t, u in db.session.execute(
            select(people.c.tour_id, people.c.user_id).where(~asked).order_by(people.c.tour_id, people.c.user_id)
        )
    ]


def questionnaire_url(tour_id: int, user_id: int, moment: Moment) -> str:
    """The signed link to a person's questionnaire."""
    return link("perception", "/questionnaire/", t=tour_id, u=user_id, m=moment.value)


def assessment_url(tour_id: int, user_id: int) -> str:
    """The signed link to a company's assessment of a visit."""
    return link("assessment", "/evaluation-visite/", t=tour_id, u=user_id)


def outcomes_url(tour_id: int, prescriber_id: int) -> str:
    """The signed link to a prescriber's outcomes page for a tour."""
    return link("outcomes", "/suivi/", t=tour_id, p=prescriber_id)


def _perception_mail(tour: Tour, user: User, moment: Moment, reminder: bool) -> MailText:
    """A person's questionnaire for a tour and a moment (or its reminder); after the tour, a company's
    contact also gets the link to assess the visit."""
    day = f"{to_local(tour.start_at):%d/%m/%Y}"
    when = "avant" if moment is Moment.BEFORE else "après"
    return compose(
        "perception",
        f"{'Rappel : ' if reminder else ''}2 minutes pour votre avis {when} « {tour.title} » du {day}",
        name=user.name,
        tour=tour,
        moment=moment,
        questionnaire_url=questionnaire_url(tour.id, user.id, moment),
        assessment_url=assessment_url(tour.id, user.id)
        if moment is Moment.AFTER and user.role is Role.COMPANY
        else None,
    )


def queue_perception(tour_id: int, user_id: int, moment: Moment) -> PerceptionRequest:
    """Mail a person their questionnaire for a tour and a moment, and record it."""
    tour, user = db.session.get(Tour, tour_id), db.session.get(User, user_id)
    request = PerceptionRequest(tour_id=tour_id, user_id=user_id, moment=moment)
    db.session.add(request)
    mail = _perception_mail(tour, user, moment, reminder=False)
    enqueue(user.email, mail.subject, mail.text, mail.html)
    db.session.flush()
    return request


def due_reminders(now: datetime) -> list[PerceptionRequest]:
    """Questionnaires sent three days ago or more, unanswered, never reminded, tour not cancelled."""
    answered = exists().where(
        PerceptionAnswer.tour_id == PerceptionRequest.tour_id,
        PerceptionAnswer.user_id == PerceptionRequest.user_id,
        PerceptionAnswer.moment == PerceptionRequest.moment,
    )
    return list(
        db.session.scalars(
            select(PerceptionRequest)
            .join(Tour, PerceptionRequest.tour_id == Tour.id)
            .where(
                PerceptionRequest.reminded_at.is_(None),
                PerceptionRequest.sent_at <= now - REMINDER_AFTER,
                PerceptionRequest.sent_at > now - REMINDER_WITHIN,
                Tour.status != TourStatus.CANCELLED,
                ~answered,
            )
            .order_by(PerceptionRequest.id)
        )
    )


def queue_reminder(request: PerceptionRequest, now: datetime) -> None:
    """The single reminder of an unanswered questionnaire."""
    tour, user = db.session.get(Tour, request.tour_id), db.session.get(User, request.user_id)
    mail = _perception_mail(tour, user, request.moment, reminder=True)
    enqueue(user.email, mail.subject, mail.text, mail.html)
    request.reminded_at = now
    db.session.flush()


def due_outcomes(now: datetime) -> list[tuple[int, int, int]]:
    """(tour id, prescriber id, months) whose outcomes should now be asked and have not been."""
    due = []
    for months in OUTCOME_MONTHS:
        latest = now - relativedelta(months=months)
        tours = select(Tour.id).where(
            Tour.status.not_in((TourStatus.DRAFT, TourStatus.CANCELLED)),
            Tour.end_at <= latest,
            Tour.end_at > latest - OUTCOME_WITHIN,
        )
        asked = exists().where(
            OutcomeRequest.tour_id == Booking.tour_id,
            OutcomeRequest.prescriber_id == Booking.prescriber_id,
            OutcomeRequest.months == months,
        )
        rows = db.session.execute(
            select(Booking.tour_id, Booking.prescriber_id)
            .where(Booking.tour_id.in_(tours), Booking.status == BookingStatus.CONFIRMED, ~asked)
            .distinct()
            .order_by(Booking.tour_id, Booking.prescriber_id)
        )
        due += [(tour_id, prescriber_id, months) for tour_id, prescriber_id in rows]
    return due


def queue_outcome_request(tour_id: int, prescriber_id: int, months: int) -> OutcomeRequest:
    """Ask a prescriber what became of the people they brought on a tour, and record it."""
    tour, prescriber = db.session.get(Tour, tour_id), db.session.get(User, prescriber_id)
    request = OutcomeRequest(tour_id=tour_id, prescriber_id=prescriber_id, months=months)
    db.session.add(request)
    day = f"{to_local(tour.start_at):%d/%m/%Y}"
    mail = compose(
        "outcomes",
        f"Que sont devenues les personnes du tour du {day} ? ({months} mois)",
        name=prescriber.name,
        tour=tour,
        months=months,
        outcomes_url=outcomes_url(tour_id, prescriber_id),
    )
    enqueue(prescriber.email, mail.subject, mail.text, mail.html)
    db.session.flush()
    return request
