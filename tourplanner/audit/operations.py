"""Recording changes in the audit trail."""

from __future__ import annotations

from typing import Any

from tourplanner.accounts.models import User
from tourplanner.audit.models import AuditEntry
from tourplanner.extensions import db


def record(actor: User | None, action: str, obj: Any, **details: Any) -> AuditEntry:
    """Add an audit entry for `action` on `obj` by `actor`, in the caller's transaction."""
    db.session.flush()  # so a new object has its id
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.id,
        details=details,
    )
    db.session.add(entry)
    return entry
