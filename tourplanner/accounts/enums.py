"""Roles and kinds of organisation."""

from tourplanner.enums import LabelledEnum


class Role(LabelledEnum):
    """What a user does in tourplanner; it decides what they may see and change."""

    ORGANISER = ("organiser", "Organisateur")
    PRESCRIBER = ("prescriber", "Prescripteur")
    COMPANY = ("company", "Contact entreprise")
    AMBASSADOR = ("ambassador", "Ambassadeur de l'industrie")


class OrganisationKind(LabelledEnum):
    """The kinds of organisation that take part in the programmes."""

    COMPANY = ("company", "Entreprise industrielle")
    FRANCE_TRAVAIL = ("france_travail", "Agence France Travail")
    MISSION_LOCALE = ("mission_locale", "Mission locale")
    CAP_EMPLOI = ("cap_emploi", "Cap emploi")
    SIAE = ("siae", "Structure d'insertion (SIAE)")
    TRAINING_CENTRE = ("training_centre", "Centre de formation")
    EMPLOYERS_ASSOCIATION = ("employers_association", "Organisation professionnelle")
    LOCAL_AUTHORITY = ("local_authority", "Collectivité")
