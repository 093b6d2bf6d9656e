"""Personal calendar feeds: the secret URL, its content, HTTP caching and revocation."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar

from tests.calendar.conftest import settle_calendars
from tests.conftest import PARIS, future
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import BookingStatus
from tourplanner.calendar.models import CalendarEventState
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails
from tourplanner.tours.models import AmbassadorAssignment
from tourplanner.tours.notices import plan_changed


def _feed_path(api) -> str:
    url = api.get("/me/calendar").get_json()["url"]
    assert url.startswith("http://tourplanner.test/calendar/")
    return url.removeprefix("http://tourplanner.test")


def _events(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_my_calendar_gives_a_stable_secret_url(api_as):
    """GET /me/calendar answers the same BASE_URL/calendar/<token>.ics each time, with its webcal: twin."""
    api = api_as(Role.PRESCRIBER)
    first = api.get("/me/calendar")
    second = api.get("/me/calendar")
    assert first.status_code == 200
    body = first.get_json()
    assert body["url"] == second.get_json()["url"]
    assert body["url"].startswith("http://tourplanner.test/calendar/") and body["url"].endswith(".ics")
    assert body["webcal_url"] == "webcal://" + body["url"].removeprefix("http://")
    assert api_as(Role.PRESCRIBER).get("/me/calendar").get_json()["url"] != body["url"]


def test_my_calendar_needs_a_token(client):
    """Without a bearer token the feed address is a 401 problem."""
    response = client.get("/api/v1/me/calendar")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_renewing_revokes_the_old_url(api_as, client):
    """After renewal the old feed URL answers 404 and the new one serves the calendar."""
    api = api_as(Role.PRESCRIBER)
    old = _feed_path(api)
    assert client.get(old).status_code == 200
    renewed = api.post("/me/calendar/renew")
    assert renewed.status_code == 200
    new = renewed.get_json()["url"].removeprefix("http://tourplanner.test")
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert _feed_path(api) == new


def test_an_unknown_token_is_404(client):
    """A made-up feed token finds nothing."""
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_the_feed_shows_confirmed_seats_only(api_as, client, make_tour, book, add_stop, make_site, db):
    """A prescriber's feed has the tour of a confirmed booking, in Europe/Paris, and not the one they wait for."""
    api = api_as(Role.PRESCRIBER)
    booked = make_tour(published=True, title="Tour réservé")
    add_stop(booked, make_site(name="Fonderie"), hour=11)
    waiting = make_tour(published=True, title="Tour en attente")
    book(booked, api.user, seats=2)
    book(waiting, api.user, waiting=True)

    response = client.get(_feed_path(api))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert "METHOD" not in calendar
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = _events(response)
    assert list(events) == [f"tour-{booked.id}@tourplanner.test"]
    event = events[f"tour-{booked.id}@tourplanner.test"]
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert (event.start.hour, event.start.minute) == (8, 30)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "11h00  Fonderie" in str(event["DESCRIPTION"])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.data
    assert b"X-PUBLISHED-TTL:PT1H" in response.data


def test_the_feed_answers_304_while_nothing_changes(api_as, client, make_tour, book, db):
    """ETag and Last-Modified give 304 on revalidation, and a new ETag once the feed changes."""
    api = api_as(Role.PRESCRIBER)
    book(make_tour(published=True), api.user)
    path = _feed_path(api)
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304

    book(make_tour(published=True, title="Un autre tour"), api.user)
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert len(_events(changed)) == 2


def test_a_cancelled_booking_stays_cancelled_in_the_feed_for_30_days(api_as, client, make_tour, book, db):
    """The cancelled seat shows as STATUS:CANCELLED with the CANCEL's SEQUENCE, then leaves after 30 days."""
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True)
    booking = book(tour, api.user)
    booking.status = BookingStatus.CANCELLED
    plan_changed(tour)
    settle_calendars()
    path = _feed_path(api)

    event = _events(client.get(path))[f"tour-{tour.id}@tourplanner.test"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1

    state = db.session.query(CalendarEventState).one()
    state.cancelled_at -= timedelta(days=31)
    db.session.commit()
    assert _events(client.get(path)) == {}


def test_a_cancelled_tour_is_cancelled_in_the_feed(api_as, client, make_tour, book, db):
    """When the tour is cancelled its event stays in the feed, cancelled, with a higher SEQUENCE."""
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True)
    book(tour, api.user)
    tour_ops.cancel_tour(tour, tour.created_by, "Intempéries")
    db.session.commit()
    event = _events(client.get(_feed_path(api)))[f"tour-{tour.id}@tourplanner.test"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_the_feed_follows_the_sequence_of_updates(api_as, client, make_tour, book, db):
    """After a change of time the feed shows the new time with the SEQUENCE of the last invitation."""
    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True)
    book(tour, api.user)
    details = TourDetails(
        title=tour.title,
        start=future(30, 10, 0),
        end=tour.end_at,
        meeting_point_name=tour.meeting_point_name,
        meeting_lat=tour.meeting_lat,
        meeting_lon=tour.meeting_lon,
        bus_seats=[20],
        booking_deadline=tour.booking_deadline_at,
    )
    tour_ops.update_tour(tour, details, tour.created_by)
    db.session.commit()
    event = _events(client.get(_feed_path(api)))[f"tour-{tour.id}@tourplanner.test"]
    assert int(event["SEQUENCE"]) == 1
    assert (event.start.hour, event.start.minute) == (10, 0)


def test_an_ambassador_sees_their_assignment(api_as, client, make_tour, db):
    """An ambassador's feed has the tour they ride, with their bus."""
    api = api_as(Role.AMBASSADOR)
    tour = make_tour(published=True, bus_seats=[20, 30])
    db.session.add(AmbassadorAssignment(tour=tour, bus=tour.buses[1], user=api.user))
    db.session.commit()
    event = _events(client.get(_feed_path(api)))[f"tour-{tour.id}@tourplanner.test"]
    assert "Car 2" in str(event["DESCRIPTION"])


def test_a_company_contact_sees_visits_of_published_tours_only(
    api_as, client, make_tour, make_site, add_stop, book, make_user, db
):
    """Visits at the contact's organisation's sites show with arrival time and group size; drafts and other companies'
    visits do not."""
    site = make_site(name="Usine de Meyzieu")
    api = api_as(Role.COMPANY, organisation=site.organisation.name)
    published = make_tour(published=True)
    stop = add_stop(published, site, hour=9, minute=45)
    add_stop(published, make_site(name="Autre entreprise"), hour=14)
    add_stop(make_tour(published=False), site, hour=10)
    book(published, make_user(Role.PRESCRIBER), seats=5)
    db.session.commit()

    events = _events(client.get(_feed_path(api)))
    assert list(events) == [f"visit-{published.id}-{stop.slot_id}@tourplanner.test"]
    event = next(iter(events.values()))
    assert (event.start.hour, event.start.minute) == (9, 45)
    assert "Groupe : 5 personnes" in str(event["DESCRIPTION"])
    assert "Usine de Meyzieu" in str(event["LOCATION"])


def test_a_change_after_a_conditional_request_is_never_answered_304(
    api_as, client, make_tour, make_site, add_stop, book, db
):
    """A later change (a new visit in the programme) moves ETag, Last-Modified, and the event's DTSTAMP and
    LAST-MODIFIED: neither If-None-Match nor If-Modified-Since with the old validators gets 304."""
    import time

    api = api_as(Role.PRESCRIBER)
    tour = make_tour(published=True)
    book(tour, api.user)
    path = _feed_path(api)
    first = client.get(path)
    old_event = _events(first)[f"tour-{tour.id}@tourplanner.test"]
    time.sleep(1.1)  # HTTP dates have whole seconds
    add_stop(tour, make_site(name="Forge du Rhône"), hour=10)
    plan_changed(tour)
    settle_calendars()

    for headers in ({"If-None-Match": first.headers["ETag"]}, {"If-Modified-Since": first.headers["Last-Modified"]}):
        again = client.get(path, headers=headers)
        assert again.status_code == 200
        assert "Forge du Rhône" in again.get_data(as_text=True).replace("\r\n ", "")
    again = client.get(path)
    assert again.headers["ETag"] != first.headers["ETag"]
    assert again.headers["Last-Modified"] != first.headers["Last-Modified"]
    event = _events(again)[f"tour-{tour.id}@tourplanner.test"]
    assert event["DTSTAMP"].dt > old_event["DTSTAMP"].dt
    assert event["LAST-MODIFIED"].dt > old_event["LAST-MODIFIED"].dt


def test_an_unchanged_feed_answers_304_without_being_built(api_as, client, make_tour, book, monkeypatch):
    """With its current ETag (or a later If-Modified-Since) the feed is not rendered at all."""
    from tourplanner.calendar import feeds

    api = api_as(Role.PRESCRIBER)
    book(make_tour(published=True), api.user)
    path = _feed_path(api)
    first = client.get(path)

    def never(user, *more):
        raise AssertionError("the feed was rendered")

    monkeypatch.setattr(feeds, "build_feed", never)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_a_feed_is_rendered_once_per_change_even_within_one_clock_tick(
    api_as, client, make_tour, make_site, add_stop, book, monkeypatch
):
    """Clients that send no validators get the body rendered for the current ETag without a new render; a change,
    even at the very same instant (clock frozen), moves the ETag and gives the new content."""
    import time_machine

    from tourplanner.calendar import feeds

    renders = []
    real_build = feeds.build_feed
    monkeypatch.setattr(feeds, "build_feed", lambda user, *more: renders.append(user.id) or real_build(user, *more))
    with time_machine.travel(datetime(2027, 3, 2, 10, 0, tzinfo=PARIS), tick=False):
        api = api_as(Role.PRESCRIBER)
        tour = make_tour(published=True)
        book(tour, api.user)
        path = _feed_path(api)
        first = client.get(path)
        assert client.get(path).data == first.data
        assert len(renders) == 1
        add_stop(tour, make_site(name="Forge du Rhône"), hour=10)
        plan_changed(tour)
        settle_calendars()
        again = client.get(path)
        assert again.headers["ETag"] != first.headers["ETag"]
        assert "Forge du Rhône" in again.get_data(as_text=True).replace("\r\n ", "")
        assert len(renders) == 2


def test_the_feed_cache_is_bounded_and_keeps_one_body_per_person():
    """A person's older body leaves when a newer one is kept; beyond the bound the least recently used leave."""
    from tourplanner.calendar.feed_cache import Feed, FeedCache

    moment = datetime(2027, 3, 2, 9, tzinfo=PARIS)
    cache = FeedCache(max_bytes=10)
    cache.put(1, Feed(b"aaaa", "e1", moment))
    cache.put(1, Feed(b"bbbb", "e2", moment))
    assert cache.get(1, "e1") is None and cache.get(1, "e2").body == b"bbbb"
    cache.put(2, Feed(b"cccc", "f1", moment))
    assert cache.get(1, "e2") is not None  # used: person 2's body is now the least recent
    cache.put(3, Feed(b"dddd", "g1", moment))
    assert cache.get(2, "f1") is None and cache.get(1, "e2") is not None and cache.get(3, "g1") is not None
    cache.put(4, Feed(b"x" * 11, "h1", moment))
    assert cache.get(4, "h1") is None
