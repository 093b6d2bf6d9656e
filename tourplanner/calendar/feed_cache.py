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
    """Rendered feed bodies by (user id, ETag), least recently used out first, bounded in bytes.

    The ETag is derived from everything that changes a feed's content (see `feeds.feed_validators`):
    a client holding it is answered 304 without a render, so a client without it can be sent
    the body rendered for it. Kept in the process (one per app): each worker renders a feed once
    per change, and a deployment (new code) starts empty.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[tuple[int, str], Feed] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, user_id: int, etag: str) -> Feed | None:
        """The feed rendered for this user at this ETag, if still kept."""
        with self._lock:
            found = self._bodies.get((user_id, etag))
            if found is not None:
                self._bodies.move_to_end((user_id, etag))
            return found

    def put(self, user_id: int, rendered: Feed) -> None:
        """Keep a rendered feed, dropping the user's older ones and the least recently used beyond the bound."""
        if len(rendered.body) > self.max_bytes:
            return
        with self._lock:
            for key in [key for key in self._bodies if key[0] == user_id]:
                self._size -= len(self._bodies.pop(key).body)
            self._bodies[(user_id, rendered.etag)] = rendered
            self._size += len(rendered.body)
            while self._size > self.max_bytes:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped.body)


class _Kept:
    """One person's kept events: by tour with their stamp, and all of them in feed order with their tour."""

    __slots__ = ("person", "tours", "ordered", "size")

    def __init__(self, person: object) -> None:
        self.person = person
        self.tours: dict[int, tuple[object, tuple[ical.RenderedEvent, ...], int]] = {}
        self.ordered: list[tuple[int, ical.RenderedEvent]] = []
        self.size = 0


def _order(item: tuple[int, ical.RenderedEvent]) -> tuple[datetime, str]:
    return ical.feed_order(item[1])


#: Beyond this many new events, a person's kept order is sorted again rather than inserted into.
_INSERTED_AT_MOST = 32


class EventCache:
    """Each person's rendered events of each tour, with the stamp they were rendered at, kept in feed order.

    The stamp is what determines those events (the tour's revision and last update, the
    person's sent states of it, the person's address and role): the same premise as the
    feed's validators. After one tour changes, a feed renders that tour's events only and
    takes the others' kept text already in feed order: one pass over them, no sort. One entry
    per person (user id), the least recently used out first beyond the bound in bytes.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[int, _Kept] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_many(
        self, user_id: int, person: object, stamps: dict[int, object]
    ) -> tuple[list[ical.RenderedEvent], dict[int, object]]:
        """The person's kept events of the tours whose stamp is unchanged, in feed order (`ical.feed_order`),
        and the tours to render, with their stamp."""
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None or entry.person != person:
                return [], dict(stamps)
            self._entries.move_to_end(user_id)
            tours = entry.tours
            stale: dict[int, object] = {}
            for tour_id, stamp in stamps.items():
                found = tours.get(tour_id)
                if found is None or found[0] != stamp:
                    stale[tour_id] = stamp
            left_out = stale.keys() | (tours.keys() - stamps.keys())
            if left_out:
                return [event for tour_id, event in entry.ordered if tour_id not in left_out], stale
            return [event for _, event in entry.ordered], stale

    def put(
        self, user_id: int, person: object, tour_id: int, stamp: object, events: tuple[ical.RenderedEvent, ...]
    ) -> None:
        """Keep the person's events of the tour at `stamp`, in place of any older ones."""
        self.put_many(user_id, person, {tour_id: (stamp, events)})

    def put_many(
        self, user_id: int, person: object, rendered: dict[int, tuple[object, tuple[ical.RenderedEvent, ...]]]
    ) -> None:
        """Keep the person's events of these tours, each at its stamp, in place of any older ones."""
        with self._lock:
            entry = self._entries.pop(user_id, None)
            if entry is not None:
                self._size -= entry.size
            if entry is None or entry.person != person:
                entry = _Kept(person)
            replaced = [tour_id for tour_id in rendered if tour_id in entry.tours]
            if replaced:
                gone = set(replaced)
                entry.ordered = [item for item in entry.ordered if item[0] not in gone]
            added: list[tuple[int, ical.RenderedEvent]] = []
            for tour_id, (stamp, events) in rendered.items():
                size = sum(len(event.text) for event in events) + 200
                old = entry.tours.get(tour_id)
                entry.size += size - (old[2] if old is not None else 0)
                entry.tours[tour_id] = (stamp, events, size)
                added += ((tour_id, event) for event in events)
            if len(added) > _INSERTED_AT_MOST:
                entry.ordered = sorted(entry.ordered + added, key=_order)
            else:
                for item in added:
                    bisect.insort(entry.ordered, item, key=_order)
            if entry.size > self.max_bytes:
                return
            self._entries[user_id] = entry
            self._size += entry.size
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= dropped.size
