"""The pure iCalendar builder's weekly series: RRULE with a UTC UNTIL, EXDATE and overrides in the event's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import recurring_ical_events
from icalendar import Calendar

from tests.conftest import PARIS
from tourplanner.calendar import ical


def _event(**recurrence) -> ical.CalendarEvent:
    start = datetime(2027, 3, 2, 9, tzinfo=PARIS)
    return ical.CalendarEvent(
        uid="tour-1@example",
        summary="Cohorte",
        start=start,
        end=start.replace(hour=12),
        stamp=datetime(2027, 1, 1, tzinfo=UTC),
        sequence=3,
        recurrence=ical.Recurrence(until=datetime(2027, 4, 6, 9, tzinfo=PARIS), **recurrence),
    )


def test_the_rule_ends_in_utc_and_keeps_the_local_hour_across_summer_time() -> None:
    """UNTIL is written in UTC; every Tuesday from 2 March to 6 April at 9:00 Paris time, summer time included."""
    calendar = Calendar.from_ical(ical.feed([_event()], ical.Person("o@example"), "Europe/Paris", "Test"))
    [event] = calendar.walk("VEVENT")
    assert b"UNTIL=20270406T070000Z" in event["RRULE"].to_ical()
    instances = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2027, 12, 31))
    assert [i.start for i in instances] == [
        datetime(2027, m, d, 9, tzinfo=PARIS) for m, d in ((3, 2), (3, 9), (3, 16), (3, 23), (3, 30), (4, 6))
    ]


def test_exdates_and_overrides_share_the_uid_and_sequence() -> None:
    """An EXDATE removes 16 March; an override moves 23 March to the Wednesday afternoon, same UID and SEQUENCE."""
    moved = ical.Occurrence(
        recurrence_id=datetime(2027, 3, 23, 9, tzinfo=PARIS),
        start=datetime(2027, 3, 24, 14, tzinfo=PARIS),
        end=datetime(2027, 3, 24, 17, tzinfo=PARIS),
        location="Forge",
    )
    body = ical.invitation(
        ical.CalendarEvent(
            **{
                **_event(exdates=(datetime(2027, 3, 16, 9, tzinfo=PARIS),), overrides=(moved,)).__dict__,
                "attendee": ical.Attendee("p@example"),
            }
        ),
        ical.Method.REQUEST,
        ical.Person("o@example"),
        "Europe/Paris",
    )
    calendar = Calendar.from_ical(body)
    master, override = calendar.walk("VEVENT")
    assert master["EXDATE"].params["TZID"] == "Europe/Paris"
    assert str(override["UID"]) == str(master["UID"]) and int(override["SEQUENCE"]) == 3
    assert override["RECURRENCE-ID"].dt == datetime(2027, 3, 23, 9, tzinfo=PARIS)
    starts = [i.start for i in recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2027, 12, 31))]
    assert datetime(2027, 3, 16, 9, tzinfo=PARIS) not in starts
    assert datetime(2027, 3, 24, 14, tzinfo=PARIS) in starts and len(starts) == 5


def test_a_cancelled_series_carries_no_rule() -> None:
    """A CANCEL of the series names the UID alone: no RRULE nor overrides."""
    cancelled = ical.CalendarEvent(
        **{**_event().__dict__, "is_cancelled": True, "attendee": ical.Attendee("p@example")}
    )
    calendar = Calendar.from_ical(
        ical.invitation(cancelled, ical.Method.CANCEL, ical.Person("o@example"), "Europe/Paris")
    )
    [event] = calendar.walk("VEVENT")
    assert "RRULE" not in event and str(event["STATUS"]) == "CANCELLED"
