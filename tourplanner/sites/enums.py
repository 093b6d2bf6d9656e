"""Statuses of visit slots."""

from tourplanner.enums import LabelledEnum


class SlotStatus(LabelledEnum):
    """Where a visit slot stands, from the company's offer to its use in a tour."""

    OFFERED = ("offered", "Proposé")
    ACCEPTED = ("accepted", "Retenu")
    DECLINED = ("declined", "Décliné")
    PAUSED = ("paused", "En pause")
    WITHDRAWN = ("withdrawn", "Retiré")


class VisitResponse(LabelledEnum):
    """A company's answer to a visit planned at one of its sites."""

    PENDING = ("pending", "En attente de votre réponse")
    CONFIRMED = ("confirmed", "Confirmée")
    DECLINED = ("declined", "Déclinée")
