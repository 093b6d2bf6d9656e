"""What a feed keeps between requests, in the process: rendered bodies by validator, and each
person's rendered events of each tour by stamp (see `feeds`)."""

from __future__ import annotations

import bisect
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import datetime

from tourplanner.calendar import ical


@dataclass(frozen=True)
class Feed:
    """A rendered feed with what HTTP caching needs."""

    body: bytes
    etag: str
    last_modified: datetime


#: Rendered feeds kept per process, by user and validator, at most this many bytes in all.
CACHE_BYTES = 64 * 1024 * 1024


class FeedCache:
    """Rendered feed bodies by user id with their ETag, least recently used out first, bounded in bytes.

    The ETag is derived from everything that changes a feed's content (see `feeds.feed_validators`):
    a client holding it is answered 304 without a render, so a client without it can be sent
    the body rendered for it. Kept in the process (one per app): each worker renders a feed once
    per change, and a deployment (new code) starts empty.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        # One body per user (a newer ETag replaces it): found by user id, whatever the number kept.
        self._bodies: OrderedDict[int, Feed] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, user_id: int, etag: str) -> Feed | None:
        """The feed rendered for this user at this ETag, if still kept."""
        with self._lock:
            found = self._bodies.get(user_id)
            if found is None or found.etag != etag:
                return None
            self._bodies.move_to_end(user_id)
            return found

    def put(self, user_id: int, rendered: Feed) -> None:
        """Keep a rendered feed, dropping the user's older one and the least recently used beyond the bound."""
        if len(rendered.body) > self.max_bytes:
            return
        with self._lock:
            old = self._bodies.pop(user_id, None)
            if old is not None:
                self._size -= len(old.body)
            self._bodies[user_id] = rendered
            self._size += len(rendered.body)
            while self._size > self.max_bytes:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped.body)


class _Kept:
    """One person's kept events, as a request left them (never changed in place: a request builds the next one).

    By tour its events; all of them in feed order as two lists side by side (their order keys and their texts,
    so that a feed's body is one join); the feed rows of changes they reflect; the tours' stamps and the sent
    states' text they were last compared at, and the tours rendered again since without comparing stamps."""

    __slots__ = ("person", "day", "rows", "tours", "keys", "texts", "end_years", "stamps", "sent", "touched", "size")

    def __init__(self, person: object, day: datetime) -> None:
        self.person = person
        self.day = day
        #: The ids of the person's rows of changes (`feed_changes`) these events reflect.
        self.rows: frozenset[int] = frozenset()
        self.tours: dict[int, tuple[tuple[ical.RenderedEvent, ...], int]] = {}
        self.keys: list[tuple[datetime, str]] = []
        self.texts: list[bytes] = []
        #: How many events end in each year (the VTIMEZONE's last year, without a pass over the events).
        self.end_years: Counter[int] = Counter()
        #: The tours' stamps ("id:revision/updated") and the sent states' text last compared.
        self.stamps: frozenset[str] = frozenset()
        self.sent: str | None = None
        #: Tours rendered again or left out after their rows of changes, since the stamps were compared.
        self.touched: frozenset[int] = frozenset()
        self.size = 0

    def copy(self, day: datetime) -> _Kept:
        kept = _Kept(self.person, day)
        kept.tours, kept.keys, kept.texts = dict(self.tours), list(self.keys), list(self.texts)
        kept.end_years = Counter(self.end_years)
        kept.stamps, kept.sent, kept.touched, kept.size = self.stamps, self.sent, self.touched, self.size
        return kept

    def last_year(self) -> int | None:
        return max(self.end_years) if self.end_years else None


def _sent_by_tour(text: str | None) -> dict[str, str]:
    return dict(item.split(":", 1) for item in text.split(";")) if text else {}


def _tour_id(stamp: str) -> int:
    return int(stamp.split(":", 1)[0])


#: Beyond this many new events, a person's kept order is sorted again rather than inserted into.
_INSERTED_AT_MOST = 32


@dataclass(frozen=True)
class Changes:
    """What a feed reads of its kept events before reading the database: the entry kept (None: none for this
    person), the rows of changes now, and the tours those not yet seen name (None: one names no tour, the entry
    is of another day, or rows were folded: every tour's stamp is compared)."""

    entry: _Kept | None
    rows: frozenset[int]
    tagged: frozenset[int] | None
    #: The entry found for the user, whoever's it was (the next entry replaces it only if it is still there).
    found: _Kept | None = None


@dataclass(frozen=True)
class Stale:
    """The tours to render again and those to leave out, and, after comparing every tour's stamp, those stamps."""

    stale: list[int]
    gone: frozenset[int]
    stamps: frozenset[str] | None = None
    sent: str | None = None


class EventCache:
    """Each person's rendered events of each tour, kept in feed order with what they reflect.

    A feed reads the person's rows of changes first (`feed_changes`, appended by the database in the
    transaction of every change the feed shows, see `feed_stamp`). When every row it has not seen
    names a tour, only those tours are looked at: those the feed still shows are rendered again, the
    others left out. Otherwise (a change without a tour, rows folded, another day) it compares every
    tour's stamp (`feed_queries.tour_stamps`: per tour its revision and last update, and the person's
    sent states of it, as two texts) with the stamps kept: the tours whose stamp moved, and those
    rendered again since the stamps were last compared, are rendered again. Either way the kept
    events of the other tours are taken as they are, spliced in feed order: no pass over them in Python.

    A request never changes an entry in place: it builds the next one, kept only if the entry it
    started from is still the person's (two requests at once: the first to finish keeps its own).
    One entry per person (user id), the least recently used out first beyond the bound in bytes.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[int, _Kept] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def changes(self, user_id: int, person: object, day: datetime, rows: list[tuple[int, int | None]]) -> Changes:
        """The person's kept entry, and the tours named by the rows of changes it has not seen (`rows`: the person's
        rows, as (id, tour id) pairs)."""
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is not None:
                self._entries.move_to_end(user_id)
        ids = frozenset(row_id for row_id, _ in rows)
        if entry is None or entry.person != person:
            return Changes(None, ids, None, entry)
        if entry.day != day or not entry.rows <= ids:
            return Changes(entry, ids, None, entry)
        tagged = {tour_id for row_id, tour_id in rows if row_id not in entry.rows}
        return Changes(entry, ids, None if None in tagged else frozenset(tagged), entry)

    @staticmethod
    def by_rows(changes: Changes, shown: set[int]) -> Stale:
        """The tours named by the new rows (`changes.tagged`) that the feed still shows (`shown`) are rendered again,
        the kept ones it no longer shows left out."""
        if changes.entry is None or changes.tagged is None:
            raise ValueError("rows name their tours only against a kept entry")
        return Stale(sorted(shown), frozenset((changes.tagged - shown) & changes.entry.tours.keys()))

    @staticmethod
    def compare(changes: Changes, tours: str | None, sent: str | None) -> Stale:
        """The tours to render again after comparing every tour's stamp (`tours`: joined by ";") and the person's
        sent states (`sent`: "tour id:text" joined by ";") with those the entry was compared at."""
        stamps = frozenset(tours.split(";")) if tours else frozenset()
        shown = {_tour_id(stamp) for stamp in stamps}
        entry = changes.entry
        if entry is None:
            return Stale(sorted(shown), frozenset(), stamps, sent)
        stale = {_tour_id(stamp) for stamp in stamps - entry.stamps} | (entry.touched & shown)
        if sent != entry.sent:
            before, now = _sent_by_tour(entry.sent), _sent_by_tour(sent)
            moved = {int(tour) for tour in before.keys() | now.keys() if before.get(tour) != now.get(tour)}
            stale |= moved & shown
        return Stale(sorted(stale), frozenset(entry.tours.keys() - shown), stamps, sent)

    def put(
        self,
        user_id: int,
        person: object,
        day: datetime,
        changes: Changes,
        found: Stale,
        rendered: dict[int, tuple[ical.RenderedEvent, ...]],
    ) -> _Kept:
        """The next entry: the tours rendered again (`rendered`) in place of their kept events, the tours gone left
        out; kept for the next request unless another request replaced the entry meanwhile."""
        base = changes.entry
        entry = base.copy(day) if base is not None else _Kept(person, day)
        entry.rows = changes.rows
        if found.stamps is not None:
            entry.stamps, entry.sent, entry.touched = found.stamps, found.sent, frozenset()
        else:
            entry.touched = entry.touched | rendered.keys() | found.gone
        keys, texts = entry.keys, entry.texts
        in_order = True
        for tour_id in (rendered.keys() | found.gone) & entry.tours.keys():
            events, size = entry.tours.pop(tour_id)
            entry.size -= size
            for event in events:
                key = ical.feed_order(event)
                at = bisect.bisect_left(keys, key)
                if at < len(keys) and keys[at] == key:
                    del keys[at], texts[at]
                else:
                    in_order = False  # not where it should be: the order is rebuilt from the tours below
                entry.end_years[event.end.year] -= 1
                if not entry.end_years[event.end.year]:
                    del entry.end_years[event.end.year]
        added: list[ical.RenderedEvent] = []
        for tour_id, events in rendered.items():
            size = sum(len(event.text) for event in events) + 200
            entry.size += size
            entry.tours[tour_id] = (events, size)
            added += events
        for event in added:
            entry.end_years[event.end.year] += 1
        if not in_order:
            ordered = sorted((event for events, _ in entry.tours.values() for event in events), key=ical.feed_order)
            entry.keys, entry.texts = [ical.feed_order(event) for event in ordered], [event.text for event in ordered]
        elif len(added) > _INSERTED_AT_MOST:
            pairs = sorted([*zip(keys, texts, strict=True), *((ical.feed_order(e), e.text) for e in added)])
            entry.keys, entry.texts = [key for key, _ in pairs], [text for _, text in pairs]
        else:
            for event in added:
                key = ical.feed_order(event)
                at = bisect.bisect_left(keys, key)
                keys.insert(at, key)
                texts.insert(at, event.text)
        with self._lock:
            current = self._entries.get(user_id)
            if current is not changes.found or entry.size > self.max_bytes:
                return entry
            if current is not None:
                self._size -= current.size
            self._entries[user_id] = entry
            self._entries.move_to_end(user_id)
            self._size += entry.size
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= dropped.size
        return entry
