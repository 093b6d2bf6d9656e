""" "My bookings": to come and past, waiting position, participants, cancelling, visits, calendar link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import future
from tests.pages.helpers import text_of
from tests.prescriber_pages.conftest import add_stop, book, close_bookings
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.calendar.models import CalendarToken
from tourplanner.calendar.tokens import derive_secret
from tourplanner.db import utcnow
from tourplanner.extensions import db
from tourplanner.tours.models import Tour


def reload(booking: Booking) -> Booking:
    """The booking as stored now (the pages commit in their own session)."""
    return db.session.get(Booking, booking.id, populate_existing=True)


def section(page: str, heading: str, next_heading: str) -> str:
    """The part of the page between two headings."""
    return page[page.index(heading) : page.index(next_heading)]


def test_bookings_to_come_and_past_with_status_seats_and_participants(client, prescriber, make_user, make_tour):
    """Bookings are split into "À venir" and "Passées", with status, seats, waiting position and participants."""
    soon = make_tour(published=True, title="Tour à venir", bus_seats=[4])
    old = make_tour(published=True, title="Tour passé")
    book(soon, make_user(Role.PRESCRIBER), 3)
    waiting = book(soon, prescriber, 2, names=("Léa Girard", "Yanis Haddad"))
    book(old, prescriber, 1)
    stored = db.session.get(Tour, old.id)
    stored.start_at, stored.end_at = utcnow() - timedelta(days=10, hours=8), utcnow() - timedelta(days=10)
    db.session.commit()
    page = text_of(client.get("/mes-inscriptions"))
    upcoming = section(page, "À venir", "Passées")
    past = section(page, "Passées", "Mon agenda")
    assert "Tour à venir" in upcoming and "Tour passé" not in upcoming
    assert "Tour passé" in past
    assert "En liste d'attente" in upcoming and "2 places" in upcoming
    assert "Position 1 sur la liste d'attente" in upcoming
    assert "Léa Girard" in upcoming and "Yanis Haddad" in upcoming
    assert "Confirmée" in past
    assert f'id="inscription-{waiting.id}"' in page


def test_other_prescribers_bookings_are_not_listed(client, prescriber, make_user, make_tour):
    """A prescriber sees only their own bookings."""
    tour = make_tour(published=True, title="Tour partagé")
    book(tour, make_user(Role.PRESCRIBER), 2, names=("Personne d'ailleurs",))
    page = text_of(client.get("/mes-inscriptions"))
    assert "Personne d'ailleurs" not in page and "Aucune inscription à venir." in page


def test_cancel_frees_the_seats_for_the_waiting_list(client, prescriber, make_user, make_tour):
    """The cancel button cancels the booking, and the first waiting booking that fits gets the seats."""
    tour = make_tour(published=True, title="ZI Tour Meyzieu", bus_seats=[4])
    mine = book(tour, prescriber, 3)
    waiting = book(tour, make_user(Role.PRESCRIBER), 2)
    page = text_of(client.get("/mes-inscriptions"))
    assert f'href="/mes-inscriptions/{mine.id}/annuler"' in page
    confirm = text_of(client.get(f"/mes-inscriptions/{mine.id}/annuler"))
    assert "Annuler cette inscription ?" in confirm and f'action="/mes-inscriptions/{mine.id}/annuler"' in confirm
    assert "<script" not in confirm.split("<main", 1)[1]  # a plain page, no inline script (strict CSP)
    assert reload(mine).status is BookingStatus.CONFIRMED  # asking changes nothing
    response = client.post(f"/mes-inscriptions/{mine.id}/annuler", follow_redirects=True)
    assert "Inscription annulée : 3 places sur « ZI Tour Meyzieu » libérées." in text_of(response)
    assert reload(mine).status is BookingStatus.CANCELLED
    assert reload(waiting).status is BookingStatus.CONFIRMED


def test_after_the_deadline_only_the_organiser_can_change_it(client, prescriber, make_tour):
    """Past the deadline the button gives way to a sentence, and a sent cancel changes nothing."""
    tour = make_tour(published=True)
    mine = book(tour, prescriber, 2)
    close_bookings(tour)
    page = text_of(client.get("/mes-inscriptions"))
    assert f"/mes-inscriptions/{mine.id}/annuler" not in page
    assert "seul l'organisateur peut désormais modifier ou annuler cette inscription" in page
    response = client.post(f"/mes-inscriptions/{mine.id}/annuler", follow_redirects=True)
    assert response.status_code == 200
    assert "Annulation impossible : la date limite d'inscription est passée" in text_of(response)
    assert reload(mine).status is BookingStatus.CONFIRMED


def test_someone_elses_booking_cannot_be_cancelled(client, prescriber, make_user, make_tour):
    """Cancelling another prescriber's booking answers 404 and leaves it as it was."""
    tour = make_tour(published=True)
    theirs = book(tour, make_user(Role.PRESCRIBER), 2)
    assert client.post(f"/mes-inscriptions/{theirs.id}/annuler").status_code == 404
    assert client.post("/mes-inscriptions/999/annuler").status_code == 404
    assert reload(theirs).status is BookingStatus.CONFIRMED


def test_cancelled_booking_offers_no_button_and_cannot_be_cancelled_twice(client, prescriber, make_tour):
    """A cancelled booking shows no cancel button; cancelling it again is refused in French."""
    tour = make_tour(published=True)
    mine = book(tour, prescriber, 2)
    client.post(f"/mes-inscriptions/{mine.id}/annuler")
    page = text_of(client.get("/mes-inscriptions"))
    assert "Annulée" in page and f"/mes-inscriptions/{mine.id}/annuler" not in page
    response = client.post(f"/mes-inscriptions/{mine.id}/annuler", follow_redirects=True)
    assert "Annulation impossible : cette réservation est déjà annulée." in text_of(response)


def test_booked_tour_shows_its_visits_and_road_book(client, prescriber, make_tour, make_site, make_slot):
    """A booked tour with an itinerary lists its bus's visits with times and links to the road book."""
    tour = make_tour(published=True, bus_seats=[20, 20])
    first, second = tour.buses
    mine = book(tour, prescriber, 2)
    assert mine.bus_id == first.id
    add_stop(tour, first, make_slot(site=make_site(name="Atelier d'injection")), future(30, 10, 15))
    add_stop(tour, second, make_slot(site=make_site(name="Entrepôt de Jonage")), future(30, 14))
    page = text_of(client.get("/mes-inscriptions"))
    assert "10:15–11:15" in page and "Atelier d'injection" in page
    assert "Entrepôt de Jonage" not in page  # the other bus's visit
    assert f'href="/tours/{tour.id}/feuille-de-route"' in page
    assert client.get(f"/tours/{tour.id}/feuille-de-route").status_code == 200


def test_no_road_book_link_without_a_live_booking(client, prescriber, make_tour, make_site, make_slot):
    """A cancelled booking shows neither the visits nor the road book link."""
    tour = make_tour(published=True)
    mine = book(tour, prescriber, 2)
    add_stop(tour, tour.buses[0], make_slot(site=make_site(name="Atelier d'injection")), future(30, 10))
    client.post(f"/mes-inscriptions/{mine.id}/annuler")
    page = text_of(client.get("/mes-inscriptions"))
    assert "feuille-de-route" not in page and "Atelier d'injection" not in page


def test_calendar_link_as_webcal_and_https(client, prescriber):
    """ "My bookings" gives the personal feed as webcal:// and https://, in a field to copy."""
    page = text_of(client.get("/mes-inscriptions"))
    token = db.session.scalars(select(CalendarToken).where(CalendarToken.user_id == prescriber.id)).one()
    secret = derive_secret(prescriber.id, token.version)
    assert f'href="webcal://tourplanner.test/calendar/{secret}.ics"' in page
    assert f'value="http://tourplanner.test/calendar/{secret}.ics"' in page
    assert client.get(f"/calendar/{secret}.ics").status_code == 200
    again = text_of(client.get("/mes-inscriptions"))
    assert f"/calendar/{secret}.ics" in again  # the same link on each visit


def test_renewing_the_link_retires_the_old_one(client, prescriber):
    """ "Renouveler le lien" gives a new feed address; the old one answers 404."""
    client.get("/mes-inscriptions")
    old_token = db.session.scalars(select(CalendarToken).where(CalendarToken.user_id == prescriber.id)).one()
    old = derive_secret(prescriber.id, old_token.version)
    response = client.post("/mon-agenda/renouveler", data={"back": "inscriptions"})
    assert response.status_code == 302 and response.headers["Location"] == "/mes-inscriptions#agenda"
    page = text_of(client.get("/mes-inscriptions"))
    assert "L'ancien ne fonctionne plus" in page
    assert f"/calendar/{old}.ics" not in page
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    new_token = db.session.scalars(
        select(CalendarToken).where(CalendarToken.user_id == prescriber.id, CalendarToken.revoked_at.is_(None))
    ).one()
    new = derive_secret(prescriber.id, new_token.version)
    assert new != old and f"/calendar/{new}.ics" in page


def test_calendar_page_serves_every_role(client, make_user, sign_in):
    """/mon-agenda shows any signed-in person their feed link and the renew button."""
    ambassador = make_user(Role.AMBASSADOR)
    sign_in(ambassador)
    page = text_of(client.get("/mon-agenda"))
    assert "webcal://tourplanner.test/calendar/" in page and "Renouveler le lien" in page
    response = client.post("/mon-agenda/renouveler", data={"back": "agenda"})
    assert response.headers["Location"] == "/mon-agenda#agenda"
    tokens = db.session.scalars(select(CalendarToken.token_hash).where(CalendarToken.user_id == ambassador.id)).all()
    response = client.post("/mon-agenda/renouveler", data={"back": "https://ailleurs.example"})
    assert response.headers["Location"] == "/mon-agenda"  # refused: no open redirect
    assert (
        db.session.scalars(select(CalendarToken.token_hash).where(CalendarToken.user_id == ambassador.id)).all()
        == tokens
    )
