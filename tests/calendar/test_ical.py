"""The pure iCalendar builder: values in, RFC 5545 bytes out, no app nor database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tourplanner.calendar import ical

UTC = UTC
ORGANIZER = ical.Person("tourplanner@example.org", "tourplanner")


def _event(**overrides) -> ical.CalendarEvent:
    values = dict(
        uid="tour-7@example.org",
        summary="ZI Tour Meyzieu",
        start=datetime(2027, 7, 1, 7, 30, tzinfo=UTC),
        end=datetime(2027, 7, 1, 15, 0, tzinfo=UTC),
        stamp=datetime(2027, 6, 1, tzinfo=UTC),
        sequence=3,
        location="Gare Part-Dieu",
        geo=(45.7606, 4.8593),
        description="8h30  Rendez-vous",
        url="https://example.org/tours/7",
        attendee=ical.Attendee("lea@example.fr", "Léa", "ACCEPTED"),
    )
    values.update(overrides)
    return ical.CalendarEvent(**values)


def test_an_invitation_is_a_request_in_local_time_with_its_timezone():
    """A REQUEST carries METHOD, the VTIMEZONE before the event, local DTSTART with TZID, one ATTENDEE."""
    calendar = Calendar.from_ical(ical.invitation(_event(), ical.Method.REQUEST, ORGANIZER, "Europe/Paris"))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].to_ical() == b"20270701T093000"  # summer time: UTC+2
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert int(event["SEQUENCE"]) == 3
    assert str(event["ATTENDEE"]) == "mailto:lea@example.fr"
    assert str(event["ORGANIZER"]) == "mailto:tourplanner@example.org"
    assert event["GEO"].latitude == 45.7606


def test_a_cancel_must_carry_a_cancelled_event():
    """METHOD:CANCEL goes with STATUS:CANCELLED, and is refused for a standing event."""
    with pytest.raises(ValueError):
        ical.invitation(_event(), ical.Method.CANCEL, ORGANIZER, "Europe/Paris")
    calendar = Calendar.from_ical(
        ical.invitation(_event(is_cancelled=True), ical.Method.CANCEL, ORGANIZER, "Europe/Paris")
    )
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_naive_times_are_refused():
    """An event whose times carry no zone cannot be built."""
    with pytest.raises(ValueError):
        _event(start=datetime(2027, 7, 1, 9, 30))


def test_a_feed_has_no_method_and_a_refresh_hint():
    """A feed is sorted by start, carries no METHOD, and asks clients to refresh hourly; same input, same bytes."""
    later = _event(
        uid="tour-8@example.org",
        start=datetime(2027, 8, 1, 7, 0, tzinfo=UTC),
        end=datetime(2027, 8, 1, 9, 0, tzinfo=UTC),
        attendee=None,
    )
    body = ical.feed([later, _event(attendee=None)], ORGANIZER, "Europe/Paris", "Mon agenda", timedelta(hours=1))
    assert body == ical.feed([later, _event(attendee=None)], ORGANIZER, "Europe/Paris", "Mon agenda")
    calendar = Calendar.from_ical(body)
    assert "METHOD" not in calendar
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body and b"X-PUBLISHED-TTL:PT1H" in body
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == ["tour-7@example.org", "tour-8@example.org"]


def test_the_paris_timezone_is_written_with_yearly_rules_outlook_understands():
    """Europe/Paris is one STANDARD and one DAYLIGHT block, each a yearly last-Sunday rule, and places summer right."""
    body = ical.invitation(_event(), ical.Method.REQUEST, ORGANIZER, "Europe/Paris")
    calendar = Calendar.from_ical(body)
    [vtimezone] = calendar.walk("VTIMEZONE")
    blocks = {block.name: block for block in vtimezone.subcomponents}
    assert set(blocks) == {"STANDARD", "DAYLIGHT"}
    assert blocks["DAYLIGHT"]["RRULE"].to_ical() in (
        b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        b"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    )
    assert blocks["STANDARD"]["RRULE"].to_ical() in (
        b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        b"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    )
    assert blocks["DAYLIGHT"]["TZOFFSETTO"].to_ical() == "+0200"
    assert blocks["STANDARD"]["TZOFFSETTO"].to_ical() == "+0100"
    # Read back through the rules: July is summer time (UTC+2), January winter time (UTC+1).
    summer = calendar.walk("VEVENT")[0].start
    assert summer.utcoffset() == timedelta(hours=2) and summer.astimezone(UTC).hour == 7
    winter = (
        Calendar.from_ical(
            ical.invitation(
                _event(start=datetime(2028, 1, 10, 8, 0, tzinfo=UTC), end=datetime(2028, 1, 10, 9, 0, tzinfo=UTC)),
                ical.Method.REQUEST,
                ORGANIZER,
                "Europe/Paris",
            )
        )
        .walk("VEVENT")[0]
        .start
    )
    assert winter.utcoffset() == timedelta(hours=1)


def test_times_are_whole_minutes_and_a_cancelled_summary_says_so():
    """Seconds of the optimiser never reach DTSTART/DTEND; a cancelled event's SUMMARY begins with « Annulé : »."""
    event = _event(
        start=datetime(2027, 7, 1, 7, 30, 47, tzinfo=UTC),
        end=datetime(2027, 7, 1, 15, 0, 12, 5, tzinfo=UTC),
        is_cancelled=True,
    )
    vevent = Calendar.from_ical(ical.invitation(event, ical.Method.CANCEL, ORGANIZER, "Europe/Paris")).walk("VEVENT")[0]
    assert vevent["DTSTART"].to_ical() == b"20270701T093000"
    assert vevent["DTEND"].to_ical() == b"20270701T170000"
    assert str(vevent["SUMMARY"]) == "Annulé : ZI Tour Meyzieu"
    standing = Calendar.from_ical(ical.invitation(_event(), ical.Method.REQUEST, ORGANIZER, "Europe/Paris"))
    assert str(standing.walk("VEVENT")[0]["SUMMARY"]) == "ZI Tour Meyzieu"


def _varied_events() -> list[ical.CalendarEvent]:
    """Events that exercise escaping, folding, accents, cancellation, DST days and optional fields."""
    paris = ZoneInfo("Europe/Paris")
    long_text = "\n".join(
        f"{h}h30  Visite de l'usine n°{h} ; équipement : chaussures, gilet — « sécurité »" for h in range(8, 17)
    )
    return [
        _event(),
        _event(
            uid="a@example.org",
            summary="Visite ; Métallerie, Dupont & fils",
            location="Quai d'Alsace, 69001 Lyon",
            description=long_text,
            attendee=None,
            last_modified=datetime(2027, 6, 2, 8, 15, 42, tzinfo=UTC),
        ),
        _event(
            uid="b@example.org",
            is_cancelled=True,
            summary="Tour de l'été",
            description="Annulé.",
            url=None,
            geo=None,
            attendee=ical.Attendee("zoe@example.fr", None, "NEEDS-ACTION"),
        ),
        _event(uid="c@example.org", summary="Annulé : déjà préfixé", is_cancelled=True, location=None),
        # The mornings after the changes of time (last Sundays of March and October) and a winter day.
        _event(
            uid="d@example.org",
            start=datetime(2027, 3, 28, 8, 30, tzinfo=paris),
            end=datetime(2027, 3, 28, 17, 0, 59, tzinfo=paris),
            sequence=0,
        ),
        _event(
            uid="e@example.org",
            start=datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
            end=datetime(2027, 10, 31, 16, 0, tzinfo=UTC),
            description="x" * 400,
        ),
        _event(
            uid="f@example.org",
            start=datetime(2028, 1, 5, 7, 45, 30, tzinfo=UTC),
            end=datetime(2028, 1, 5, 16, 0, tzinfo=UTC),
            summary="Ünïcødé " * 20,
            location="A" * 200,
            attendee=ical.Attendee("x@example.fr", "Dupont, Jean; « le chef »", "ACCEPTED"),
        ),
    ]


def test_the_fast_feed_writes_exactly_what_icalendar_writes():
    """`feed` gives byte for byte the calendar icalendar builds from the same events, and parses back the same."""
    events = _varied_events()
    for chosen in (events, events[:1], list(reversed(events))):
        fast = ical.feed(chosen, ORGANIZER, "Europe/Paris", "tourplanner — Léa, « test »")
        plain = ical.feed_calendar(chosen, ORGANIZER, "Europe/Paris", "tourplanner — Léa, « test »").to_ical()
        assert fast == plain
        assert Calendar.from_ical(fast) == Calendar.from_ical(plain)
    parsed = Calendar.from_ical(ical.feed(events, ORGANIZER, "Europe/Paris", "f"))
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in parsed.walk("VEVENT")}
    assert summaries["b@example.org"] == "Annulé : Tour de l'été"
    assert summaries["c@example.org"] == "Annulé : déjà préfixé"
    assert summaries["a@example.org"] == "Visite ; Métallerie, Dupont & fils"
    assert all(len(line) <= 75 for line in ical.feed(events, ORGANIZER, "Europe/Paris", "f").split(b"\r\n"))


def test_a_feed_event_text_is_rendered_once_per_value():
    """The same event in two feeds is rendered once; a changed event is rendered again."""
    ical._vevent_text.cache_clear()
    event = _event(uid="once@example.org")
    ical.feed([event], ORGANIZER, "Europe/Paris", "f")
    ical.feed([event], ORGANIZER, "Europe/Paris", "g")
    assert ical._vevent_text.cache_info().misses == 1
    changed = ical.feed([_event(uid="once@example.org", sequence=4)], ORGANIZER, "Europe/Paris", "f")
    assert ical._vevent_text.cache_info().misses == 2
    assert b"SEQUENCE:4" in changed
