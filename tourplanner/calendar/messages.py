"""The readable French side of the invitations: subject, text and HTML of each mail."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from tourplanner.calendar.enums import Audience
from tourplanner.calendar.events import PersonalEvent, hm, long_date


class Cause(str, enum.Enum):
    """Why a person's copy of an event is cancelled: it decides how the mail explains it."""

    TOUR = "tour"
    BOOKING = "booking"
    VISIT = "visit"
    ASSIGNMENT = "assignment"
    OTHER = "other"


@dataclass(frozen=True)
class MailText:
    """A mail's subject and its two readable bodies."""

    subject: str
    text: str
    html: str


FOOTER_REQUEST = (
    "L'invitation jointe ajoute ce rendez-vous à votre agenda ; elle sera mise à jour si l'horaire ou le lieu change."
)
FOOTER_CANCEL = "L'annulation jointe retire ce rendez-vous de votre agenda."


def invitation_text(event: PersonalEvent, is_update: bool) -> MailText:
    """The mail beside a REQUEST: a first invitation or an update of times or place."""
    when = long_date(event.start)
    if event.recurrence is not None:  # a weekly cohort: the first session, then every week
        when += " et les semaines suivantes"
    if is_update:
        if event.audience is Audience.COMPANY:
            intro = f"La visite de votre site « {event.site_name} » a changé : voici l'horaire et le lieu à jour."
        else:
            intro = f"Le tour « {event.title} » a changé : voici l'horaire et le lieu à jour."
        subject = f"Modifié : {event.summary} — {when}"
    else:
        intro = {
            Audience.BOOKER: f"Votre réservation pour le tour « {event.title} » du {when} est confirmée.",
            Audience.PARTICIPANT: f"Votre place pour le tour « {event.title} » du {when} est confirmée.",
            Audience.AMBASSADOR: f"Vous accompagnerez le tour « {event.title} » du {when} "
            "comme ambassadeur de l'industrie.",
            Audience.COMPANY: f"Une visite de votre site « {event.site_name} » est prévue le {when}, "
            f"à {hm(event.start)}, dans le cadre du tour « {event.title} ».",
        }[event.audience]
        subject = f"Invitation : {event.summary} — {when}"
    paragraphs = [intro, event.schedule, FOOTER_REQUEST]
    return _compose(subject, event.name, paragraphs)


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
    when = f"{long_date(start)} à {hm(start)}"
    if audience is Audience.COMPANY:
        intro = {
            Cause.TOUR: f"Le tour « {title} » est annulé : la visite de votre site prévue le {when} n'aura pas lieu.",
            Cause.VISIT: f"La visite du tour « {title} » prévue le {when} est annulée : "
            "elle ne figure plus à l'itinéraire.",
        }.get(cause, f"La visite du tour « {title} » prévue le {when} est annulée.")
    else:
        intro = {
            Cause.TOUR: f"Le tour « {title} » prévu le {when} est annulé.",
            Cause.BOOKING: f"Votre inscription au tour « {title} » du {when} est annulée.",
            Cause.ASSIGNMENT: f"Vous n'accompagnez plus le tour « {title} » du {when}.",
        }.get(cause, f"Le rendez-vous « {summary} » du {when} est annulé.")
    paragraphs = [intro]
    if reason:
        paragraphs.append(f"Motif : {reason}")
    if url:
        paragraphs.append(f"Détails : {url}")
    paragraphs.append(FOOTER_CANCEL)
    return _compose(f"Annulé : {summary} — {long_date(start)}", name, paragraphs)


def _compose(subject: str, name: str | None, paragraphs: list[str]) -> MailText:
    greeting = f"Bonjour {name}," if name else "Bonjour,"
    signature = "— tourplanner"
    text = "\n\n".join([greeting, *paragraphs, signature]) + "\n"
    body = Markup("").join(
        Markup("<p>{}</p>\n").format(Markup("<br>\n").join(escape(line) for line in paragraph.split("\n")))
        for paragraph in [greeting, *paragraphs, signature]
    )
    html = Markup(
        '<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>{}</title></head>\n'
        "<body>\n{}</body>\n</html>\n"
    ).format(subject, body)
    return MailText(subject=subject, text=text, html=str(html))


def reminder_text(event: PersonalEvent) -> MailText:
    """The reminder two days before: where and when, and the day's programme."""
    when = long_date(event.start)
    intro = {
        Audience.BOOKER: f"Rappel : le tour « {event.title} » a lieu le {when}. "
        f"Rendez-vous à {hm(event.start)} : {event.location}.",
        Audience.PARTICIPANT: f"Rappel : le tour « {event.title} » a lieu le {when}. "
        f"Rendez-vous à {hm(event.start)} : {event.location}.",
        Audience.AMBASSADOR: f"Rappel : vous accompagnez le tour « {event.title} » le {when}. "
        f"Rendez-vous à {hm(event.start)} : {event.location}.",
        Audience.COMPANY: f"Rappel : le groupe du tour « {event.title} » visite votre site « {event.site_name} » "
        f"le {when} ; arrivée du car à {hm(event.start)}.",
    }[event.audience]
    closing = "En cas d'empêchement, prévenez l'organisateur au plus tôt."
    return _compose(f"Rappel : {event.summary} — {when}", event.name, [intro, event.schedule, closing])


def follow_up_text(event: PersonalEvent) -> MailText:
    """The mail of the day after: thanks, and what to do next."""
    when = long_date(event.start)
    intro = {
        Audience.BOOKER: f"Le tour « {event.title} » a eu lieu le {when}. Merci d'y avoir inscrit votre groupe !\n"
        f"Indiquez les présences de vos participants et partagez vos retours : {event.url}",
        Audience.PARTICIPANT: f"Le tour « {event.title} » a eu lieu le {when}. Merci de votre participation !\n"
        "Votre conseiller reviendra vers vous pour la suite de votre parcours.",
        Audience.AMBASSADOR: f"Merci d'avoir accompagné le tour « {event.title} » le {when} !\n"
        f"Vos remarques sur la journée sont les bienvenues : {event.url}",
        Audience.COMPANY: f"Merci d'avoir accueilli le groupe du tour « {event.title} » le {when} "
        f"sur votre site « {event.site_name} » !",
    }[event.audience]
    return _compose(f"Merci : {event.title} — {when}", event.name, [intro])
