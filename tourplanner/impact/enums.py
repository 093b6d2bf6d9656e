"""Moments, respondents, outcomes and contracts of the impact loop."""

from tourplanner.enums import LabelledEnum


class Moment(LabelledEnum):
    """When a perception questionnaire is answered: before the tour or after it."""

    BEFORE = ("before", "Avant le tour")
    AFTER = ("after", "Après le tour")


class Respondent(LabelledEnum):
    """Who answers a perception questionnaire."""

    PRESCRIBER = ("prescriber", "Prescripteurs")
    COMPANY = ("company", "Entreprises")


class OutcomeKind(LabelledEnum):
    """What followed a visit for a participant."""

    RECRUITMENT = ("recruitment", "Recrutement")
    TRAINING = ("training", "Entrée en formation")
    INTERNSHIP = ("internship", "Stage ou immersion (PMSMP)")
    SEARCHING = ("searching", "Toujours en recherche")


class Contract(LabelledEnum):
    """The contract of a recruitment."""

    CDI = ("cdi", "CDI")
    CDD = ("cdd", "CDD")
    INTERIM = ("interim", "Intérim")
    APPRENTICESHIP = ("apprentissage", "Apprentissage")
    PROFESSIONALISATION = ("professionnalisation", "Contrat de professionnalisation")
