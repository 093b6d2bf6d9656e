"""Recurring availability: RRULE expansion (DST, horizon, idempotence), exceptions, pause, errors, privacy."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.company.conftest import next_weekday, series_body
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.sites import series as series_ops
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Slot, SlotSeries
from tourplanner.timeutil import to_local
from tourplanner.tours.models import Stop


def fields(response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["field"] for error in response.get_json()["errors"]}


def slots_of(series_id: int) -> list[Slot]:
    """The slots of a series, in time order."""
    return list(db.session.scalars(select(Slot).where(Slot.series_id == series_id).order_by(Slot.start_at)))


def test_series_creates_a_slot_per_tuesday_at_local_time(api_as, contact_a, site_a) -> None:
    """Ten Tuesdays give ten offered slots, each 9:00–12:00 Paris time, with the series' visit and group size."""
    response = api_as(contact_a).post("/slot-series", json=series_body(site_a.id))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["skipped"] == [] and body["description"] == "chaque mardi"
    slots = slots_of(body["id"])
    assert len(slots) == 10 == len(body["created_slot_ids"])
    for slot in slots:
        start, end = to_local(slot.start_at), to_local(slot.end_at)
        assert (start.weekday(), start.time(), end.time()) == (1, time(9, 0), time(12, 0))
        assert (slot.status, slot.visit_minutes, slot.max_visitors, slot.site_id) == (
            SlotStatus.OFFERED,
            90,
            20,
            site_a.id,
        )


def test_expanding_again_creates_no_duplicate(api_as, contact_a, site_a) -> None:
    """A second expansion, and the job over every series, add nothing."""
    series_id = api_as(contact_a).post("/slot-series", json=series_body(site_a.id)).get_json()["id"]
    series = db.session.get(SlotSeries, series_id)
    assert series_ops.expand_series(series).created == []
    assert series_ops.expand_all_series() == 0
    db.session.commit()
    assert db.session.scalar(select(func.count(Slot.id))) == 10


def test_wall_clock_time_holds_across_the_dst_change(contact_a, site_a) -> None:
    """Tuesdays from March to June are all 9:00 in Paris: 8:00 UTC in winter, 7:00 UTC in summer."""
    year = date.today().year + 1
    now = datetime(year, 3, 1, 6, 0, tzinfo=UTC)
    details = series_ops.SeriesDetails(
        site_a.id, "FREQ=WEEKLY;BYDAY=TU", time(9), time(12), date(year, 3, 1), date(year, 6, 30), 90, 20
    )
    series, expansion = series_ops.create_series(details, contact_a, now=now)
    series_ops.expand_series(series, now=datetime(year, 4, 10, tzinfo=UTC))
    slots = slots_of(series.id)
    assert {to_local(slot.start_at).time() for slot in slots} == {time(9, 0)}
    assert {slot.start_at.astimezone(UTC).hour for slot in slots} == {7, 8}
    march = [s for s in slots if s.start_at.astimezone(UTC).month == 3 and s.start_at.day < 20]
    june = [s for s in slots if to_local(s.start_at).month == 6]
    assert march and all(s.start_at.astimezone(UTC).hour == 8 for s in march)
    assert june and all(s.start_at.astimezone(UTC).hour == 7 for s in june)


def test_only_the_coming_weeks_become_slots_and_the_job_extends_them(contact_a, site_a, app) -> None:
    """With a 4-week horizon, later occurrences wait; the job run a month later adds the next ones."""
    app.config["SLOT_SERIES_WEEKS"] = 4
    first = next_weekday(1)
    details = series_ops.SeriesDetails(
        site_a.id, "FREQ=WEEKLY;BYDAY=TU", time(9), time(12), first, first + timedelta(weeks=20), 60, 10
    )
    series, expansion = series_ops.create_series(details, contact_a)
    horizon = date.today() + timedelta(weeks=4)
    assert expansion.created and all(to_local(s.start_at).date() <= horizon for s in expansion.created)
    later = datetime.now(UTC) + timedelta(weeks=4)
    assert series_ops.expand_all_series(now=later) == 4


def test_exception_withdraws_the_slot_and_removing_it_offers_it_again(api_as, contact_a, site_a) -> None:
    """POST exceptions withdraws that day's slot; DELETE gives the same slot back, offered."""
    api = api_as(contact_a)
    body = api.post("/slot-series", json=series_body(site_a.id)).get_json()
    day = date.fromisoformat(body["starts_on"]) + timedelta(weeks=2)
    response = api.post(f"/slot-series/{body['id']}/exceptions", json={"date": day.isoformat()})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["exdates"] == [day.isoformat()]
    slot = next(s for s in slots_of(body["id"]) if to_local(s.start_at).date() == day)
    assert slot.status is SlotStatus.WITHDRAWN
    assert api.get("/slots?status=offered").get_json()["slots"].__len__() == 9
    response = api.delete(f"/slot-series/{body['id']}/exceptions/{day.isoformat()}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["exdates"] == [] and response.get_json()["created_slot_ids"] == [slot.id]
    db.session.expire_all()
    assert slot.status is SlotStatus.OFFERED and len(slots_of(body["id"])) == 10


def test_exceptions_given_at_creation_get_no_slot(api_as, contact_a, site_a) -> None:
    """Dates in exdates are skipped from the start."""
    first = next_weekday(1)
    body = series_body(site_a.id, exdates=[(first + timedelta(weeks=1)).isoformat()])
    response = api_as(contact_a).post("/slot-series", json=body)
    assert response.status_code == 201
    days = {to_local(s.start_at).date() for s in slots_of(response.get_json()["id"])}
    assert len(days) == 9 and first + timedelta(weeks=1) not in days


def test_exception_on_a_day_without_occurrence_is_refused(api_as, contact_a, site_a) -> None:
    """A Wednesday for a Tuesday series, or a day outside the period: 422 naming date."""
    api = api_as(contact_a)
    body = api.post("/slot-series", json=series_body(site_a.id)).get_json()
    wednesday = date.fromisoformat(body["starts_on"]) + timedelta(days=1)
    for day in (wednesday, date.fromisoformat(body["ends_on"]) + timedelta(weeks=1)):
        response = api.post(f"/slot-series/{body['id']}/exceptions", json={"date": day.isoformat()})
        assert response.status_code == 422 and fields(response) == {"date"}
    response = api.post(f"/slot-series/{body['id']}/exceptions", json={"date": "mardi"})
    assert response.status_code == 422 and fields(response) == {"date"}
    assert "AAAA-MM-JJ" in response.get_json()["errors"][0]["message"]


def test_exception_on_a_planned_visit_is_refused(api_as, contact_a, site_a, make_tour) -> None:
    """409 when a live tour visits that day's slot: the company declines the visit instead."""
    api = api_as(contact_a)
    body = api.post("/slot-series", json=series_body(site_a.id)).get_json()
    slot = slots_of(body["id"])[0]
    tour = make_tour(published=True)
    db.session.add(
        Stop(
            tour_id=tour.id,
            bus_id=tour.buses[0].id,
            slot_id=slot.id,
            position=0,
            arrival_at=slot.start_at,
            start_at=slot.start_at,
            end_at=slot.start_at + timedelta(minutes=90),
            departure_at=slot.start_at + timedelta(minutes=95),
        )
    )
    db.session.commit()
    response = api.post(
        f"/slot-series/{body['id']}/exceptions", json={"date": to_local(slot.start_at).date().isoformat()}
    )
    assert response.status_code == 409
    assert "déclinez" in response.get_json()["detail"]


def test_an_occurrence_overlapping_a_slot_is_skipped_and_reported(api_as, contact_a, site_a, make_slot) -> None:
    """The clashing Tuesday gets no slot and is listed with a French reason; the others are created."""
    first = next_weekday(1)
    clash_day = first + timedelta(weeks=1)
    zone = ZoneInfo("Europe/Paris")
    existing = make_slot(
        site=site_a,
        start_at=datetime.combine(clash_day, time(11), tzinfo=zone),
        end_at=datetime.combine(clash_day, time(13), tzinfo=zone),
    )
    response = api_as(contact_a).post("/slot-series", json=series_body(site_a.id))
    assert response.status_code == 201
    skipped = response.get_json()["skipped"]
    assert [item["date"] for item in skipped] == [clash_day.isoformat()]
    assert f"n°{existing.id}" in skipped[0]["reason"]
    assert len(slots_of(response.get_json()["id"])) == 9


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"rrule": "FREQ=SOMETIMES"}, "rrule", "FREQ"),
        ({"rrule": "BYDAY=TU"}, "rrule", "FREQ"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule", "illisible"),
        ({"rrule": "FREQ=HOURLY"}, "rrule", "horaires"),
        ({"rrule": "DTSTART:20270101T090000;FREQ=WEEKLY"}, "rrule", "NOM=VALEUR"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9"}, "rrule", "BYHOUR"),
        ({"rrule": ""}, "rrule", "obligatoire"),
        ({"end_time": "08:00"}, "end_time", "après"),
        ({"visit_minutes": 200}, "visit_minutes", "plus longue"),
        ({"visit_minutes": 0}, "visit_minutes", "positive"),
        ({"max_visitors": 0}, "max_visitors", "au moins 1"),
        ({"starts_on": "2020-01-07"}, "starts_on", "passé"),
        ({"start_time": "9h"}, "start_time", "HH:MM"),
        ({"ends_on": "2020-01-07"}, "ends_on", "après"),
    ],
)
def test_faulty_series_is_refused_naming_the_field(api_as, contact_a, site_a, overrides, field, words) -> None:
    """422 with a French message on the faulty field; nothing is created."""
    response = api_as(contact_a).post("/slot-series", json=series_body(site_a.id, **overrides))
    assert response.status_code == 422, response.get_json()
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert field in errors and words in errors[field], errors
    assert db.session.scalar(select(func.count(SlotSeries.id))) == 0


def test_rule_without_any_date_in_the_period_is_refused(api_as, contact_a, site_a) -> None:
    """A one-day period on a Wednesday with a Tuesday rule: 422 on rrule."""
    wednesday = next_weekday(2)
    response = api_as(contact_a).post(
        "/slot-series", json=series_body(site_a.id, starts_on=wednesday.isoformat(), ends_on=wednesday.isoformat())
    )
    assert response.status_code == 422 and fields(response) == {"rrule"}


def test_pause_pauses_future_slots_and_resume_restores_them(api_as, contact_a, site_a) -> None:
    """Pause: every offered slot paused, a single slot cannot be resumed alone; resume: offered again."""
    api = api_as(contact_a)
    series_id = api.post("/slot-series", json=series_body(site_a.id)).get_json()["id"]
    response = api.post(f"/slot-series/{series_id}/pause")
    assert response.status_code == 200 and response.get_json()["is_paused"] is True
    assert {s.status for s in slots_of(series_id)} == {SlotStatus.PAUSED}
    one = slots_of(series_id)[0]
    assert api.post(f"/slots/{one.id}/resume").status_code == 409
    assert api.post(f"/slot-series/{series_id}/pause").status_code == 409
    response = api.post(f"/slot-series/{series_id}/resume")
    assert response.status_code == 200 and response.get_json()["is_paused"] is False
    db.session.expire_all()
    assert {s.status for s in slots_of(series_id)} == {SlotStatus.OFFERED}


def test_occurrences_created_while_paused_come_paused(contact_a, site_a, app) -> None:
    """A paused series extended by the job adds paused slots, not offered ones."""
    app.config["SLOT_SERIES_WEEKS"] = 3
    first = next_weekday(1)
    details = series_ops.SeriesDetails(
        site_a.id, "FREQ=WEEKLY;BYDAY=TU", time(9), time(12), first, first + timedelta(weeks=12), 60, 10
    )
    series, _ = series_ops.create_series(details, contact_a)
    series_ops.pause_series(series, contact_a)
    later = datetime.now(UTC) + timedelta(weeks=3)
    assert series_ops.expand_all_series(now=later) > 0
    assert {s.status for s in slots_of(series.id)} == {SlotStatus.PAUSED}


def test_another_company_cannot_see_or_touch_a_series(api_as, contact_a, contact_b, site_a, site_b) -> None:
    """Company B: 404 on A's series for every verb, 404 creating one at A's site, and an empty list."""
    series_id = api_as(contact_a).post("/slot-series", json=series_body(site_a.id)).get_json()["id"]
    b = api_as(contact_b)
    assert b.get(f"/slot-series/{series_id}").status_code == 404
    assert b.post(f"/slot-series/{series_id}/pause").status_code == 404
    assert b.post(f"/slot-series/{series_id}/resume").status_code == 404
    assert b.post(f"/slot-series/{series_id}/exceptions", json={"date": "2030-01-01"}).status_code == 404
    assert b.delete(f"/slot-series/{series_id}/exceptions/2030-01-01").status_code == 404
    assert b.post("/slot-series", json=series_body(site_a.id)).status_code == 404
    assert b.get("/slot-series").get_json()["series"] == []
    assert api_as(Role.PRESCRIBER).post("/slot-series", json=series_body(site_b.id)).status_code == 403
