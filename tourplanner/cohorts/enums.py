"""Statuses of a cohort's sessions."""

from tourplanner.enums import LabelledEnum


class SessionStatus(LabelledEnum):
    """A session of the weekly rule is held, skipped for a holiday, or cancelled by the organiser."""

    SCHEDULED = ("scheduled", "Prévue")
    SKIPPED = ("skipped", "Pas de séance (vacances ou jour férié)")
    CANCELLED = ("cancelled", "Annulée")


class SchoolZone(LabelledEnum):
    """The school-holiday zone of metropolitan France whose holidays the series skips."""

    A = ("A", "Zone A")
    B = ("B", "Zone B")
    C = ("C", "Zone C")
