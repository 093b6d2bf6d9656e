"""Verbs of the impact loop: answer a perception questionnaire, record an outcome, assess a visit,
set the retention period, anonymise, export or erase what is held about one person.

They flush and raise domain errors; they never commit (the caller owns the transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser, require_role
from tourplanner.audit.operations import record
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.impact.enums import Contract, Moment, OutcomeKind, Respondent
from tourplanner.impact.models import (
    DEFAULT_RETENTION_MONTHS,
    CompanyAssessment,
    ImpactSettings,
    Outcome,
    PerceptionAnswer,
)
from tourplanner.impact.questionnaires import questions_for
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.models import Stop, Tour
from tourplanner.tours.queries import managed_by, manages_tour

#: What a participant's name becomes once anonymised (after the retention period, or erased on request).
ANONYMISED_NAME = "Personne anonymisée"


# --- perception ------------------------------------------------------------------------


def respondent_for(tour: Tour, user: User) -> Respondent:
    """Prescribers with a booking on the tour, contacts of a company it visits; anyone else 403."""
    if user.role is Role.PRESCRIBER:
        booked = db.session.scalar(
            select(
                exists().where(
                    Booking.tour_id == tour.id,
                    Booking.prescriber_id == user.id,
                    Booking.status != BookingStatus.CANCELLED,
                )
            )
        )
        if booked:
            return Respondent.PRESCRIBER
        raise PermissionDenied("seuls les prescripteurs inscrits à ce tour répondent à son questionnaire")
    if user.role is Role.COMPANY and user.organisation_id is not None:
        visited = db.session.scalar(
            select(
                exists().where(
                    Stop.tour_id == tour.id,
                    Stop.slot_id == Slot.id,
                    Slot.site_id == Site.id,
                    Site.organisation_id == user.organisation_id,
                )
            )
        )
        if visited:
            return Respondent.COMPANY
        raise PermissionDenied("seuls les contacts des entreprises visitées par ce tour répondent à son questionnaire")
    raise PermissionDenied("questionnaire réservé aux prescripteurs inscrits et aux entreprises visitées")


def has_answered(tour: Tour, user: User, moment: Moment) -> bool:
    """Whether the person already answered for this moment."""
    return (
        db.session.scalar(
            select(
                exists().where(
                    PerceptionAnswer.tour_id == tour.id,
                    PerceptionAnswer.user_id == user.id,
                    PerceptionAnswer.moment == moment,
                )
            )
        )
        or False
    )


def answer_perception(
    tour: Tour, user: User, moment: Moment, score: int, comment: str | None = None, scores: dict[str, int] | None = None
) -> PerceptionAnswer:
    """Record a perception answer; once per person, tour and moment (409 the second time)."""
    respondent = respondent_for(tour, user)
    errors = [FieldError("score", "doit être entre 1 et 5")] if not 1 <= score <= 5 else []
    asked = {q.key for q in questions_for(tour.organisation_id, respondent)}
    for key, value in (scores or {}).items():
        if key not in asked:
            errors.append(
                FieldError(f"scores.{key}", "cette affirmation ne figure pas dans le questionnaire de ce tour")
            )
        elif not 1 <= value <= 5:
            errors.append(FieldError(f"scores.{key}", "doit être entre 1 et 5"))
    if errors:
        raise InvalidInput(errors)
    if has_answered(tour, user, moment):
        raise Conflict(f"vous avez déjà répondu au questionnaire « {moment.label.lower()} » de ce tour")
    answer = PerceptionAnswer(
        tour_id=tour.id,
        user_id=user.id,
        respondent=respondent,
        moment=moment,
        score=score,
        scores=dict(scores or {}),
        comment=(comment or "").strip() or None,
    )
    try:
        with db.session.begin_nested():  # the unique key settles a race between two submissions
            db.session.add(answer)
            db.session.flush()
    except IntegrityError:
        raise Conflict(f"vous avez déjà répondu au questionnaire « {moment.label.lower()} » de ce tour") from None
    return answer


# --- outcomes --------------------------------------------------------------------------


def get_participant(participant_id: int, user: User) -> Participant:
    """A participant for outcomes: its prescriber or an organiser; 403 for other roles, 404 for other prescribers."""
    require_role(user, Role.ORGANISER, Role.PRESCRIBER)
    participant = db.session.get(Participant, participant_id)
    if (
        participant is None
        or (user.role is Role.PRESCRIBER and participant.booking.prescriber_id != user.id)
        or (user.role is Role.ORGANISER and not manages_tour(user, participant.booking.tour))
    ):
        raise NotFound(f"aucun participant n°{participant_id}")
    return participant


def record_outcome(
    participant: Participant, user: User, kind: OutcomeKind, occurred_on: date, contract: Contract | None = None
) -> Outcome:
    """Record what followed the visit for a participant (its prescriber or an organiser)."""
    if not manages_tour(user, participant.booking.tour) and participant.booking.prescriber_id != user.id:
        raise NotFound(f"aucun participant n°{participant.id}")
    if contract is not None and kind is not OutcomeKind.RECRUITMENT:
        raise InvalidInput.one("contract", "un contrat ne se précise que pour un recrutement")
    outcome = Outcome(
        participant_id=participant.id, kind=kind, occurred_on=occurred_on, contract=contract, recorded_by_id=user.id
    )
    db.session.add(outcome)
    db.session.flush()
    record(user, "outcome.record", outcome, participant_id=participant.id, kind=kind.value)
    return outcome


def prescriber_people(tour: Tour, prescriber: User) -> list[Participant]:
    """The people a prescriber accompanied on a tour (confirmed bookings), for the outcomes form."""
    return list(
        db.session.scalars(
            select(Participant)
            .join(Booking, Participant.booking_id == Booking.id)
            .where(
                Booking.tour_id == tour.id,
                Booking.prescriber_id == prescriber.id,
                Booking.status == BookingStatus.CONFIRMED,
            )
            .order_by(Participant.id)
        )
    )


def latest_outcomes(participants: list[Participant]) -> dict[int, Outcome]:
    """The last outcome recorded per participant."""
    if not participants:
        return {}
    outcomes = db.session.scalars(
        select(Outcome).where(Outcome.participant_id.in_([p.id for p in participants])).order_by(Outcome.id)
    )
    return {outcome.participant_id: outcome for outcome in outcomes}


# --- the host company's assessment -----------------------------------------------------


@dataclass(frozen=True)
class AssessmentDetails:
    """What the host company says of a visit."""

    went_as_planned: bool
    visitors: int | None = None
    profiles_spotted: int | None = None
    intends_to_recruit: bool = False
    intends_immersion: bool = False
    comment: str | None = None


def assess_visit(tour: Tour, user: User, details: AssessmentDetails) -> CompanyAssessment:
    """Record (or correct) the host company's assessment of a visit; one per company and tour."""
    if respondent_for(tour, user) is not Respondent.COMPANY:
        raise PermissionDenied("l'évaluation de la visite est faite par l'entreprise visitée")
    errors = [
        FieldError(name, "doit être un nombre entre 0 et 1000")
        for name in ("visitors", "profiles_spotted")
        if getattr(details, name) is not None and not 0 <= getattr(details, name) <= 1000
    ]
    if errors:
        raise InvalidInput(errors)
    assessment = db.session.scalar(
        select(CompanyAssessment).where(
            CompanyAssessment.tour_id == tour.id, CompanyAssessment.organisation_id == user.organisation_id
        )
    )
    if assessment is None:
        assessment = CompanyAssessment(tour_id=tour.id, organisation_id=user.organisation_id)
        db.session.add(assessment)
    assessment.user_id = user.id
    assessment.went_as_planned = details.went_as_planned
    assessment.visitors = details.visitors
    assessment.profiles_spotted = details.profiles_spotted
    assessment.intends_to_recruit = details.intends_to_recruit
    assessment.intends_immersion = details.intends_immersion
    assessment.comment = (details.comment or "").strip() or None
    db.session.flush()
    return assessment


# --- retention and anonymisation -------------------------------------------------------


def settings() -> ImpactSettings:
    """The single settings row (created with the defaults when missing)."""
    row = db.session.scalar(select(ImpactSettings).order_by(ImpactSettings.id).limit(1))
    if row is None:
        row = ImpactSettings(retention_months=DEFAULT_RETENTION_MONTHS)
        db.session.add(row)
        db.session.flush()
    return row


def set_retention(months: int, user: User) -> ImpactSettings:
    """Set how many months after their tour participants' personal data is kept (organisers; 1–120)."""
    require_organiser(user)
    if not 1 <= months <= 120:
        raise InvalidInput.one("retention_months", "doit être entre 1 et 120 mois")
    row = settings()
    previous = row.retention_months
    row.retention_months = months
    db.session.flush()
    record(user, "impact.retention", row, months=months, previous=previous)
    return row


def anonymise_expired(now: datetime | None = None) -> int:
    """Anonymise the participants of tours ended more than the retention period ago; returns how many.

    Names and addresses go; the rows, their attendance and outcomes stay, so every
    aggregate figure of the bilan is unchanged. Free comments of those tours go too.
    """
    now = now or utcnow()
    row = settings()
    cutoff = now - relativedelta(months=row.retention_months)
    old_tours = select(Tour.id).where(Tour.end_at < cutoff)
    old_bookings = select(Booking.id).where(Booking.tour_id.in_(old_tours))
    count = db.session.execute(
        update(Participant)
        .where(
            Participant.booking_id.in_(old_bookings),
            (Participant.name != ANONYMISED_NAME) | Participant.email.is_not(None),
        )
        .values(name=ANONYMISED_NAME, email=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        update(PerceptionAnswer)
        .where(PerceptionAnswer.tour_id.in_(old_tours), PerceptionAnswer.comment.is_not(None))
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(CompanyAssessment)
        .where(CompanyAssessment.tour_id.in_(old_tours), CompanyAssessment.comment.is_not(None))
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )
    if count:
        record(None, "impact.anonymise", row, participants=count, before=cutoff.isoformat())
    db.session.flush()
    return count


# --- one person's data (GDPR articles 15 and 17) ---------------------------------------


def find_person(email: str | None, user: User) -> list[Participant]:
    """Every participant row carrying exactly this address (any case) on a tour `user` manages.

    An organiser answers for their own territory's participants only; the address is compared
    whole, never as a pattern (a `%` or `_` typed in the form matches nothing else). None (no
    search yet, the empty form) finds nobody, once the reader is checked."""
    require_organiser(user)
    if email is None:
        return []
    address = email.strip().lower()
    if not address:
        raise InvalidInput.one("email", "indiquez l'adresse e-mail de la personne")
    return list(
        db.session.scalars(
            select(Participant)
            .join(Booking, Participant.booking_id == Booking.id)
            .join(Tour, Booking.tour_id == Tour.id)
            .where(managed_by(user))
            .where(func.lower(Participant.email) == address)
            .order_by(Participant.id)
        )
    )


def person_export(participants: list[Participant], user: User) -> dict[str, Any]:
    """Everything held about one person (article 15), recorded in the audit trail."""
    require_organiser(user)
    outcomes = db.session.scalars(
        select(Outcome).where(Outcome.participant_id.in_([p.id for p in participants])).order_by(Outcome.id)
    ).all()
    by_participant: dict[int, list[Outcome]] = {}
    for outcome in outcomes:
        by_participant.setdefault(outcome.participant_id, []).append(outcome)
    data = {
        "participations": [
            {
                "participant_id": p.id,
                "name": p.name,
                "email": p.email,
                "has_reduced_mobility": p.has_reduced_mobility,
                "attendance": p.attendance.value if p.attendance is not None else None,
                "booking_id": p.booking_id,
                "booking_status": p.booking.status.value,
                "tour": p.booking.tour.title,
                "tour_start": p.booking.tour.start_at.isoformat(),
                "prescriber": p.booking.prescriber.name,
                "organisation": p.booking.organisation.name if p.booking.organisation else None,
                "outcomes": [
                    {
                        "kind": o.kind.value,
                        "contract": o.contract.value if o.contract else None,
                        "date": o.occurred_on.isoformat(),
                    }
                    for o in by_participant.get(p.id, [])
                ],
            }
            for p in participants
        ],
    }
    for participant in participants:
        record(user, "person.export", participant)
    return data


def erase_person(participants: list[Participant], user: User) -> int:
    """Erase a person (article 17): names and address go, aggregates stay; recorded in the audit trail."""
    require_organiser(user)
    for participant in participants:
        participant.name = ANONYMISED_NAME
        participant.email = None
        participant.has_reduced_mobility = False
        record(user, "person.erase", participant)
    db.session.flush()
    return len(participants)
