"""The verbs of workshops: define one, register people, attach and read its report.

Rules, in the users' words:
- Only a tour of kind `workshop` has workshops; each lies within the event's hours.
- A registration is all or nothing: the people it names are registered only if they all fit
  in the workshop's capacity. It takes the tour's booking lock (`lock_tour`), so two
  requests never both take the last place.
- A person (an e-mail address) attends one workshop per time slot: never two workshops of
  the event whose hours overlap.
- Registrations are open while the event is published and before its booking deadline.
- After the workshop has begun, the organiser attaches its report: a text (Markdown) or a
  file of at most REPORT_MAX_BYTES; the organisers and whoever registered or was
  registered read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_role
from tourplanner.audit.operations import record
from tourplanner.bookings.operations import lock_tour
from tourplanner.db import utcnow
from tourplanner.email_address import INVALID_EMAIL, is_email
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import check_manages, get_visible_tour, manages_tour
from tourplanner.workshops.models import Workshop, WorkshopRegistration

#: Largest report file kept in the database, in bytes.
REPORT_MAX_BYTES = 512 * 1024
#: Who may register people on a workshop (ambassadors accompany, they do not register anyone).
REGISTRANT_ROLES = (Role.PRESCRIBER, Role.COMPANY, Role.ORGANISER)


class ReportTooLarge(InvalidInput):
    """A report file over REPORT_MAX_BYTES."""

    status = 413
    title = "Fichier trop volumineux"


@dataclass(frozen=True)
class WorkshopDetails:
    """A workshop as the organiser describes it."""

    theme: str
    capacity: int
    start: datetime
    end: datetime
    description: str | None = None


@dataclass(frozen=True)
class Person:
    """Someone to register: a name and an e-mail address."""

    name: str
    email: str


def create_workshop(tour: Tour, details: WorkshopDetails, actor: User) -> Workshop:
    """Add a workshop to a workshop event (its organisers)."""
    check_manages(actor, tour)
    if tour.kind is not TourKind.WORKSHOP:
        raise Conflict("seul un tour de type « Atelier de co-création » a des ateliers")
    if tour.status is TourStatus.CANCELLED:
        raise Conflict("ce tour est annulé")
    errors: list[FieldError] = []
    if not details.theme.strip():
        errors.append(FieldError("theme", "indiquez le thème de l'atelier"))
    if details.capacity < 1:
        errors.append(FieldError("capacity", "au moins une place"))
    if details.end <= details.start:
        errors.append(FieldError("end", "la fin doit suivre le début"))
    elif details.start < tour.start_at or details.end > tour.end_at:
        errors.append(FieldError("start", "l'atelier doit se tenir pendant l'événement"))
    if errors:
        raise InvalidInput(errors)
    workshop = Workshop(
        tour=tour,
        theme=details.theme.strip(),
        description=details.description,
        capacity=details.capacity,
        start_at=details.start,
        end_at=details.end,
    )
    db.session.add(workshop)
    record(actor, "workshop.create", workshop, tour_id=tour.id)
    return workshop


def get_event(user: User, tour_id: int) -> Tour:
    """The workshop event with this id as `user` may read it; NotFound when unknown, invisible to them or a tour of
    another kind."""
    tour = get_visible_tour(user, tour_id)
    if tour.kind is not TourKind.WORKSHOP:
        raise NotFound("ce tour n'a pas d'ateliers")
    return tour


def tour_workshops(tour: Tour) -> list[Workshop]:
    """The event's workshops, by time slot then theme."""
    return list(
        db.session.scalars(
            select(Workshop).where(Workshop.tour_id == tour.id).order_by(Workshop.start_at, Workshop.theme, Workshop.id)
        )
    )


def get_workshop(tour: Tour, workshop_id: int) -> Workshop:
    """The workshop with this id on this tour, or NotFound."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.tour_id != tour.id:
        raise NotFound(f"aucun atelier n°{workshop_id} sur ce tour")
    return workshop


def places_taken(workshop: Workshop) -> int:
    """People registered for the workshop."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(WorkshopRegistration)
            .where(WorkshopRegistration.workshop_id == workshop.id)
        )
        or 0
    )


def register(workshop: Workshop, people: list[Person], actor: User) -> list[WorkshopRegistration]:
    """Register people for a workshop: all of them, or none (prescribers, company contacts, organisers)."""
    require_role(actor, *REGISTRANT_ROLES)
    cleaned = _clean_people(people)
    tour = lock_tour(workshop.tour_id)
    db.session.refresh(workshop)
    if tour.status is not TourStatus.PUBLISHED:
        raise Conflict(f"cet événement ne prend pas d'inscription (il est : {tour.status.label.lower()})")
    if utcnow() >= tour.booking_deadline_at:
        raise Conflict("la date limite d'inscription de cet événement est passée")
    busy = _busy_in_slot(workshop, [p.email for p in cleaned])
    if busy:
        raise Conflict("déjà inscrit(e) à un atelier sur ce créneau : " + ", ".join(busy))
    left = workshop.capacity - places_taken(workshop)
    if len(cleaned) > left:
        raise Conflict(f"plus assez de places dans l'atelier « {workshop.theme} » ({max(left, 0)} restante(s))")
    registrations = [
        WorkshopRegistration(workshop=workshop, registered_by_id=actor.id, name=p.name, email=p.email) for p in cleaned
    ]
    db.session.add_all(registrations)
    record(actor, "workshop.register", workshop, people=len(registrations))
    return registrations


def _clean_people(people: list[Person]) -> list[Person]:
    errors: list[FieldError] = []
    cleaned: list[Person] = []
    seen: set[str] = set()
    if not people:
        raise InvalidInput.one("people", "indiquez au moins une personne")
    for index, person in enumerate(people):
        name, email = person.name.strip(), person.email.strip().lower()
        if not name:
            errors.append(FieldError(f"people.{index}.name", "indiquez le nom"))
        if not is_email(email):
            errors.append(FieldError(f"people.{index}.email", INVALID_EMAIL))
        elif email in seen:
            errors.append(FieldError(f"people.{index}.email", "cette personne est déjà nommée plus haut"))
        seen.add(email)
        cleaned.append(Person(name, email))
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _busy_in_slot(workshop: Workshop, emails: list[str]) -> list[str]:
    """Those of `emails` already registered for a workshop of the event whose hours overlap this one's."""
    return sorted(
        set(
            db.session.scalars(
                select(WorkshopRegistration.email)
                .join(Workshop, Workshop.id == WorkshopRegistration.workshop_id)
                .where(
                    Workshop.tour_id == workshop.tour_id,
                    WorkshopRegistration.email.in_(emails),
                    Workshop.start_at < workshop.end_at,
                    workshop.start_at < Workshop.end_at,
                )
            )
        )
    )


def cancel_registration(registration: WorkshopRegistration, actor: User) -> None:
    """Withdraw a person from a workshop (who registered them, or an organiser)."""
    if not manages_tour(actor, registration.workshop.tour) and registration.registered_by_id != actor.id:
        raise PermissionDenied("seule la personne qui a fait l'inscription peut l'annuler")
    lock_tour(registration.workshop.tour_id)
    record(actor, "workshop.unregister", registration.workshop, email=registration.email)
    db.session.delete(registration)
    db.session.flush()


def may_register(user: User) -> bool:
    """Whether `user` may register people on workshops (the rule `register` enforces), to offer its form."""
    return user.role in REGISTRANT_ROLES


def registrations_shown_to(workshop: Workshop, user: User) -> list[WorkshopRegistration]:
    """A workshop's registrations as `user` may see them: all of them for its tour's organisers, else their own."""
    return workshop.registrations if manages_tour(user, workshop.tour) else own_registrations(workshop, user)


def own_registrations(workshop: Workshop, user: User) -> list[WorkshopRegistration]:
    """The registrations `user` made for this workshop, or that name them."""
    return [r for r in workshop.registrations if r.registered_by_id == user.id or r.email == user.email.strip().lower()]


def may_read_report(workshop: Workshop, user: User) -> bool:
    """Organisers, and anyone who registered or was registered for the workshop, read its report."""
    return manages_tour(user, workshop.tour) or bool(own_registrations(workshop, user))


def attach_report(
    workshop: Workshop,
    actor: User,
    text: str | None = None,
    filename: str | None = None,
    content_type: str | None = None,
    data: bytes | None = None,
) -> Workshop:
    """Attach (or replace) the workshop's report: a text, a file, or both (organisers, once it has begun)."""
    check_manages(actor, workshop.tour)
    if utcnow() < workshop.start_at:
        raise Conflict("le compte rendu se joint une fois l'atelier commencé")
    text = text.strip() if text else None
    if not text and not data:
        raise InvalidInput.one("report", "joignez un texte ou un fichier")
    if data is not None and len(data) > REPORT_MAX_BYTES:
        raise ReportTooLarge([FieldError("file", f"le fichier dépasse {REPORT_MAX_BYTES // 1024} Ko")])
    if data and not (filename or "").strip():
        raise InvalidInput.one("file.filename", "indiquez le nom du fichier")
    workshop.report_text = text or None
    if data:
        workshop.report_filename = filename.strip()[:200] if filename else None
        workshop.report_content_type = (content_type or "application/octet-stream")[:100]
        workshop.report_file = data
    workshop.report_attached_at = utcnow()
    record(actor, "workshop.report", workshop, has_file=workshop.report_file is not None)
    db.session.flush()
    return workshop


def read_report(workshop: Workshop, user: User) -> Workshop:
    """The workshop, for reading its report: NotFound before it is attached, refused to others."""
    if not may_read_report(workshop, user):
        raise PermissionDenied("le compte rendu est réservé aux organisateurs et aux inscrits de l'atelier")
    if not workshop.has_report:
        raise NotFound("aucun compte rendu joint à cet atelier pour l'instant")
    return workshop
