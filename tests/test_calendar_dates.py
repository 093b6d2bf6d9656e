"""Dates that trip calendars: summer time, the nights the clocks change, year end, 29 February, holidays.

Each test freezes the clock (time-machine) at an explicit day, so that it says the same
thing whatever day the suite runs; times are built in Europe/Paris with zoneinfo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from tourplanner import jobs
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db as _db
from tourplanner.sites.models import Slot
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0) -> datetime:
    """A Paris wall-clock time (fold=1: the second of a time that happens twice)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS, fold=fold)


def tour_on(day: date, deadline: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A complete POST /api/v1/tours body for `day`, 08:30–17:00 Paris, lunch 12:00–13:30."""
    at = lambda h, m=0: datetime.combine(day, time(h, m), tzinfo=PARIS).isoformat()  # noqa: E731
    body: dict[str, Any] = {
        "title": f"ZI Tour du {day:%d/%m/%Y}",
        "start": at(8, 30),
        "end": at(17),
        "meeting_point": {"name": "Gare de Rive-de-Gier", "lat": 45.5281, "lon": 4.6186},
        "buses": [{"seats": 20}],
        "booking_deadline": (deadline or datetime.combine(day - timedelta(days=5), time(18), tzinfo=PARIS)).isoformat(),
        "lunch": {"earliest": at(12), "latest": at(13, 30), "minutes": 60},
    }
    body.update(overrides)
    return body


def published_tour(api, day: date, **overrides: Any) -> dict[str, Any]:
    """Create and publish a tour for `day` through the API; its answer."""
    created = api.post("/tours", json=tour_on(day, **overrides))
    assert created.status_code == 201, created.get_json()
    published = api.post(f"/tours/{created.get_json()['id']}/publish")
    assert published.status_code == 200, published.get_json()
    return published.get_json()


def feed_events(api, client) -> list[Any]:
    """The VEVENTs of the user's personal calendar feed."""
    url = api.get("/me/calendar").get_json()["url"]
    response = client.get(url.removeprefix("http://tourplanner.test"))
    assert response.status_code == 200
    return list(Calendar.from_ical(response.data).walk("VEVENT"))


# ---- summer and winter ----------------------------------------------------------------


@pytest.mark.parametrize(("day", "offset"), [(date(2027, 7, 6), "+02:00"), (date(2028, 1, 11), "+01:00")])
def test_a_tour_keeps_its_paris_hours_in_summer_and_in_winter(api_as, client, day, offset):
    """08:30 Paris is answered with the season's offset, stored as the right instant, and fed at 08:30 Paris."""
    with time_machine.travel(paris(day.year, day.month, day.day) - timedelta(days=40), tick=False):
        organiser = api_as(Role.ORGANISER)
        tour = published_tour(organiser, day)
        assert tour["start"] == f"{day.isoformat()}T08:30:00{offset}"
        stored = _db.session.get(Tour, tour["id"])
        assert stored.start_at == datetime.combine(day, time(8, 30), tzinfo=PARIS)
        assert stored.start_at.astimezone(UTC).hour == (6 if offset == "+02:00" else 7)
        prescriber = api_as(Role.PRESCRIBER)
        assert prescriber.post(f"/tours/{tour['id']}/bookings", json={"seats": 2}).status_code == 201
        [event] = [e for e in feed_events(prescriber, client) if str(e["UID"]).startswith("tour-")]
        start = event.decoded("DTSTART")
        assert (start.date(), start.hour, start.minute) == (day, 8, 30)
        assert start.utcoffset() == timedelta(hours=2 if offset == "+02:00" else 1)


# ---- the nights the clocks change -----------------------------------------------------


def test_the_api_takes_instants_on_the_nights_the_clocks_change(api_as):
    """On both DST nights an offset names one instant: 02:30+01:00 on 28 March is 03:30 summer time;
    on 31 October 02:30+02:00 and 02:30+01:00 are an hour apart and answered as given."""
    with time_machine.travel(paris(2027, 3, 1, 10), tick=False):
        api = api_as(Role.ORGANISER)
        spring = api.post(
            "/tours",
            json=tour_on(
                date(2027, 3, 28), start="2027-03-28T02:30:00+01:00", end="2027-03-28T12:00:00+02:00", lunch=None
            ),
        )
        assert spring.status_code == 201, spring.get_json()
        assert spring.get_json()["start"] == "2027-03-28T03:30:00+02:00"
        autumn = api.post(
            "/tours",
            json=tour_on(
                date(2027, 10, 31), start="2027-10-31T02:30:00+02:00", end="2027-10-31T02:30:00+01:00", lunch=None
            ),
        )
        assert autumn.status_code == 201, autumn.get_json()
        body = autumn.get_json()
        assert (body["start"], body["end"]) == ("2027-10-31T02:30:00+02:00", "2027-10-31T02:30:00+01:00")
        tour = _db.session.get(Tour, body["id"])
        assert tour.end_at - tour.start_at == timedelta(hours=1)


def _tour_form(day: str, start: str, end: str) -> dict[str, str]:
    return {
        "title": "ZI Tour de nuit",
        "kind": "zi_tour",
        "start": f"{day}T{start}",
        "end": f"{day}T{end}",
        "booking_deadline": "2027-03-20T18:00",
        "meeting_point_name": "Gare de Rive-de-Gier",
        "meeting_lat": "45.5281",
        "meeting_lon": "4.6186",
        "bus_seats": "20",
    }


def test_a_page_refuses_a_time_that_summer_time_skips(client, make_user, sign_in):
    """28 March 2027, 02:30 never happens in Paris: the tour form answers 422 in French and creates nothing."""
    with time_machine.travel(paris(2027, 3, 1, 10), tick=False):
        organiser = make_user(Role.ORGANISER)
        sign_in(organiser)
        response = client.post("/tours/nouveau", data=_tour_form("2027-03-28", "02:30", "12:00"))
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert "02:30 n&#39;existe pas le 28/03/2027" in text and "heure d&#39;été" in text
        assert _db.session.scalars(select(Tour)).all() == []
        # 03:30 that night exists: the same form is accepted.
        response = client.post("/tours/nouveau", data=_tour_form("2027-03-28", "03:30", "12:00"))
        assert response.status_code == 302
        [tour] = _db.session.scalars(select(Tour)).all()
        assert tour.start_at == paris(2027, 3, 28, 3, 30) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_a_page_takes_the_first_of_a_time_that_happens_twice(client, make_user, sign_in):
    """31 October 2027, 02:30 happens twice: the form takes the first, still in summer time (00:30 UTC)."""
    with time_machine.travel(paris(2027, 3, 1, 10), tick=False):
        organiser = make_user(Role.ORGANISER)
        sign_in(organiser)
        response = client.post("/tours/nouveau", data=_tour_form("2027-10-31", "02:30", "09:00"))
        assert response.status_code == 302, response.get_data(as_text=True)
        [tour] = _db.session.scalars(select(Tour)).all()
        assert tour.start_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
        assert tour.end_at - tour.start_at == timedelta(hours=7, minutes=30)  # the night has 25 hours
        page = client.get(f"/tours/{tour.id}").get_data(as_text=True)
        assert "02:30" in page


def test_a_company_slot_form_refuses_a_skipped_time(client, make_user, make_site, sign_in):
    """A company offering a visit at 02:30 on 28 March 2027 is told in French; no slot is made."""
    with time_machine.travel(paris(2027, 3, 1, 10), tick=False):
        site = make_site()
        contact = make_user(Role.COMPANY, organisation=site.organisation.name)
        sign_in(contact)
        response = client.post(
            f"/entreprise/sites/{site.id}/creneaux/nouveau",
            data={"start": "2027-03-28T02:30", "end": "2027-03-28T05:00", "visit_minutes": "60", "max_visitors": "10"},
        )
        assert response.status_code == 422
        assert "02:30 n&#39;existe pas le 28/03/2027" in response.get_data(as_text=True)
        assert _db.session.scalars(select(Slot)).all() == []


def test_reminder_and_thank_you_across_the_nights_the_clocks_change(api_as):
    """The reminder goes within 48 real hours of the start across the spring night; the thank-you mail
    goes the morning after a tour that ended the evening before the autumn night."""
    with time_machine.travel(paris(2027, 2, 1, 10), tick=False):
        api = api_as(Role.ORGANISER)
        monday = published_tour(api, date(2027, 3, 29))  # the day after summer time begins
        saturday = published_tour(api, date(2027, 10, 30), deadline=paris(2027, 3, 20, 18))
        prescriber = api_as(Role.PRESCRIBER)
        for tour in (monday, saturday):
            assert prescriber.post(f"/tours/{tour['id']}/bookings", json={"seats": 1}).status_code == 201
    # 48 real hours before Monday 08:30 summer time is Saturday 07:30 winter time: at Saturday 08:00
    # Monday's tour is 47½ real hours away (48½ on the wall clock) and its reminder goes, whether the
    # job is given a Paris time (as here) or a UTC one (as the scheduler does).
    assert jobs.send_reminders(now=paris(2027, 3, 26, 19)) == 0  # Friday evening: too early
    assert jobs.send_reminders(now=paris(2027, 3, 27, 8)) == 1
    assert jobs.send_reminders(now=paris(2027, 3, 27, 9)) == 0  # once
    assert jobs.send_follow_ups(now=paris(2027, 10, 30, 19)) == 0  # the same evening
    assert jobs.send_follow_ups(now=paris(2027, 10, 31, 9)) == 1  # the morning after, winter time again
    assert jobs.send_follow_ups(now=paris(2027, 10, 31, 10)) == 0


# ---- 31 December → 1 January, a public holiday -------------------------------------------


def test_bookings_close_at_a_new_year_s_eve_deadline(api_as):
    """Bookings close at 31 Dec 23:59 Paris: a booking at 23:58 is taken, at 00:00 on 1 January it is refused
    (409) and the closing job closes the tour."""
    with time_machine.travel(paris(2027, 12, 1, 10), tick=False):
        tour = published_tour(api_as(Role.ORGANISER), date(2028, 1, 4), deadline=paris(2027, 12, 31, 23, 59))
        prescriber = api_as(Role.PRESCRIBER)
    with time_machine.travel(paris(2027, 12, 31, 23, 58), tick=False):
        assert prescriber.post(f"/tours/{tour['id']}/bookings", json={"seats": 1}).status_code == 201
        assert jobs.close_bookings_at_deadline() == 0
    with time_machine.travel(paris(2028, 1, 1, 0, 0), tick=False):
        refused = prescriber.post(f"/tours/{tour['id']}/bookings", json={"seats": 1})
        assert refused.status_code == 409, refused.get_json()
        assert jobs.close_bookings_at_deadline() == 1
        assert _db.session.get(Tour, tour["id"]).status is TourStatus.CLOSED


def test_thank_you_on_new_year_s_day_and_reminder_across_the_year(api_as):
    """The tour of 31 December is thanked on 1 January (a public holiday: mail still goes, in daytime);
    the tour of Monday 3 January 2028 is reminded on Saturday 1 January."""
    with time_machine.travel(paris(2027, 11, 15, 10), tick=False):
        api = api_as(Role.ORGANISER)
        new_year_s_eve = published_tour(api, date(2027, 12, 31))
        january = published_tour(api, date(2028, 1, 3))
        prescriber = api_as(Role.PRESCRIBER)
        for tour in (new_year_s_eve, january):
            assert prescriber.post(f"/tours/{tour['id']}/bookings", json={"seats": 1}).status_code == 201
    assert jobs.send_follow_ups(now=paris(2027, 12, 31, 19)) == 0
    assert jobs.send_follow_ups(now=paris(2028, 1, 1, 7, 59)) == 0  # night: waits for the morning
    assert jobs.send_follow_ups(now=paris(2028, 1, 1, 10)) == 1
    assert jobs.send_reminders(now=paris(2027, 12, 31, 10)) == 0  # Monday 3 January is 70 hours away
    assert jobs.send_reminders(now=paris(2028, 1, 1, 10)) == 1


# ---- 29 February ------------------------------------------------------------------------


def test_a_monthly_availability_on_the_29th_meets_29_february_only_in_leap_years(app, make_user, make_site):
    """FREQ=MONTHLY;BYMONTHDAY=29 gives a slot on 29 February 2028, 09:00 Paris; in 2027 February has none."""
    from tourplanner.sites import series as series_ops

    site = make_site()
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    # 29 March 2027 is Easter Monday, a public holiday: no slot either.
    for year, expected in ((2027, []), (2028, [date(2028, 2, 29), date(2028, 3, 29)])):
        now = paris(year, 2, 1, 10)
        with time_machine.travel(now, tick=False):
            details = series_ops.SeriesDetails(
                site.id, "FREQ=MONTHLY;BYMONTHDAY=29", time(9), time(12), date(year, 2, 1), date(year, 3, 31), 60, 12
            )
            series, expansion = series_ops.create_series(details, contact)
            _db.session.commit()
        starts = [slot.start_at for slot in sorted(expansion.created, key=lambda s: s.start_at)]
        assert [start.astimezone(PARIS).date() for start in starts] == expected
        assert all(start.astimezone(PARIS).time() == time(9) for start in starts)
    # 29 February is in winter time (08:00 UTC), 29 March after the change (07:00 UTC).
    assert [s.start_at.astimezone(UTC).hour for s in expansion.created] == [8, 7]


def test_a_tour_on_29_february_2028(api_as, client):
    """A tour on 29 February 2028 is created, booked and fed on that day, 08:30 Paris (+01:00)."""
    with time_machine.travel(paris(2028, 2, 1, 10), tick=False):
        tour = published_tour(api_as(Role.ORGANISER), date(2028, 2, 29))
        assert tour["start"] == "2028-02-29T08:30:00+01:00" and tour["booking_deadline"].startswith("2028-02-24T18:00")
        prescriber = api_as(Role.PRESCRIBER)
        assert prescriber.post(f"/tours/{tour['id']}/bookings", json={"seats": 1}).status_code == 201
        [event] = [e for e in feed_events(prescriber, client) if str(e["UID"]).startswith("tour-")]
        assert event.decoded("DTSTART") == paris(2028, 2, 29, 8, 30)


# ---- the itinerary in summer ----------------------------------------------------------------


def test_the_itinerary_of_a_summer_tour_keeps_the_companies_hours(api_as, make_slot):
    """A company open 10:00–12:00 Paris in July is visited within those Paris hours, answered with +02:00."""
    with time_machine.travel(paris(2027, 6, 1, 10), tick=False):
        api = api_as(Role.ORGANISER)
        created = api.post("/tours", json=tour_on(date(2027, 7, 6)))
        tour_id = created.get_json()["id"]
        slot = make_slot(
            start_at=paris(2027, 7, 6, 10), end_at=paris(2027, 7, 6, 12), visit_minutes=60, max_visitors=25
        )
        assert api.post(f"/tours/{tour_id}/candidates", json={"slot_ids": [slot.id]}).status_code == 200
        optimised = api.post(f"/tours/{tour_id}/optimise", json={"time_limit": 2})
        assert optimised.status_code == 200, optimised.get_json()
        [bus] = optimised.get_json()["buses"]
        [stop] = bus["stops"]
        start, end = datetime.fromisoformat(stop["start"]), datetime.fromisoformat(stop["end"])
        assert stop["start"].endswith("+02:00") and bus["return"].endswith("+02:00")
        assert paris(2027, 7, 6, 10) <= start and end <= paris(2027, 7, 6, 12)
        assert end - start >= timedelta(minutes=60)
