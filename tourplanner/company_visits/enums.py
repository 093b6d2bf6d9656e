"""The steps of a company visit session and the interest people voice at its debriefing."""

from tourplanner.enums import LabelledEnum


class AgendaStep(LabelledEnum):
    """The three steps of a session, in their order."""

    BRIEFING = ("briefing", "Briefing")
    VISIT = ("visit", "Visite")
    DEBRIEFING = ("debriefing", "Débriefing")


class Interest(LabelledEnum):
    """Whether a participant wants to go further with the trade seen."""

    YES = ("yes", "Oui, veut aller plus loin")
    MAYBE = ("maybe", "Peut-être")
    NO = ("no", "Non")
