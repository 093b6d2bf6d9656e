"""Recording changes in the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

from tourplanner.accounts.models import User
from tourplanner.audit.models import AuditEntry
from tourplanner.db import utcnow
from tourplanner.extensions import db

#: A plain INSERT, built once: the entry is written at once, with no ORM object to flush later.
_INSERT_ENTRY = insert(AuditEntry.__table__)


def record(actor: User | None, action: str, obj: Any, **details: Any) -> None:
    """Write an audit entry for `action` on `obj` by `actor`, in the caller's transaction.

    A new object (no id yet) is flushed first, to get its id; otherwise nothing is flushed.
    """
    if obj.id is None:
        db.session.flush()
    record_entry(actor, action, type(obj).__name__.lower(), obj.id, **details)


def record_entry(
    actor: Any, action: str, object_type: str, object_id: int, connection: Connection | None = None, **details: Any
) -> None:
    """Write an audit entry for `action` on the object of this type (`booking`…) and id, by `actor`
    (a `User`, or anything with its `id`; None for the system), on the session's connection
    (`connection`, when the caller already holds it)."""
    (connection or db.session.connection()).execute(
        _INSERT_ENTRY,
        {
            "at": utcnow(),
            "actor_id": actor.id if actor is not None else None,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "details": details,
        },
    )
