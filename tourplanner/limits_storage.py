"""The rate limiter's in-process storage, without a thread per request.

`limits`' MemoryStorage expires old entries in a threading.Timer of 10 ms that it starts
again on any hit once the last one has run: one new thread per API call whenever calls come
more than 10 ms apart, whose start waits for the new thread to be scheduled (milliseconds
on a busy server). This storage expires them inline instead, at most once a second; what
is counted is the same (a moving window only counts entries inside it either way).
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import MemoryStorage

#: How often old entries are dropped, in seconds.
EXPIRY_INTERVAL_SECONDS = 1.0


class InlineExpiryMemoryStorage(MemoryStorage):
    """MemoryStorage whose expiry runs in the calling thread, at most once per interval."""

    STORAGE_SCHEME = ["tourplanner-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_expiry_at = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the parent's private method
        now = time.monotonic()
        if now >= self._next_expiry_at:
            self._next_expiry_at = now + EXPIRY_INTERVAL_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
