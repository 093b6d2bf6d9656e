"""Kinds of mail rounds sent about a tour."""

from tourplanner.enums import LabelledEnum


class MailRound(LabelledEnum):
    """A round of mails about one tour that must go out once only."""

    REMINDER = ("reminder", "Rappel avant le tour")
    FOLLOW_UP = ("follow_up", "Suivi après le tour")
    PASSEPORT = ("passeport", "Passeport remis après le tour")
