"""Keyset pagination of lists: a page of rows and an opaque cursor to the next one.

A cursor holds the sort key of the last row shown, so the next page starts right after it
whatever was inserted meanwhile (an offset would skip or repeat rows). The cursor is
base64url-encoded JSON: opaque to clients, checked when read back (422 naming `cursor`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.sql.elements import ColumnElement

from tourplanner.errors import InvalidInput

T = TypeVar("T")

#: Rows in a page when the client asks for no particular number.
DEFAULT_LIMIT = 50
#: Most rows a client may ask for in one page.
MAX_LIMIT = 200

#: The message of a cursor that is not one we gave.
BAD_CURSOR = "curseur invalide : reprenez la valeur de `next` de la page précédente"


@dataclass(frozen=True)
class PageRequest:
    """Which page a client asks for: at most `limit` rows after `cursor` (None: the first page)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """The rows of one page and the cursor of the next page (None on the last page)."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor holding these sort-key values (ints, strings, aware datetimes)."""
    plain = [value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value for value in values]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The sort-key values of `cursor`, one per kind in `kinds`; InvalidInput (field `cursor`) if it is not ours."""
    try:
        padded = cursor.strip() + "=" * (-len(cursor.strip()) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidInput.one("cursor", BAD_CURSOR) from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise InvalidInput.one("cursor", BAD_CURSOR)
    return [_read(value, kind) for value, kind in zip(values, kinds, strict=True)]


def _read(value: Any, kind: type) -> Any:
    """One value of a cursor, as `kind`."""
    if kind is datetime and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput.one("cursor", BAD_CURSOR) from None
        if moment.tzinfo is not None:
            return moment
    elif kind is int and isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
        return value
    elif kind is str and isinstance(value, str) and "\x00" not in value:
        return value
    raise InvalidInput.one("cursor", BAD_CURSOR)


def after(keys: Sequence[ColumnElement[Any]], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come after `values` in ascending order of `keys` (lexicographic, row by row)."""
    clauses = []
    for index, key in enumerate(keys):
        equal = [keys[i] == values[i] for i in range(index)]
        clauses.append(and_(*equal, key > values[index]))
    return or_(*clauses)


def keyset_page(
    query: Select[Any],
    keys: Sequence[tuple[ColumnElement[Any], type]],
    key_of: Callable[[T], Sequence[Any]],
    page: PageRequest,
    fetch: Callable[[Select[Any]], list[T]],
) -> Page[T]:
    """One page of `query`, which must be ordered by `keys` ascending (the last key unique, an id).

    `keys` are (column, python type) pairs; `key_of` reads a fetched row's key values; `fetch`
    runs the statement (one round trip: one row more than the page tells whether another follows).
    """
    columns = [column for column, _ in keys]
    if page.cursor is not None:
        query = query.where(after(columns, decode_cursor(page.cursor, [kind for _, kind in keys])))
    rows = fetch(query.limit(page.limit + 1))
    if len(rows) <= page.limit:
        return Page(rows)
    rows = rows[: page.limit]
    return Page(rows, encode_cursor(key_of(rows[-1])))
