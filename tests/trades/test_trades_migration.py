"""Migration 0003_passeport maps the sites' free-text trades to ROME codes."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tourplanner.extensions import db


def test_existing_trade_lines_become_codes(app: Flask) -> None:
    """A leading known code, or an exact referential label, becomes a site_trades row; other lines stay text only."""
    downgrade(revision="0001")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisations (id, name, kind, created_at) "
                "VALUES (1, 'Forges', 'company', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sites (id, organisation_id, name, address, lat, lon, trades, has_coach_parking, "
                "is_accessible, created_at) VALUES (1, 1, 'Forges', '1 rue', 45.5, 4.5, :trades, true, false, "
                "CURRENT_TIMESTAMP)"
            ),
            {"trades": "H2903 Tourneur\nsoudage manuel\nCariste\nH9999 Inconnu\nH2903 Fraiseur"},
        )
    upgrade()
    with db.engine.connect() as conn:
        codes = conn.execute(text("SELECT rome_code FROM site_trades WHERE site_id = 1 ORDER BY id")).scalars().all()
        trades = conn.execute(text("SELECT trades FROM sites WHERE id = 1")).scalar_one()
    assert codes == ["H2903", "H2913"]
    assert trades.startswith("H2903 Tourneur")
