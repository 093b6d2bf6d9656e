"""Statuses and audiences of calendar events."""

from tourplanner.enums import LabelledEnum


class EventStatus(LabelledEnum):
    """Whether a person's copy of an event stands or was cancelled."""

    CONFIRMED = ("confirmed", "Confirmé")
    CANCELLED = ("cancelled", "Annulé")


class Audience(LabelledEnum):
    """Why a person has an event in their calendar: it decides what their copy says."""

    BOOKER = ("booker", "Prescripteur ayant réservé")
    PARTICIPANT = ("participant", "Participant")
    AMBASSADOR = ("ambassador", "Ambassadeur de l'industrie")
    COMPANY = ("company", "Contact entreprise")
