"""The passeport in the API: the booking's take-home PDF."""

from __future__ import annotations

from flask import Response as FlaskResponse
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Problem
from tourplanner.passeport import document
from tourplanner.passeport.content import build_passeport
from tourplanner.passeport.operations import passeport_booking

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_409": Problem}


@api.get("/bookings/<int:booking_id>/passeport")
@spec.validate(resp=Response("HTTP_200", **ERRORS), tags=["bookings"])
def booking_passeport(booking_id: int):
    """The take-home passeport of the booking's participants (its prescriber, organisers): an A4 tagged PDF.

    Companies visited with their trades and ROME codes, pay ranges, training, open positions and
    how to apply; contacts; a self-assessment grid per participant; a QR code to the online version.
    Another prescriber's booking: 404; another role: 403; a cancelled booking: 409.
    """
    booking = passeport_booking(booking_id, current_user())
    pdf = document.render_pdf(booking)
    name = document.filename(build_passeport(booking))
    return FlaskResponse(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})
