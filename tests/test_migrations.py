"""The migrations and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tourplanner.extensions import db


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(app: Flask) -> None:
    """Upgraded to head, the database has exactly the models' tables, columns, types and keys."""
    assert _differences() == []


def test_a_model_change_without_migration_is_detected(app: Flask) -> None:
    """The comparison sees a column that no migration created (so the check above can fail)."""
    from sqlalchemy import Column, Integer

    table = db.metadata.tables["tours"]
    extra = Column("not_migrated", Integer)
    table.append_column(extra)
    try:
        assert any("not_migrated" in repr(diff) for diff in _differences())
    finally:
        table._columns.remove(extra)


def test_downgrade_to_base_and_upgrade_again(app: Flask) -> None:
    """The initial revision can be undone and redone."""
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert "tours" not in db.inspect(conn).get_table_names()
    upgrade()
    assert _differences() == []


def test_the_former_scheduler_job_table_is_dropped(app: Flask) -> None:
    """A database where an earlier scheduler kept its jobs (apscheduler_jobs) loses that table at 0008_jobstore."""
    downgrade(revision="0007_prog")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY, next_run_time FLOAT)"))
    upgrade()
    with db.engine.connect() as conn:
        assert "apscheduler_jobs" not in db.inspect(conn).get_table_names()
    assert _differences() == []


def _parking(column: str) -> list[tuple[int, bool]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(f"SELECT id, {column} FROM sites ORDER BY id"))]


def test_a_sites_coach_parking_becomes_its_bus_parking_and_back(app: Flask) -> None:
    """0015_words renames sites.has_coach_parking to has_bus_parking, each site keeping its value, and back."""
    downgrade(revision="0014_feedfast")
    with db.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organisations (id, name, kind, created_at) VALUES (1, 'Forges', 'company', '2026-01-05')")
        )
        conn.execute(
            text(
                "INSERT INTO sites (id, organisation_id, name, address, lat, lon, has_coach_parking, is_accessible, "
                "created_at) VALUES (1, 1, 'Forges', '1 rue', 45.5, 4.5, false, true, '2026-01-05'), "
                "(2, 1, 'Fonderie', '2 rue', 45.5, 4.5, true, false, '2026-01-05')"
            )
        )
    upgrade()
    assert _parking("has_bus_parking") == [(1, False), (2, True)]
    assert _differences() == []
    downgrade(revision="0014_feedfast")
    assert _parking("has_coach_parking") == [(1, False), (2, True)]
    upgrade()
    assert _differences() == []
