"""The iCalendar builder (RFC 5545, iTIP methods of RFC 5546): events go in, bytes come out.

It knows nothing of Flask or the database: the feed route and the mail invitations hand
it plain `CalendarEvent` values and get the same, valid, VCALENDAR text back.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vDuration

#: Who made the calendar objects, per RFC 5545 3.7.3.
PRODID = "-//tourplanner//Tours industriels//FR"
#: How a cancelled event's SUMMARY begins, so that it reads as such in any calendar.
CANCELLED_PREFIX = "Annulé : "


class Method(str, enum.Enum):
    """The iTIP methods tourplanner sends: an invitation (or its update) and a cancellation."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Person:
    """An organiser or attendee: an address and a display name."""

    email: str
    name: str | None = None


@dataclass(frozen=True)
class Attendee(Person):
    """The one attendee of a personal invitation, with their participation status."""

    #: ACCEPTED for confirmed seats; NEEDS-ACTION where the person has not said yes.
    partstat: str = "ACCEPTED"


@dataclass(frozen=True)
class Occurrence:
    """One instance of a recurring event that differs from the rule (a RECURRENCE-ID override)."""

    #: The instance's start per the rule: its RECURRENCE-ID.
    recurrence_id: datetime
    start: datetime
    end: datetime
    location: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Recurrence:
    """A weekly rule (RRULE FREQ=WEEKLY until `until`), its excluded starts (EXDATE) and its overrides."""

    #: The start of the rule's last instance (UNTIL, written in UTC as RFC 5545 requires with a TZID).
    until: datetime
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[Occurrence, ...] = ()

    def key(self) -> str:
        """A stable text of the rule, its exceptions and overrides (a change of it calls for an update)."""
        parts = [self.until.isoformat(), *(d.isoformat() for d in sorted(self.exdates))]
        parts += [
            f"{o.recurrence_id.isoformat()}>{o.start.isoformat()}-{o.end.isoformat()}@{o.location or ''}"
            for o in self.overrides
        ]
        return ";".join(parts)


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT: a tour or a visit as one person sees it."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    #: DTSTAMP: when the object was created (invitations) or last revised (feeds).
    stamp: datetime
    sequence: int = 0
    is_cancelled: bool = False
    location: str | None = None
    #: Latitude and longitude of the location (GEO).
    geo: tuple[float, float] | None = None
    description: str | None = None
    url: str | None = None
    last_modified: datetime | None = None
    attendee: Attendee | None = None
    #: A weekly series (a cohort): DTSTART and DTEND are then its first instance's.
    recurrence: Recurrence | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end", "stamp", "last_modified"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"{name}: times must carry their time zone")
        if self.end < self.start:
            raise ValueError("an event cannot end before it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative")


def invitation(event: CalendarEvent, method: Method, organizer: Person, tzid: str) -> bytes:
    """An iTIP message (METHOD:REQUEST or CANCEL) carrying `event` for its one attendee."""
    if event.attendee is None:
        raise ValueError("an invitation names its attendee")
    if method is Method.CANCEL and not event.is_cancelled:
        raise ValueError("a CANCEL carries a cancelled event")
    calendar = _calendar()
    calendar.add("METHOD", method.value)
    for component in _vevents(event, organizer, tzid):
        calendar.add_component(component)
    _add_timezone(calendar, tzid, [event])
    return calendar.to_ical()


def feed(
    events: Sequence[CalendarEvent],
    organizer: Person,
    tzid: str,
    name: str,
    refresh: timedelta = timedelta(hours=1),
) -> bytes:
    """A subscribable calendar (no METHOD) of `events`, with a refresh hint for clients.

    The same bytes as `feed_calendar(...).to_ical()`, built faster: the calendar's own lines
    and its VTIMEZONE are rendered by icalendar around no event, and each VEVENT's text is
    rendered by icalendar once per distinct event value (see `_vevent_text`).
    """
    return feed_of_rendered([render_event(event, organizer, tzid) for event in events], tzid, name, refresh)


@dataclass(frozen=True)
class RenderedEvent:
    """One event's text as `feed` writes it, with what orders it in the feed and sizes its VTIMEZONE."""

    uid: str
    start: datetime
    end: datetime
    text: bytes


def render_event(event: CalendarEvent, organizer: Person, tzid: str) -> RenderedEvent:
    """The event's text in a feed, kept with its times and UID (a caller may keep it and assemble it later)."""
    return RenderedEvent(event.uid, event.start, event.end, _vevent_text(event, organizer, tzid))


def feed_of_rendered(
    events: Sequence[RenderedEvent], tzid: str, name: str, refresh: timedelta = timedelta(hours=1)
) -> bytes:
    """The feed `feed` writes, from events already rendered (`render_event`): no event is rendered again."""
    return feed_of_ordered(sorted(events, key=feed_order), tzid, name, refresh)


def feed_order(event: RenderedEvent) -> tuple[datetime, str]:
    """Where an event goes in a feed: by start, then UID."""
    return event.start, event.uid


def feed_of_ordered(
    ordered: Sequence[RenderedEvent], tzid: str, name: str, refresh: timedelta = timedelta(hours=1)
) -> bytes:
    """The same from events already in feed order (`feed_order`): a caller that keeps them so sorts nothing."""
    # In feed order the first event starts earliest, and an event ends after it starts.
    years = (ordered[0].start.year, max(event.end.year for event in ordered)) if ordered else None
    return feed_of_texts([event.text for event in ordered], years, tzid, name, refresh)


def feed_of_texts(
    texts: Sequence[bytes],
    years: tuple[int, int] | None,
    tzid: str,
    name: str,
    refresh: timedelta = timedelta(hours=1),
) -> bytes:
    """The same from the events' texts in feed order, and the years of the first start and of the last end
    (None: no event)."""
    first, last = (years[0] - 1, years[1] + 1) if years is not None else _years(())
    head, tail = _feed_frame(tzid, name, refresh, first, last)
    return b"".join([head, *texts, tail])


def feed_calendar(
    events: Sequence[CalendarEvent],
    organizer: Person,
    tzid: str,
    name: str,
    refresh: timedelta = timedelta(hours=1),
) -> Calendar:
    """The feed as an icalendar object: what `feed` writes, built the plain way."""
    calendar = _feed_header(name, tzid, refresh)
    for event in sorted(events, key=lambda e: (e.start, e.uid)):
        for component in _vevents(event, organizer, tzid):
            calendar.add_component(component)
    _add_timezone(calendar, tzid, events)
    return calendar


def _feed_header(name: str, tzid: str, refresh: timedelta) -> Calendar:
    calendar = _calendar()
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", tzid)
    # RFC 7986 and its older Microsoft/Apple spelling: clients poll at this pace.
    calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    return calendar


#: Where the events go in a rendered feed frame: before the calendar's end.
_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def _feed_frame(tzid: str, name: str, refresh: timedelta, first_year: int, last_year: int) -> tuple[bytes, bytes]:
    """The feed's text around its events (header and VTIMEZONE; the end), rendered by icalendar."""
    calendar = _feed_header(name, tzid, refresh)
    calendar.subcomponents.insert(0, _timezone(tzid, first_year, last_year))
    text = calendar.to_ical()
    if not text.endswith(_END):
        raise RuntimeError("icalendar wrote a calendar that does not end with END:VCALENDAR")
    return text[: -len(_END)], _END


@lru_cache(maxsize=16384)
def _vevent_text(event: CalendarEvent, organizer: Person, tzid: str) -> bytes:
    """One event's text as icalendar writes it inside a calendar (folded, CRLF), once per value: its
    VEVENT, and for a weekly series the overrides that follow it (see `_vevents`).

    Events are frozen values: a changed tour, sequence or stamp is another key, so an
    entry never goes stale; the least recently used ones make room.
    """
    return b"".join(component.to_ical() for component in _vevents(event, organizer, tzid))


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    return calendar


def _vevents(event: CalendarEvent, organizer: Person, tzid: str) -> list[Event]:
    """The event's VEVENT, and for a series its overrides: same UID and SEQUENCE, each with its RECURRENCE-ID."""
    master = _vevent(event, organizer, tzid)
    recurrence = event.recurrence
    if recurrence is None or event.is_cancelled:
        return [master]
    zone = ZoneInfo(tzid)
    master.add("RRULE", {"FREQ": "WEEKLY", "UNTIL": _utc_second(recurrence.until)})
    for excluded in sorted(recurrence.exdates):
        master.add("EXDATE", excluded.astimezone(zone).replace(second=0, microsecond=0))
    components = [master]
    for occurrence in sorted(recurrence.overrides, key=lambda o: o.recurrence_id):
        override = _vevent(
            replace(
                event,
                start=occurrence.start,
                end=occurrence.end,
                location=occurrence.location or event.location,
                description=occurrence.description or event.description,
                recurrence=None,
            ),
            organizer,
            tzid,
        )
        override.add("RECURRENCE-ID", occurrence.recurrence_id.astimezone(zone).replace(second=0, microsecond=0))
        components.append(override)
    return components


def _vevent(event: CalendarEvent, organizer: Person, tzid: str) -> Event:
    zone = ZoneInfo(tzid)
    vevent = Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", _utc_second(event.stamp))
    # Whole minutes: the times people are told, never a stray second of the optimiser's.
    vevent.add("DTSTART", event.start.astimezone(zone).replace(second=0, microsecond=0))
    vevent.add("DTEND", event.end.astimezone(zone).replace(second=0, microsecond=0))
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("STATUS", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    summary = event.summary
    if event.is_cancelled and not summary.startswith(CANCELLED_PREFIX):
        summary = CANCELLED_PREFIX + summary
    vevent.add("SUMMARY", summary)
    vevent.add("TRANSP", "OPAQUE")
    if event.location:
        vevent.add("LOCATION", event.location)
    if event.geo is not None:
        vevent.add("GEO", (round(event.geo[0], 6), round(event.geo[1], 6)))
    if event.description:
        vevent.add("DESCRIPTION", event.description)
    if event.url:
        vevent.add("URL", event.url)
    if event.last_modified is not None:
        vevent.add("LAST-MODIFIED", _utc_second(event.last_modified))
    vevent.add("ORGANIZER", _address(organizer))
    if event.attendee is not None:
        attendee = _address(event.attendee)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = event.attendee.partstat
        # Replies would reach no one who reads them: the invitation is a notice.
        attendee.params["RSVP"] = "FALSE"
        vevent.add("ATTENDEE", attendee)
    return vevent


def _utc_second(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = person.name
    return address


def _add_timezone(calendar: Calendar, tzid: str, events: Iterable[CalendarEvent]) -> None:
    """Insert the VTIMEZONE that DTSTART and DTEND refer to, covering the events' years."""
    first_year, last_year = _years(events)
    calendar.subcomponents.insert(0, _timezone(tzid, first_year, last_year))


def _years(events: Iterable[CalendarEvent | RenderedEvent]) -> tuple[int, int]:
    """The years a VTIMEZONE covers for these events: one either side of theirs."""
    years = [moment.year for event in events for moment in (event.start, event.end)] or [datetime.now().year]
    return min(years) - 1, max(years) + 1


@lru_cache(maxsize=32)
def _timezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    # The yearly-rule form Outlook and Exchange write themselves (one STANDARD and one
    # DAYLIGHT block with RRULE:FREQ=YEARLY;BYMONTH=…;BYDAY=-1SU), when the zone's changes
    # over these years follow such a rule; else the list of transitions from zoneinfo.
    yearly = _yearly_timezone(tzid, first_year, last_year)
    if yearly is not None:
        return yearly
    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1))


def _transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """The zone's changes of offset in `year`: (local wall time before the change, offset before, after)."""
    changes = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    step = timedelta(hours=1)
    while moment < end:
        moment += step
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            local_before = (moment - step).astimezone(zone).replace(tzinfo=None) + step
            changes.append((local_before, previous, offset))
            previous = offset
    return changes


def _yearly_timezone(tzid: str, first_year: int, last_year: int) -> Timezone | None:
    """A VTIMEZONE with yearly rules (last Sunday of a month), or None when the zone has no such rule."""
    zone = ZoneInfo(tzid)
    rules: set[tuple[int, int, timedelta, timedelta]] = set()
    for year in range(first_year, last_year + 1):
        changes = _transitions(zone, year)
        if len(changes) != 2:
            return None
        for local, before, after in changes:
            if local.weekday() != 6 or (local + timedelta(days=7)).month == local.month:
                return None  # not the month's last Sunday
            rules.add((local.month, local.hour, before, after))
    if len(rules) != 2:
        return None
    names = {}
    for year in (first_year,):
        for month in (1, 7):
            moment = datetime(year, month, 15, 12, tzinfo=zone)
            names[moment.utcoffset()] = moment.tzname()
    vtimezone = Timezone()
    vtimezone.add("TZID", tzid)
    for month, hour, before, after in sorted(rules):
        block = TimezoneDaylight() if after > before else TimezoneStandard()
        # Outlook's own anchor year; the rule gives every later change.
        block.add("DTSTART", datetime(1601, month, _last_sunday(1601, month), hour))
        block.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
        block.add("TZOFFSETFROM", before)
        block.add("TZOFFSETTO", after)
        if names.get(after):
            block.add("TZNAME", names[after])
        vtimezone.add_component(block)
    return vtimezone


def _last_sunday(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last.day - (last.weekday() + 1) % 7
