"""Who may have a booking's passeport, and the link to its online version."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.errors import Conflict, NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.tours.queries import manages_tour

#: Keeps passeport links apart from every other signed value of the application.
LINK_SALT = "tourplanner.passeport"


def passeport_booking(booking_id: int, user: User) -> Booking:
    """The booking whose passeport `user` asks for: its prescriber (who booked) or an organiser.

    Another prescriber: 404, the booking's existence is private. Another role: 403.
    A cancelled booking has no passeport (409).
    """
    booking = db.session.get(Booking, booking_id)
    if booking is not None and (manages_tour(user, booking.tour) or booking.prescriber_id == user.id):
        if booking.status is BookingStatus.CANCELLED:
            raise Conflict("cette inscription est annulée : elle n'a pas de passeport")
        return booking
    if user.role is not Role.PRESCRIBER:
        raise PermissionDenied("le passeport est réservé au prescripteur de l'inscription et aux organisateurs")
    raise NotFound(f"aucune inscription n°{booking_id}")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=LINK_SALT)


def link_token(booking: Booking) -> str:
    """The token of the booking's online passeport: whoever holds the link (the participants) may read it."""
    return _serializer().dumps(booking.id)


def booking_for_token(token: str) -> Booking:
    """The booking of an online passeport link; 404 for a forged link or a cancelled booking."""
    try:
        booking_id = _serializer().loads(token)
    except BadSignature:
        raise NotFound("ce lien de passeport n'est pas valide") from None
    booking = db.session.get(Booking, booking_id) if isinstance(booking_id, int) else None
    if booking is None or booking.status is BookingStatus.CANCELLED:
        raise NotFound("ce passeport n'existe pas ou plus")
    return booking


def online_url(booking: Booking) -> str:
    """The public address of the booking's online passeport (BASE_URL + signed token)."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/passeport/{link_token(booking)}"
