"""Statuses of bookings and attendance."""

from tourplanner.enums import LabelledEnum


class BookingStatus(LabelledEnum):
    """A booking holds all its seats, waits for them, or is cancelled."""

    CONFIRMED = ("confirmed", "Confirmée")
    WAITLISTED = ("waitlisted", "En liste d'attente")
    CANCELLED = ("cancelled", "Annulée")


class Attendance(LabelledEnum):
    """Whether a participant came on the day."""

    PRESENT = ("present", "Présent")
    ABSENT = ("absent", "Absent")
