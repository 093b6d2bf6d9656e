"""The passeport's pages: the online version behind its link (and QR code), and the prescriber's download."""

from __future__ import annotations

from flask import Response, url_for
from flask_login import current_user, login_required

from routes.pages import pages
from tourplanner.passeport import document
from tourplanner.passeport.content import build_passeport
from tourplanner.passeport.operations import booking_for_token, link_token, passeport_booking


def _pdf_response(booking) -> Response:
    name = document.filename(build_passeport(booking))
    return Response(
        document.render_pdf(booking),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@pages.app_context_processor
def passeport_helpers() -> dict[str, object]:
    """The online passeport's address of a booking, for the prescriber's pages."""
    return {"passeport_url": lambda booking: url_for("pages.passeport_online", token=link_token(booking))}


@pages.get("/passeport/<token>")
def passeport_online(token: str):
    """The online passeport, for whoever holds its link: the participants, their referent."""
    booking = booking_for_token(token)
    return document.render_html(
        booking, "passeport/online.html", pdf_url=url_for("pages.passeport_online_pdf", token=token)
    )


@pages.get("/passeport/<token>/pdf")
def passeport_online_pdf(token: str):
    """The printable PDF of an online passeport."""
    return _pdf_response(booking_for_token(token))


@pages.get("/mes-inscriptions/<int:booking_id>/passeport.pdf")
@login_required
def my_booking_passeport(booking_id: int):
    """The passeport of one of the prescriber's bookings (organisers: any booking), as a PDF."""
    return _pdf_response(passeport_booking(booking_id, current_user))
