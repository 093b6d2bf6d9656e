"""With CSRF on, as in production: the prescribers' forms carry a token, and a form without one changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.pages.helpers import csrf_from, text_of
from tests.prescriber_pages.conftest import book
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.calendar.models import CalendarToken
from tourplanner.extensions import db


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF protection on."""
    return {"WTF_CSRF_ENABLED": True}


def test_booking_needs_the_forms_token(client, prescriber, make_tour):
    """A booking posted without the form's token is refused in French; with it, it is stored."""
    tour = make_tour(published=True)
    form = {"seats": "2", "idempotency_key": "k", "reserver": "1"}
    refused = client.post(f"/tours/{tour.id}/inscrire", data=form)
    assert refused.status_code == 400 and "Formulaire refusé" in text_of(refused)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    token = csrf_from(text_of(client.get(f"/tours/{tour.id}/inscrire")))
    assert client.post(f"/tours/{tour.id}/inscrire", data={**form, "csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_cancel_and_renew_need_the_pages_token(client, prescriber, make_tour):
    """Cancel and renew without a token change nothing; the page's own buttons carry it."""
    mine = book(make_tour(published=True), prescriber, 2)
    page = text_of(client.get("/mes-inscriptions"))
    old = db.session.scalars(select(CalendarToken.token_hash).where(CalendarToken.user_id == prescriber.id)).one()
    assert client.post(f"/mes-inscriptions/{mine.id}/annuler").status_code == 400
    assert client.post("/mon-agenda/renouveler", data={"back": "inscriptions"}).status_code == 400
    assert db.session.get(Booking, mine.id, populate_existing=True).status is BookingStatus.CONFIRMED
    assert (
        db.session.scalars(select(CalendarToken.token_hash).where(CalendarToken.user_id == prescriber.id)).one() == old
    )
    token = csrf_from(page)
    assert client.post(f"/mes-inscriptions/{mine.id}/annuler", data={"csrf_token": token}).status_code == 302
    assert db.session.get(Booking, mine.id, populate_existing=True).status is BookingStatus.CANCELLED
