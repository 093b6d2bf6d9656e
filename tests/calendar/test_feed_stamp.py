"""The feed stamp: database triggers move it for the people concerned by every change a feed shows, in the
writer's transaction (Core statements included); compaction never changes it; the ETag follows it and the day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text, update

from tests.calendar.conftest import settle_calendars
from tests.conftest import PARIS
from tourplanner import jobs
from tourplanner.accounts.enums import Role
from tourplanner.bookings import operations as booking_ops
from tourplanner.bookings.models import Participant
from tourplanner.calendar import feed_stamp, feeds, ical, tokens
from tourplanner.calendar.models import CalendarEventState, FeedChange
from tourplanner.sites.models import Site, Slot
from tourplanner.tours import assignments
from tourplanner.tours.models import Bus, Tour
from tourplanner.tours.notices import plan_changed

MOMENT = datetime(2027, 3, 2, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(MOMENT, tick=True):
        yield


def _stamps(db, users) -> dict[str, int]:
    """Each user's stamp (the sum of their changes' weights), by name."""
    sums = dict(
        db.session.execute(select(FeedChange.user_id, func.sum(FeedChange.weight)).group_by(FeedChange.user_id)).all()
    )
    return {name: sums.get(user.id, 0) for name, user in users.items()}


def _with_feed(user) -> None:
    tokens.feed_secret(user)


def test_every_change_a_feed_shows_moves_the_stamps_of_its_people_and_of_them_only(
    app, db, make_user, make_tour, make_site, add_stop
):
    """Booking (the bookings path's Core statements), the tour's row (a Core UPDATE without the domain), a visit,
    a coach, a visited site's name, a slot or site moving to another company, a sent state, a participant's
    address, a cancellation, an assignment and its removal, a token's renewal, a person's own row: each moves
    the stamps of the people concerned, not a bystander's, and a person without a feed gets no rows."""
    site = make_site(name="Fonderie")
    other_site = make_site(name="Aciérie")
    users = {
        "booker": make_user(Role.PRESCRIBER),
        "named": make_user(Role.PRESCRIBER, email="lea@example.fr"),
        "ambassador": make_user(Role.AMBASSADOR),
        "contact": make_user(Role.COMPANY, organisation=site.organisation.name),
        "other_contact": make_user(Role.COMPANY, organisation=other_site.organisation.name),
        "bystander": make_user(Role.PRESCRIBER),
    }
    nobody = make_user(Role.PRESCRIBER, email="sans-agenda@example.fr")
    for user in users.values():
        _with_feed(user)
    tour = make_tour(published=True)
    db.session.commit()

    def step(label: str, change, moved: set[str]) -> None:
        before = _stamps(db, users)
        change()
        db.session.commit()
        after = _stamps(db, users)
        changed = {name for name in users if after[name] != before[name]}
        assert moved <= changed, label
        assert "bystander" not in changed or "bystander" in moved, label
        assert all(after[name] >= before[name] for name in users), label

    booking = None

    def book():
        nonlocal booking
        request = booking_ops.BookingRequest(
            2,
            [
                booking_ops.ParticipantDetails("Léa", "lea@example.fr"),
                booking_ops.ParticipantDetails("Sans agenda", "sans-agenda@example.fr"),
            ],
        )
        booking = booking_ops.book_seats(tour, users["booker"], request).booking

    step("a booking", book, {"booker", "named"})
    step(
        "an ambassador",
        lambda: assignments.assign_ambassador(tour, users["ambassador"].email, 0, tour.created_by),
        {"ambassador"},
    )
    step("a visit", lambda: add_stop(tour, site, hour=11), {"contact"})
    step(
        "the tour's row, by a Core UPDATE",
        lambda: db.session.execute(update(Tour).where(Tour.id == tour.id).values(title="Nouveau titre")),
        {"booker", "named", "ambassador", "contact"},
    )
    step(
        "a coach's label, by a Core UPDATE",
        lambda: db.session.execute(update(Bus).where(Bus.tour_id == tour.id).values(label="Car bleu")),
        {"booker", "named", "ambassador", "contact"},
    )
    step(
        "a visited site's name, by a Core UPDATE",
        lambda: db.session.execute(update(Site).where(Site.id == site.id).values(name="Aciérie du Gier")),
        {"booker", "named", "ambassador", "contact"},
    )
    slot_id = db.session.scalar(select(Slot.id).where(Slot.site_id == site.id))
    step(
        "a slot moved to another company's site",
        lambda: db.session.execute(update(Slot).where(Slot.id == slot_id).values(site_id=other_site.id)),
        {"contact", "other_contact"},
    )
    step(
        "a site moved to another company",
        lambda: db.session.execute(
            update(Site).where(Site.id == other_site.id).values(organisation_id=site.organisation_id)
        ),
        {"contact", "other_contact"},
    )
    settle_calendars()
    step(
        "a sent state, by a Core UPDATE",
        lambda: db.session.execute(
            update(CalendarEventState)
            .where(CalendarEventState.recipient == users["named"].email)
            .values(sequence=CalendarEventState.sequence + 1)
        ),
        {"named"},
    )
    step(
        "a participant's address",
        lambda: db.session.execute(
            update(Participant).where(Participant.email == "lea@example.fr").values(email="autre@example.fr")
        ),
        {"named"},
    )
    step("a cancellation", lambda: booking_ops.cancel_booking(booking, users["booker"]), {"booker"})
    assignment = tour.ambassadors[0]
    step("an assignment removed", lambda: assignments.unassign_ambassador(assignment, tour.created_by), {"ambassador"})
    step("a token renewed", lambda: tokens.renew_feed_secret(users["booker"]), {"booker"})
    step("a person's name", lambda: setattr(users["bystander"], "name", "Nouveau nom"), {"bystander"})
    assert db.session.scalar(select(func.count()).where(FeedChange.user_id == nobody.id)) == 0


def test_a_change_of_something_no_feed_shows_moves_no_stamp(app, db, make_user, make_tour, book):
    """A person's last sign-in date is no feed's content: their stamp stays."""
    user = make_user(Role.PRESCRIBER)
    _with_feed(user)
    book(make_tour(published=True), user)
    before = _stamps(db, {"user": user})
    user.session_stamp = "0" * 32
    db.session.commit()
    assert _stamps(db, {"user": user}) == before


def test_compaction_folds_a_persons_rows_into_one_and_keeps_the_sum_and_the_etag(
    app, db, make_user, make_tour, book, client
):
    """The job folds the rows of each person with many into one row of the same sum; their ETag stays, and the next
    change still moves it."""
    user = make_user(Role.PRESCRIBER)
    secret = tokens.feed_secret(user)
    path = f"/calendar/{secret}.ics"
    tours = [make_tour(published=True, title=f"Tour {n}") for n in range(3)]
    for tour in tours:
        book(tour, user)
    for n in range(jobs.FEED_CHANGES_KEPT):
        tours[0].title = f"Titre {n}"
        plan_changed(tours[0])
        db.session.commit()
    settle_calendars()
    rows = db.session.scalar(select(func.count()).where(FeedChange.user_id == user.id))
    assert rows >= jobs.FEED_CHANGES_KEPT
    etag = client.get(path).headers["ETag"]
    before = _stamps(db, {"user": user})

    assert jobs.compact_feed_stamps() == 1
    assert db.session.scalar(select(func.count()).where(FeedChange.user_id == user.id)) == 1
    assert _stamps(db, {"user": user}) == before
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert jobs.compact_feed_stamps() == 0

    tours[1].title = "Encore un titre"
    plan_changed(tours[1])
    db.session.commit()
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_compaction_sums_exactly_the_rows_it_deletes(app, db, make_user):
    """Rows appended after the compaction's DELETE stay as rows: the sum is the same."""
    user = make_user(Role.PRESCRIBER)
    db.session.execute(
        text("INSERT INTO feed_changes (user_id, weight) VALUES (:u, 3), (:u, 4), (:u, 1)"), {"u": user.id}
    )
    assert feed_stamp.compact(db.session.connection(), user.id) == 3
    db.session.execute(text("INSERT INTO feed_changes (user_id, weight) VALUES (:u, 1)"), {"u": user.id})
    db.session.commit()
    weights = sorted(db.session.scalars(select(FeedChange.weight).where(FeedChange.user_id == user.id)))
    assert weights == [1, 8]


def test_the_migrations_make_the_triggers_the_code_describes(app, db):
    """The database upgraded by the migrations has exactly the triggers of `feed_stamp` (which create_all makes):
    a change of one without the other fails here."""
    dialect = db.engine.dialect.name
    with db.engine.connect() as conn:
        if dialect == "sqlite":
            made = set(conn.scalars(text("SELECT sql FROM sqlite_master WHERE type = 'trigger'")))
            assert made == set(feed_stamp.create_statements("sqlite"))
        else:
            made = set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'feed_changes_%'")))
            bodies = set(conn.scalars(text("SELECT prosrc FROM pg_proc WHERE proname LIKE 'feed_changes_%'")))
            statements = feed_stamp.create_statements("postgresql")
            assert made == {s.split()[2] for s in statements if s.startswith("CREATE TRIGGER")}
            assert bodies == {s.split("$$")[1] for s in statements if s.startswith("CREATE FUNCTION")}


def _cold(app, user):
    """The feed's body and ETag, rendered with nothing kept."""
    app.extensions.pop("tourplanner_feed_event_cache", None)
    ical._vevent_text.cache_clear()
    etag, _ = feeds.feed_validators(user)
    return feeds.build_feed(user).body, etag


def test_whenever_the_body_changes_the_etag_changes(app, db, make_user, make_tour, add_stop, book, feed_people):
    """After each of a series of changes (of every kind a feed shows), a feed whose body changed has a new ETag."""
    site, _, prescriber, ambassador = feed_people
    people = feed_people.all
    tour = make_tour(published=True, bus_seats=[20, 30])
    other = make_tour(published=True, title="Un autre tour")
    db.session.commit()
    state = {user.id: _cold(app, user) for user in people}
    bookings = []

    changes = [
        lambda: bookings.append(book(tour, prescriber, seats=3)),
        lambda: add_stop(tour, site, hour=10),
        lambda: book(tour, make_user(Role.PRESCRIBER), seats=4),
        lambda: assignments.assign_ambassador(tour, ambassador.email, 0, tour.created_by),
        lambda: assignments.assign_ambassador(tour, ambassador.email, 1, tour.created_by),
        lambda: book(other, make_user(Role.PRESCRIBER), participants=[("Paul", "paul@example.fr")]),
        lambda: db.session.execute(update(Tour).where(Tour.id == tour.id).values(title="ZI Tour renommé")),
        lambda: booking_ops.cancel_booking(bookings[0], prescriber),
        lambda: setattr(prescriber, "name", "Paul Martin"),
        lambda: db.session.execute(update(Tour).where(Tour.id == other.id).values(meeting_point_name="Gare")),
    ]
    moved = 0
    for number, change in enumerate(changes):
        change()
        settle_calendars()
        for user in people:
            body, etag = _cold(app, user)
            old_body, old_etag = state[user.id]
            if body != old_body:
                moved += 1
                assert etag != old_etag, f"change {number}: {user.email}'s feed changed under the same ETag"
            state[user.id] = (body, etag)
    assert moved >= len(changes)  # the series does change feeds: the property was put to the test


def test_the_next_day_is_another_etag_and_a_month_old_cancellation_leaves(app, db, make_user, make_tour, book, client):
    """The feed's windows start at the UTC day's start and the day is in the ETag: the next day answers 200, and an
    event cancelled 30 days before that day's start has left the body."""
    user = make_user(Role.PRESCRIBER)
    secret = tokens.feed_secret(user)
    path = f"/calendar/{secret}.ics"
    booking = book(make_tour(published=True), user)
    booking_ops.cancel_booking(booking, user)
    settle_calendars()
    first = client.get(path)
    assert "STATUS:CANCELLED" in first.get_data(as_text=True)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304

    with time_machine.travel(MOMENT + timedelta(days=1), tick=False):
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    with time_machine.travel(MOMENT + timedelta(days=31), tick=False):
        later = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert later.status_code == 200
        assert "STATUS:CANCELLED" not in later.get_data(as_text=True)


def test_bookings_of_different_tours_sharing_people_do_not_wait_on_each_other(app, db, make_user, make_tour, book):
    """On PostgreSQL, a booking of one tour, not yet committed, does not hold back another tour's booking whose
    triggers append to the same people's stamps (rows appended, never a row updated in place)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks between transactions: PostgreSQL's (SQLite has one writer at a time)")
    from sqlalchemy import insert

    from tourplanner.bookings.enums import BookingStatus
    from tourplanner.bookings.models import Booking

    shared = make_user(Role.PRESCRIBER)
    _with_feed(shared)
    tours = [make_tour(published=True, title=f"Tour {n}") for n in range(2)]
    for tour in tours:
        book(tour, shared)
    bookers = [make_user(Role.PRESCRIBER) for _ in tours]
    for user in bookers:
        _with_feed(user)
    db.session.commit()
    before = _stamps(db, {"shared": shared})["shared"]

    with db.engine.connect() as first, db.engine.connect() as second:
        for conn, tour, user in ((first, tours[0], bookers[0]), (second, tours[1], bookers[1])):
            # Waiting for the other transaction's locks would fail the test instead of hanging it.
            conn.execute(text("SET LOCAL lock_timeout = '3s'"))
            conn.execute(
                insert(Booking.__table__).values(
                    tour_id=tour.id, prescriber_id=user.id, seats=1, status=BookingStatus.CONFIRMED
                )
            )
            conn.execute(update(Tour).where(Tour.id == tour.id).values(revision=Tour.revision + 1))
        second.commit()  # while the first is still open
        first.commit()
    db.session.expire_all()
    assert _stamps(db, {"shared": shared})["shared"] >= before + 4


def test_a_change_within_the_same_second_still_moves_last_modified(app, db, make_user, make_tour, book, client):
    """HTTP dates have whole seconds: a new ETag seen within the second of the previous one gets a later
    Last-Modified, so that an If-Modified-Since of the previous one is answered 200."""
    user = make_user(Role.PRESCRIBER)
    path = f"/calendar/{tokens.feed_secret(user)}.ics"
    tour = make_tour(published=True)
    book(tour, user)
    settle_calendars()
    with time_machine.travel(MOMENT + timedelta(hours=1), tick=False):
        first = client.get(path)
        assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
        tour.title = "Un nouveau titre"
        plan_changed(tour)
        db.session.commit()
        again = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert again.status_code == 200
        assert again.headers["Last-Modified"] != first.headers["Last-Modified"]
