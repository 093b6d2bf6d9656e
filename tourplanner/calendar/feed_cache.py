"""What a feed keeps between requests, in the process: rendered bodies by validator, and each
person's rendered events of each tour by stamp (see `feeds`)."""

from __future__ import annotations

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


class EventCache:
    """Each person's rendered events of each tour, by (user id, tour id), with the stamp they were rendered at.

    The stamp is what determines those events (the tour's revision and last update, the
    person's sent states of it, the person's address and role): the same premise as the
    feed's validators. After one tour changes, a feed renders that tour's events only and
    assembles the others' kept text. One entry per person and tour, the least recently
    used out first beyond the bound in bytes.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[int, int], tuple[object, tuple[ical.RenderedEvent, ...], int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_many(
        self, user_id: int, person: object, stamps: dict[int, object]
    ) -> tuple[list[ical.RenderedEvent], dict[int, object]]:
        """The person's kept events of the tours whose stamp is unchanged, and the tours to render, with their stamp."""
        kept: list[ical.RenderedEvent] = []
        stale: dict[int, object] = {}
        with self._lock:
            entries = self._entries
            for tour_id, stamp in stamps.items():
                found = entries.get((user_id, tour_id))
                if found is None or found[0] != (person, stamp):
                    stale[tour_id] = stamp
                    continue
                entries.move_to_end((user_id, tour_id))
                kept += found[1]
        return kept, stale

    def put(
        self, user_id: int, person: object, tour_id: int, stamp: object, events: tuple[ical.RenderedEvent, ...]
    ) -> None:
        """Keep the person's events of the tour at `stamp`, in place of any older ones."""
        size = sum(len(event.text) for event in events) + 200
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop((user_id, tour_id), None)
            if old is not None:
                self._size -= old[2]
            self._entries[(user_id, tour_id)] = ((person, stamp), events, size)
            self._size += size
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= dropped[2]
