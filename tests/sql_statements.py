"""Counting the SQL statements a piece of code sends: the one listener the statement-count tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def sql_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements (their text, not their values) sent through `engine` inside the block, in order."""
    sent: list[str] = []

    def collect(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", collect)


def selects(sent: list[str]) -> list[str]:
    """The SELECT statements among `sent`."""
    return [statement for statement in sent if statement.lstrip().upper().startswith("SELECT")]
