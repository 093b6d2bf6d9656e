"""Migration 0002_auth on a database that already has users and clear calendar tokens."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tourplanner.calendar import tokens
from tourplanner.extensions import db


def test_upgrade_keeps_existing_feed_urls_and_stamps_every_user(app) -> None:
    """A feed URL given out before 0002 keeps working after it; every user gets their own session stamp."""
    downgrade(revision="0001")
    with db.engine.begin() as conn:
        for n in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, role, is_active, created_at) "
                    f"VALUES ({n}, 'u{n}@example.fr', 'U {n}', 'prescriber', true, '2027-01-04 09:00:00')"
                )
            )
        conn.execute(
            text(
                "INSERT INTO calendar_tokens (user_id, token, created_at) "
                "VALUES (1, 'ancien-secret', '2027-01-04 09:00:00')"
            )
        )
    upgrade()
    db.session.remove()
    assert tokens.user_for_secret("ancien-secret").id == 1
    stamps = db.session.scalars(text("SELECT session_stamp FROM users ORDER BY id")).all()
    assert len(set(stamps)) == 2 and all(len(stamp) == 32 for stamp in stamps)
