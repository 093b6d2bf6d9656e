"""A feed's rows of changes name the tours they concern: after a change of one tour, a feed renders that tour
again without comparing every tour's stamp, and gives, after each change of a series, the bytes of a feed
rendered with nothing kept."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete, select, update

from tests.calendar.conftest import settle_calendars
from tests.conftest import PARIS, future
from tourplanner.accounts.enums import Role
from tourplanner.bookings import operations as booking_ops
from tourplanner.calendar import feed_queries, feed_stamp, feeds, ical, tokens
from tourplanner.calendar.feed_cache import EventCache
from tourplanner.calendar.models import FeedChange
from tourplanner.sites.models import Site, Slot
from tourplanner.tours import assignments
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Stop, Tour

MOMENT = datetime(2027, 3, 2, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(MOMENT, tick=True):
        yield


def _rows(db, user) -> set[int | None]:
    return set(db.session.scalars(select(FeedChange.tour_id).where(FeedChange.user_id == user.id)))


def test_each_row_names_the_tour_its_change_concerns_or_none(app, db, make_user, make_tour, make_site, add_stop, book):
    """A booking, a participant, an ambassador, a visit, the tour's row: rows naming the tour; a site's name, a
    person's name, a token: rows naming none; a booking moved to another tour: a row for each."""
    site = make_site(name="Fonderie")
    booker = make_user(Role.PRESCRIBER)
    named = make_user(Role.PRESCRIBER, email="lea@example.fr")
    ambassador = make_user(Role.AMBASSADOR)
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    for user in (booker, named, ambassador, contact):
        tokens.feed_secret(user)
    tour, other = make_tour(published=True), make_tour(published=True, title="Un autre tour")
    db.session.commit()
    db.session.execute(delete(FeedChange))

    booking = book(tour, booker, participants=[("Léa", "lea@example.fr")])
    assignments.assign_ambassador(tour, ambassador.email, 0, tour.created_by)
    add_stop(tour, site, hour=11)
    db.session.commit()
    assert _rows(db, booker) == _rows(db, named) == _rows(db, ambassador) == _rows(db, contact) == {tour.id}

    db.session.execute(delete(FeedChange))
    db.session.execute(update(Site).where(Site.id == site.id).values(name="Aciérie"))
    booker.name = "Nouveau nom"
    tokens.renew_feed_secret(named)
    db.session.commit()
    assert _rows(db, contact) == _rows(db, booker) == _rows(db, named) == {None}

    db.session.execute(delete(FeedChange))
    db.session.execute(update(type(booking)).where(type(booking).id == booking.id).values(tour_id=other.id))
    db.session.commit()
    assert _rows(db, booker) == {tour.id, other.id}


def test_the_tours_a_feed_shows_are_found_the_same_one_by_one(app, db, make_user, make_tour, make_site, add_stop, book):
    """`shown_tours` (indexed lookups of some tours) finds, of every tour, exactly those whose stamps the feed
    compares (`tour_stamps`): seats, named participants, rides, visits; not a cancelled seat, a tour over for more
    than a year, or a tour cancelled more than a month ago."""
    site = make_site(name="Fonderie")
    prescriber = make_user(Role.PRESCRIBER, email="paul@example.fr")
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    ambassador = make_user(Role.AMBASSADOR)
    tours = [make_tour(published=True, title=f"Tour {n}") for n in range(6)]
    long_ago = make_tour(published=True, title="Il y a plus d'un an")
    book(tours[0], prescriber)
    book(tours[1], make_user(Role.PRESCRIBER), participants=[("Paul", "paul@example.fr")])
    booking_ops.cancel_booking(book(tours[2], prescriber), prescriber)
    assignments.assign_ambassador(tours[3], ambassador.email, 0, tours[3].created_by)
    add_stop(tours[4], site, hour=10)
    book(long_ago, prescriber)
    past = MOMENT - timedelta(days=400)
    db.session.execute(
        update(Tour).where(Tour.id == long_ago.id).values(start_at=past, end_at=past + timedelta(hours=8))
    )
    cancelled = make_tour(published=True, title="Annulé il y a longtemps")
    book(cancelled, prescriber)
    db.session.execute(
        update(Tour)
        .where(Tour.id == cancelled.id)
        .values(status=TourStatus.CANCELLED, cancelled_at=MOMENT - timedelta(days=40))
    )
    db.session.commit()
    every = {tour.id for tour in db.session.scalars(select(Tour))}
    now = MOMENT
    for user in (prescriber, contact, ambassador, make_user(Role.PRESCRIBER)):
        stamps, _ = feed_queries.tour_stamps(user, now)
        listed = {int(stamp.split(":", 1)[0]) for stamp in stamps.split(";")} if stamps else set()
        assert feed_queries.shown_tours(user, now, every) == listed, user.email
    assert feed_queries.shown_tours(prescriber, now, every) == {tours[0].id, tours[1].id}


def test_after_each_change_of_a_series_the_kept_feed_is_the_cold_feed(
    app, db, make_user, make_tour, add_stop, book, feed_people, monkeypatch
):
    """After each change (of every kind a feed shows), each person's feed built from what it kept is byte for byte
    the feed built with nothing kept; a change of one tour is found by the rows alone (no stamp compared), a change
    of no one tour, folded rows and a new day by comparing the stamps."""
    site, _, prescriber, ambassador = feed_people
    people = feed_people.all
    tour = make_tour(published=True, bus_seats=[20, 30])
    other = make_tour(published=True, title="Un autre tour")
    third = make_tour(
        published=True,
        title="Un troisième tour",
        start=future(20, 8, 30),
        end=future(20, 17, 0),
        booking_deadline=future(15, 18, 0),
    )
    book(third, prescriber)
    db.session.commit()
    settle_calendars()

    compared: list[int] = []
    real = feeds.tour_stamps
    monkeypatch.setattr(feeds, "tour_stamps", lambda user, now: compared.append(user.id) or real(user, now))
    warm = EventCache()

    def feed(user, cache: EventCache) -> bytes:
        app.extensions["tourplanner_feed_event_cache"] = cache
        return feeds.build_feed(user).body

    def check(label: str, by_rows: bool) -> None:
        settle_calendars()
        compared.clear()
        kept = {user.id: feed(user, warm) for user in people}
        assert bool(compared) is not by_rows, f"{label}: stamps compared for {compared}"
        for user in people:
            ical._vevent_text.cache_clear()
            assert kept[user.id] == feed(user, EventCache()), f"{label}: {user.email}'s kept feed is not the cold one"

    for user in people:
        feed(user, warm)
    bookings = []
    slot_id = None

    def visit():
        nonlocal slot_id
        add_stop(tour, site, hour=10)
        slot_id = db.session.scalar(select(Slot.id).where(Slot.site_id == site.id))

    changes = [
        ("a booking", lambda: bookings.append(book(tour, prescriber, seats=3)), True),
        ("a visit", visit, True),
        ("another group", lambda: book(tour, make_user(Role.PRESCRIBER), seats=4), True),
        ("an ambassador", lambda: assignments.assign_ambassador(tour, ambassador.email, 0, tour.created_by), True),
        ("another bus", lambda: assignments.assign_ambassador(tour, ambassador.email, 1, tour.created_by), True),
        (
            "a participant",
            lambda: book(other, make_user(Role.PRESCRIBER), participants=[("Paul", "paul@example.fr")]),
            True,
        ),
        (
            "the tour's row",
            lambda: db.session.execute(update(Tour).where(Tour.id == tour.id).values(title="ZI Tour renommé")),
            True,
        ),
        (
            "a tour moved before the others",
            lambda: db.session.execute(
                update(Tour)
                .where(Tour.id == other.id)
                .values(start_at=MOMENT + timedelta(hours=30), end_at=MOMENT + timedelta(hours=34))
            ),
            True,
        ),
        ("a cancelled seat", lambda: booking_ops.cancel_booking(bookings[0], prescriber), True),
        ("a visited site's name", lambda: db.session.execute(update(Site).values(name="Aciérie du Gier")), False),
        (
            "a slot's times",
            lambda: db.session.execute(
                update(Slot)
                .where(Slot.id == slot_id)
                .values(start_at=db.session.get(Slot, slot_id).start_at - timedelta(minutes=30))
            ),
            False,
        ),
        ("a person's name", lambda: setattr(prescriber, "name", "Paul Martin"), False),
        ("a visit removed", lambda: db.session.execute(delete(Stop).where(Stop.tour_id == tour.id)), True),
        ("a seat again", lambda: bookings.append(book(tour, prescriber, seats=1)), True),
    ]
    for label, change, by_rows in changes:
        change()
        db.session.commit()
        check(label, by_rows)

    # Folded rows: the next answer compares the stamps, and is still the cold one.
    for user in people:
        feed_stamp.compact(db.session.connection(), user.id)
    db.session.commit()
    check("folded rows", by_rows=False)
    with time_machine.travel(MOMENT + timedelta(days=1), tick=True):
        check("the next day", by_rows=False)
        db.session.execute(update(Tour).where(Tour.id == third.id).values(title="Le troisième, renommé"))
        db.session.commit()
        check("a change the next day", by_rows=True)


def test_a_booking_waiting_appends_no_row_for_the_tours_other_people(app, db, make_user, make_tour):
    """A waiting booking changes no one else's feed (a feed shows confirmed seats only): on the day bookings open,
    each of hundreds of waiting bookings would otherwise append a row for every subscriber of the tour. A booking
    that holds seats appends one for the others (their group's size), and so does one promoted from waiting."""
    seated, waiting, third = (make_user(Role.PRESCRIBER) for _ in range(3))
    for user in (seated, waiting, third):
        tokens.feed_secret(user)
    tour = make_tour(published=True, bus_seats=[3])

    def book(user, seats: int):
        outcome = booking_ops.book_seats(tour, user, booking_ops.BookingRequest(seats, []))
        db.session.commit()
        return outcome.booking

    first = book(seated, 2)
    db.session.execute(delete(FeedChange))
    db.session.commit()

    queued = book(waiting, 2)
    assert queued.status.value == "waitlisted"
    assert _rows(db, waiting) == {tour.id} and _rows(db, seated) == set()

    book(third, 1)  # seats held: the others' group size
    assert _rows(db, seated) == {tour.id}

    db.session.execute(delete(FeedChange))
    booking_ops.cancel_booking(first, seated)  # the seats go to the booking waiting
    db.session.commit()
    db.session.refresh(queued)
    assert queued.status.value == "confirmed"
    assert _rows(db, third) == {tour.id} and _rows(db, waiting) == {tour.id}
