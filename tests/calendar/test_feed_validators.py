"""Feeds: every change a person's feed shows moves its validators, a 304 costs one indexed statement, and a
change re-renders only the changed tour's events."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
import time_machine

from tests.calendar.conftest import settle_calendars
from tests.conftest import PARIS
from tests.sql_statements import selects, sql_statements
from tourplanner.accounts.enums import Role
from tourplanner.bookings import operations as booking_ops
from tourplanner.calendar import feeds, ical
from tourplanner.sites import operations as site_ops
from tourplanner.tours import assignments
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails
from tourplanner.tours.notices import plan_changed

#: The tests run on a frozen calendar (the clock ticks from there, so that updates are ordered).
MOMENT = datetime(2027, 3, 2, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(MOMENT, tick=True):
        yield


def _feed_path(api) -> str:
    return api.get("/me/calendar").get_json()["url"].removeprefix("http://tourplanner.test")


def _text(response) -> str:
    """The feed's text with its folded lines unfolded."""
    return response.get_data(as_text=True).replace("\r\n ", "")


def _changed(client, path: str, before) -> object:
    """The answer to a conditional request after a change: a 200 with new validators, which then give 304."""
    again = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != before.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
    return again


class _NoGeocoding:
    """A geocoder the test must not reach (the address does not change)."""

    def geocode(self, address: str) -> tuple[float, float]:
        raise AssertionError(f"geocoded {address}")


def test_a_renamed_site_changes_the_feed_of_a_prescriber_whose_tour_visits_it(
    api_as, client, make_tour, make_site, add_stop, book, db
):
    """The site's new name reaches the booker's feed: new ETag, new text."""
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True)
    site = make_site(name="Fonderie")
    add_stop(tour, site, hour=11)
    book(tour, api.user)
    path = _feed_path(api)
    first = client.get(path)
    assert "Fonderie" in _text(first)

    site_ops.update_site(
        site, replace(site_ops.details_of(site), name="Aciérie du Gier"), tour.created_by, _NoGeocoding()
    )
    settle_calendars()
    assert "Aciérie du Gier" in _text(_changed(client, path, first))


def test_a_site_renamed_after_its_visit_shows_in_the_feed_as_a_cold_build_shows_it(
    api_as, client, make_tour, make_site, add_stop, book, app, db
):
    """A past tour's kept events are rendered again when a site it visited is renamed (no update is sent for a
    day gone by): the kept feed and one built with nothing kept give the same bytes."""
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True)
    site = make_site(name="Fonderie")
    add_stop(tour, site, hour=11)
    book(tour, api.user)
    settle_calendars()
    path = _feed_path(api)
    with time_machine.travel(tour.end_at + timedelta(days=2), tick=True):
        first = client.get(path)
        assert "Fonderie" in _text(first)
        site_ops.update_site(
            site, replace(site_ops.details_of(site), name="Aciérie du Gier"), tour.created_by, _NoGeocoding()
        )
        assert settle_calendars() == 0  # no update sent for a day gone by
        again = _changed(client, path, first)
        assert "Aciérie du Gier" in _text(again) and "Fonderie" not in _text(again)
        app.extensions.pop("tourplanner_feed_cache")
        app.extensions.pop("tourplanner_feed_event_cache")
        ical._vevent_text.cache_clear()
        assert client.get(path).data == again.data


def test_a_company_group_growing_changes_the_company_contact_feed(
    api_as, client, make_tour, make_site, add_stop, book, make_user, db
):
    """Another booking on the tour changes the group size the company contact sees, and the ETag."""
    site = make_site(name="Usine de Meyzieu")
    api = api_as(Role.COMPANY, organisation=site.organisation.name)
    tour = make_tour(published=True)
    add_stop(tour, site, hour=10)
    book(tour, make_user(Role.PRESCRIBER), seats=5)
    path = _feed_path(api)
    first = client.get(path)
    assert "Groupe : 5 personnes" in _text(first)

    book(tour, make_user(Role.PRESCRIBER), seats=3)
    assert "Groupe : 8 personnes" in _text(_changed(client, path, first))


def test_a_cancelled_booking_changes_the_prescriber_feed(api_as, client, make_tour, book, db):
    """Cancelling a seat through the bookings domain moves the ETag; the event shows cancelled."""
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True)
    booking = book(tour, api.user)
    path = _feed_path(api)
    first = client.get(path)
    assert "STATUS:CONFIRMED" in _text(first)

    booking_ops.cancel_booking(booking, api.user)
    settle_calendars()
    assert "STATUS:CANCELLED" in _text(_changed(client, path, first))


def test_an_ambassador_assignment_and_move_change_the_ambassador_feed(api_as, client, make_tour, db):
    """Being assigned to a tour, then moved to another coach, each move the ambassador's ETag."""
    api = api_as(Role.AMBASSADOR)
    tour = make_tour(published=True, bus_seats=[20, 30])
    path = _feed_path(api)
    first = client.get(path)
    assert "BEGIN:VEVENT" not in _text(first)

    assignments.assign_ambassador(tour, api.user.email, 0, tour.created_by)
    settle_calendars()
    assigned = _changed(client, path, first)
    assert "Votre car : Car 1" in _text(assigned)

    assignments.assign_ambassador(tour, api.user.email, 1, tour.created_by)
    settle_calendars()
    assert "Votre car : Car 2" in _text(_changed(client, path, assigned))


def test_a_new_title_alone_changes_the_feed(api_as, client, make_tour, book, db):
    """A change that calls for no invitation (the title) still moves the ETag: the tour's row was updated."""
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True, title="ZI Tour du printemps")
    book(tour, api.user)
    revision = tour.revision
    path = _feed_path(api)
    first = client.get(path)

    details = TourDetails(
        title="ZI Tour de mars",
        start=tour.start_at,
        end=tour.end_at,
        meeting_point_name=tour.meeting_point_name,
        meeting_lat=tour.meeting_lat,
        meeting_lon=tour.meeting_lon,
        bus_seats=[20],
        booking_deadline=tour.booking_deadline_at,
    )
    tour_ops.update_tour(tour, details, tour.created_by)
    settle_calendars()
    assert tour.revision == revision  # no plan change: only the row's last update moved
    assert "SUMMARY:ZI Tour de mars" in _text(_changed(client, path, first))


def test_a_conditional_request_costs_one_statement(api_as, client, make_tour, book, db):
    """A 304 reads the token's holder and their feed stamp in one indexed statement, and writes nothing."""
    api = api_as(Role.PRESCRIBER)
    for n in range(3):
        book(make_tour(published=True, title=f"Tour {n}"), api.user)
    path = _feed_path(api)
    etag = client.get(path).headers["ETag"]

    with sql_statements(db.engine) as sent:
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert len(selects(sent)) == 1 and len(sent) == 1, sent


def test_a_change_re_renders_only_the_changed_tour_and_gives_the_same_bytes_as_a_cold_build(
    api_as, client, make_tour, book, app, db, monkeypatch
):
    """After one tour changes, only its events are rendered again; the assembled body is byte for byte the one
    rendered with nothing kept."""
    api = api_as(Role.PRESCRIBER)
    tours = [make_tour(published=True, title=f"ZI Tour n°{n}") for n in range(3)]
    for tour in tours:
        book(tour, api.user)
    rendered: list[list[int]] = []
    real = feeds._render_tours
    monkeypatch.setattr(feeds, "_render_tours", lambda user, ids, *more: rendered.append(ids) or real(user, ids, *more))
    path = _feed_path(api)
    first = client.get(path)
    assert sorted(rendered[0]) == sorted(tour.id for tour in tours)

    tours[1].title = "ZI Tour n°1 au nouveau titre"
    plan_changed(tours[1])
    settle_calendars()
    again = _changed(client, path, first)
    assert rendered[1:] == [[tours[1].id]]
    assert "ZI Tour n°1 au nouveau titre" in _text(again)

    app.extensions.pop("tourplanner_feed_cache")
    app.extensions.pop("tourplanner_feed_event_cache")
    ical._vevent_text.cache_clear()
    cold = client.get(path)
    assert sorted(rendered[2]) == sorted(tour.id for tour in tours)
    assert cold.data == again.data


def test_tours_that_join_leave_or_move_in_the_feed_give_the_same_bytes_as_a_cold_build(
    api_as, client, make_tour, book, app, db, monkeypatch
):
    """The kept events are kept in feed order and the new ones inserted: a tour booked, a seat cancelled (shown
    from its sent state) and a tour moved before the others, all at once, give the cold build's bytes, with
    only those tours rendered again."""
    from tourplanner.tours.models import Tour

    api = api_as(Role.PRESCRIBER)
    days = range(30, 36)
    tours = [
        make_tour(published=True, title=f"ZI Tour n°{n}", start=_at(day, 8), end=_at(day, 17))
        for n, day in enumerate(days)
    ]
    bookings = [book(tour, api.user) for tour in tours[:5]]
    settle_calendars()
    rendered: list[list[int]] = []
    real = feeds._render_tours
    monkeypatch.setattr(feeds, "_render_tours", lambda user, ids, *more: rendered.append(ids) or real(user, ids, *more))
    path = _feed_path(api)
    first = client.get(path)
    assert _text(first).count("BEGIN:VEVENT") == 5

    book(tours[5], api.user)  # joins, last
    booking_ops.cancel_booking(bookings[1], api.user)  # leaves, shown cancelled from its sent state
    moved = db.session.get(Tour, tours[3].id)
    moved.start_at, moved.end_at = _at(20, 8), _at(20, 17)  # now first
    plan_changed(moved)
    db.session.commit()
    settle_calendars()
    again = _changed(client, path, first)
    assert sorted(rendered[1]) == sorted([tours[5].id, tours[3].id])
    text = _text(again)
    assert text.count("BEGIN:VEVENT") == 6 and "STATUS:CANCELLED" in text
    assert text.index("ZI Tour n°3") < text.index("ZI Tour n°0") < text.index("ZI Tour n°5")

    app.extensions.pop("tourplanner_feed_cache")
    app.extensions.pop("tourplanner_feed_event_cache")
    ical._vevent_text.cache_clear()
    cold = client.get(path)
    assert cold.data == again.data


def _at(days: int, hour: int) -> datetime:
    """A Paris time `days` after the frozen moment."""
    return datetime.combine(MOMENT.date() + timedelta(days=days), time(hour), tzinfo=PARIS)


def test_the_event_cache_finds_the_changed_tours_and_keeps_one_entry_per_person_within_its_bound():
    """New rows of changes that each name a tour give those tours; a row naming none, folded rows or another day
    give none (every stamp is compared); a moved tour stamp or sent state makes its tour stale, and so do the tours
    rendered again since the stamps were compared; another person or address misses; a tour gone is left out; the
    kept texts stay in feed order; an entry replaced meanwhile is not overwritten; beyond the bound the least
    recently used people leave."""
    from tourplanner.calendar.feed_cache import EventCache, Stale

    day = MOMENT.replace(hour=0)
    next_day = day + timedelta(days=1)

    def events(text: bytes, day: int = 0) -> tuple[ical.RenderedEvent, ...]:
        start = MOMENT + timedelta(days=day)
        return (ical.RenderedEvent(f"uid-{day}", start, start, text),)

    def fast(changes, shown):
        return EventCache.by_rows(changes, shown)

    cache = EventCache(max_bytes=700)
    first = cache.changes(1, "a@x", day, [(1, 10)])
    assert first.entry is None and first.tagged is None
    found = cache.compare(first, "10:1/t", None)
    assert found.stale == [10]
    kept = cache.put(1, "a@x", day, first, found, {10: events(b"a" * 100)})
    assert kept.texts == [b"a" * 100]

    assert cache.changes(1, "a@x", day, [(1, 10)]).tagged == frozenset()  # nothing new
    assert cache.changes(1, "a@x", day, [(1, 10), (2, 10), (3, 11)]).tagged == {10, 11}
    assert cache.changes(1, "a@x", day, [(1, 10), (2, None)]).tagged is None  # a change of no one tour
    assert cache.changes(1, "a@x", day, [(4, None)]).tagged is None  # rows folded
    assert cache.changes(1, "a@x", next_day, [(1, 10)]).tagged is None  # another day
    assert cache.changes(1, "b@x", day, [(1, 10)]).entry is None  # another address
    # … whose entry, once built, replaces the other's.
    moved = cache.changes(1, "b@x", day, [(1, 10)])
    cache.put(1, "b@x", day, moved, cache.compare(moved, "10:1/t", None), {10: events(b"e" * 100)})
    assert cache.changes(1, "b@x", day, [(1, 10)]).tagged == frozenset()
    assert cache.changes(1, "a@x", day, [(1, 10)]).entry is None
    back = cache.changes(1, "a@x", day, [(1, 10)])
    cache.put(1, "a@x", day, back, cache.compare(back, "10:1/t", None), {10: events(b"a" * 100)})

    again = cache.changes(1, "a@x", day, [(1, 10)])
    assert cache.compare(again, "10:1/t", None).stale == []
    assert cache.compare(again, "10:2/t", None).stale == [10]  # the tour moved
    assert cache.compare(again, "10:1/t", "10:uid/1/t").stale == [10]  # a state of it was sent
    assert cache.compare(again, "10:1/t", "11:uid/1/t").stale == []  # a state of a tour not shown
    assert cache.compare(again, None, None).gone == {10}  # the tour left the feed

    # Tour 11 joins by its row of changes: rendered, inserted before 10 (it starts a day earlier).
    joined = cache.changes(1, "a@x", day, [(1, 10), (2, 11)])
    kept = cache.put(1, "a@x", day, joined, fast(joined, {11}), {11: events(b"b" * 100, day=-1)})
    assert kept.texts == [b"b" * 100, b"a" * 100] and kept.keys == sorted(kept.keys)
    # Rendered without comparing stamps: at the next comparison it is rendered again whatever its stamp.
    compared = cache.changes(1, "a@x", day, [(1, 10), (2, 11), (3, None)])
    assert cache.compare(compared, "10:1/t;11:1/t", None).stale == [11]
    # Tour 10 leaves by its row of changes.
    left = cache.changes(1, "a@x", day, [(1, 10), (2, 11), (5, 10)])
    assert left.tagged == {10}
    kept = cache.put(1, "a@x", day, left, fast(left, set()), {})
    assert kept.texts == [b"b" * 100] and kept.tours.keys() == {11}

    # Two requests from the same entry: the first to finish keeps its own, the second's is not kept.
    one = cache.changes(1, "a@x", day, [(1, 10), (2, 11), (5, 10), (6, 11)])
    two = cache.changes(1, "a@x", day, [(1, 10), (2, 11), (5, 10), (6, 11)])
    cache.put(1, "a@x", day, one, fast(one, {11}), {11: events(b"c" * 100, day=-1)})
    cache.put(1, "a@x", day, two, fast(two, {11}), {11: events(b"d" * 100, day=-1)})
    assert cache.changes(1, "a@x", day, [(1, 10)]).entry.texts == [b"c" * 100]

    cache.put(2, "c@x", day, cache.changes(2, "c@x", day, []), Stale([10], frozenset()), {10: events(b"c" * 100)})
    cache.changes(1, "a@x", day, [])  # used: person 2's entry is now the least recent
    cache.put(3, "d@x", day, cache.changes(3, "d@x", day, []), Stale([10], frozenset()), {10: events(b"d" * 100)})
    assert cache.changes(2, "c@x", day, []).entry is None
    assert cache.changes(1, "a@x", day, []).entry is not None and cache.changes(3, "d@x", day, []).entry is not None


def _selects(db, call) -> list[str]:
    """The SELECT statements `call` issues."""
    with sql_statements(db.engine) as sent:
        call()
    return selects(sent)


def test_the_first_answer_after_a_change_reads_the_feed_in_eight_statements(
    api_as, client, make_tour, make_site, add_stop, book, make_user, db
):
    """The token's holder with the validators, the holder's rows of changes, whether the tour they name is still
    in the feed, the sent states, then the changed tour with its rows joined (tour and buses with which kinds of
    rows it has, bookings with prescribers and participants, stops with slots and sites, ambassadors with their
    users; no agenda read, it has none): eight statements, whatever the number of tours kept; no statement reads
    every tour's stamp."""
    api = api_as(Role.PRESCRIBER)
    tours = [make_tour(published=True, title=f"ZI Tour n°{n}") for n in range(4)]
    for tour in tours:
        book(tour, api.user, participants=[("Léa", "lea@example.fr")])
    add_stop(tours[0], make_site(name="Fonderie"), hour=11)
    assignments.assign_ambassador(tours[0], make_user(Role.AMBASSADOR).email, 0, tours[0].created_by)
    settle_calendars()
    path = _feed_path(api)
    first = client.get(path)

    tours[0].title = "ZI Tour n°0 au nouveau titre"
    plan_changed(tours[0])
    settle_calendars()
    answers = []
    # The mail delivery after each request (synchronous in these tests) is not the feed's.
    selects = [
        s
        for s in _selects(db, lambda: answers.append(client.get(path)))
        if "outbox_mails" not in s and "WHERE tours.notify_after_at" not in s
    ]
    assert answers[0].status_code == 200 and answers[0].headers["ETag"] != first.headers["ETag"]
    assert "ZI Tour n°0 au nouveau titre" in _text(answers[0])
    assert len(selects) == 8, "\n".join(s[:150].replace("\n", " ") for s in selects)
    assert not any("aggregate" in s or "group_concat" in s or "string_agg" in s for s in selects), selects


def test_a_tours_agenda_is_read_for_its_feed_event_and_a_new_one_shows_after_the_change(
    api_as, client, make_tour, book, db
):
    """The agenda rows are read when the changed tour has some (the kinds of rows it has come with it): the feed's
    event carries the agenda, and the new place once the organiser moves a step."""
    from tourplanner.company_visits import operations as visit_ops
    from tourplanner.tours.enums import TourKind

    organiser = api_as(Role.ORGANISER).user
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(
        published=True,
        organiser=organiser,
        kind=TourKind.COMPANY_VISIT,
        start=_at(7, 8),
        end=_at(7, 12),
        booking_deadline=_at(5, 18),
    )
    other = make_tour(published=True, title="ZI Tour sans déroulé")
    book(tour, api.user)
    book(other, api.user)

    def agenda(place: str) -> list:
        steps = list(visit_ops.STEPS)
        return [visit_ops.AgendaEntry(step, _at(7, 8 + n), place if n == 1 else "Gare") for n, step in enumerate(steps)]

    visit_ops.set_agenda(tour, agenda("Chantier du quai"), organiser)
    db.session.commit()
    settle_calendars()
    path = _feed_path(api)
    first = client.get(path)
    assert "Chantier du quai" in _text(first)

    visit_ops.set_agenda(tour, agenda("Atelier de la Vallée"), organiser)
    db.session.commit()
    settle_calendars()
    text = _text(_changed(client, path, first))
    assert "Atelier de la Vallée" in text and "Chantier du quai" not in text


def test_an_invitation_sent_alone_re_renders_its_tour_with_the_new_sequence(
    api_as, client, make_tour, book, db, monkeypatch
):
    """A sent state that moves while its tour's row does not (the update mailed later, a SEQUENCE raised) is part
    of that tour's stamp: its events are rendered again, numbered like the mail, and the other tours' are kept."""
    from tourplanner.calendar.models import CalendarEventState

    api = api_as(Role.PRESCRIBER)
    tours = [make_tour(published=True, title=f"ZI Tour n°{n}") for n in range(3)]
    for tour in tours:
        book(tour, api.user)
    path = _feed_path(api)
    first = client.get(path)
    state = db.session.scalar(
        db.select(CalendarEventState).where(
            CalendarEventState.tour_id == tours[2].id, CalendarEventState.recipient == api.user.email.lower()
        )
    )
    updated_at = tours[2].updated_at
    state.sequence += 4
    sequence = state.sequence
    db.session.commit()
    assert tours[2].updated_at == updated_at

    rendered: list[list[int]] = []
    real = feeds._render_tours
    monkeypatch.setattr(feeds, "_render_tours", lambda user, ids, *more: rendered.append(ids) or real(user, ids, *more))
    again = _changed(client, path, first)
    assert rendered == [[tours[2].id]]
    assert f"SEQUENCE:{sequence}" in _text(again)
