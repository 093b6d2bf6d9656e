"""What a feed keeps between requests, in the process: rendered bodies by validator, and each
person's rendered events of each tour by stamp (see `feeds`)."""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
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
    """One person's kept events: by tour, all of them in feed order with their tour, and the stamps they were
    rendered at (see `EventCache`)."""

    __slots__ = ("person", "tours", "ordered", "stamps", "sent", "size")

    def __init__(self, person: object) -> None:
        self.person = person
        self.tours: dict[int, tuple[tuple[ical.RenderedEvent, ...], int]] = {}
        self.ordered: list[tuple[int, ical.RenderedEvent]] = []
        #: The tours' stamps ("id:revision/updated") and the sent states' text they were rendered at.
        self.stamps: frozenset[str] = frozenset()
        self.sent: str | None = None
        self.size = 0


def _order(item: tuple[int, ical.RenderedEvent]) -> tuple[datetime, str]:
    return ical.feed_order(item[1])


def _sent_by_tour(text: str | None) -> dict[str, str]:
    return dict(item.split(":", 1) for item in text.split(";")) if text else {}


def _tour_id(stamp: str) -> int:
    return int(stamp.split(":", 1)[0])


#: Beyond this many new events, a person's kept order is sorted again rather than inserted into.
_INSERTED_AT_MOST = 32


@dataclass(frozen=True)
class Changes:
    """What a feed reads of its kept events: those of unchanged tours in feed order, the tours to render again,
    and the stamps to keep them under."""

    kept: list[ical.RenderedEvent]
    stale: list[int]
    #: The kept tours no longer in the feed, and the kept stamps they were found against.
    gone: frozenset[int]
    base: frozenset[str] | None
    stamps: frozenset[str]
    sent: str | None


class EventCache:
    """Each person's rendered events of each tour, kept in feed order with the stamps they were rendered at.

    The stamps are what determines those events (see `feed_queries.tour_stamps`): per tour its
    revision and last update, and the person's sent states of it, all of them as two texts; with
    the person's address and role, the same premise as the feed's validators. After one tour
    changes, a feed compares the tours' stamps as sets (the changed ones are the new set less the
    kept one), the sent states' text whole (parsed only when it moved), renders the changed tours'
    events only and takes the others' kept text already in feed order: one pass over them, no
    sort. One entry per person (user id), the least recently used out first beyond the bound in bytes.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[int, _Kept] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def changes(self, user_id: int, person: object, tours: str | None, sent: str | None) -> Changes:
        """The person's kept events of the tours whose stamp is unchanged, and the tours to render again.

        `tours`: the tours' stamps joined by ";"; `sent`: the person's sent states as "tour id:text" joined by ";".
        """
        stamps = frozenset(tours.split(";")) if tours else frozenset()
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None or entry.person != person:
                return Changes([], [_tour_id(stamp) for stamp in stamps], frozenset(), None, stamps, sent)
            self._entries.move_to_end(user_id)
            stale = {_tour_id(stamp) for stamp in stamps - entry.stamps}
            if sent != entry.sent:
                before, now = _sent_by_tour(entry.sent), _sent_by_tour(sent)
                moved = {int(tour) for tour in before.keys() | now.keys() if before.get(tour) != now.get(tour)}
                stale |= moved & {_tour_id(stamp) for stamp in stamps}
            gone = frozenset(_tour_id(stamp) for stamp in entry.stamps - stamps) - stale
            left_out = stale | gone
            if left_out:
                kept = [event for tour_id, event in entry.ordered if tour_id not in left_out]
            else:
                kept = [event for _, event in entry.ordered]
            return Changes(kept, sorted(stale), gone, entry.stamps, stamps, sent)

    def put(
        self, user_id: int, person: object, changes: Changes, rendered: dict[int, tuple[ical.RenderedEvent, ...]]
    ) -> None:
        """Keep the events of the tours rendered again (`changes.stale`), and the stamps of all."""
        with self._lock:
            entry = self._entries.pop(user_id, None)
            if entry is not None:
                self._size -= entry.size
            if entry is None or entry.person != person:
                entry = _Kept(person)
            # Only the tours of these stamps stay: those found gone against the kept stamps, or (should another
            # request have kept other stamps since) every kept tour not among these.
            if changes.base is entry.stamps:
                gone = rendered.keys() | changes.gone
            else:
                shown = {_tour_id(stamp) for stamp in changes.stamps}
                gone = rendered.keys() | {tour_id for tour_id in entry.tours if tour_id not in shown}
            gone &= entry.tours.keys()
            if gone:
                entry.ordered = [item for item in entry.ordered if item[0] not in gone]
                for tour_id in gone:
                    entry.size -= entry.tours.pop(tour_id)[1]
            added: list[tuple[int, ical.RenderedEvent]] = []
            for tour_id, events in rendered.items():
                size = sum(len(event.text) for event in events) + 200
                entry.size += size
                entry.tours[tour_id] = (events, size)
                added += ((tour_id, event) for event in events)
            if len(added) > _INSERTED_AT_MOST:
                entry.ordered = sorted(entry.ordered + added, key=_order)
            else:
                for item in added:
                    bisect.insort(entry.ordered, item, key=_order)
            entry.stamps, entry.sent = changes.stamps, changes.sent
            if entry.size > self.max_bytes:
                return
            self._entries[user_id] = entry
            self._size += entry.size
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= dropped.size
