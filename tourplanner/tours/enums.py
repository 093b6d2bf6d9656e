"""Kinds and statuses of tours."""

from tourplanner.enums import LabelledEnum


class TourKind(LabelledEnum):
    """The programmes tourplanner runs."""

    ZI_TOUR = ("zi_tour", "ZI Tour en car")
    COMPANY_VISIT = ("company_visit", "Visite d'entreprise en petit groupe")
    IMMERSION = ("immersion", "Immersion en centre de formation")
    SIAE_VISIT = ("siae_visit", "Visite inversée d'une structure d'insertion")
    WORKSHOP = ("workshop", "Atelier de co-création")
    MEETING = ("meeting", "Réunion")
    COHORT = ("cohort", "Cohorte hebdomadaire")


class TourStatus(LabelledEnum):
    """A tour's life: drafted, open to bookings, closed, held, or cancelled."""

    DRAFT = ("draft", "Brouillon")
    PUBLISHED = ("published", "Ouvert aux inscriptions")
    CLOSED = ("closed", "Inscriptions closes")
    DONE = ("done", "Terminé")
    CANCELLED = ("cancelled", "Annulé")
