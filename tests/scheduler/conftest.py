"""Fixtures of the scheduler tests: APScheduler's own table never outlives a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from tourplanner.extensions import db
from tourplanner.scheduler import JOBS_TABLE


@pytest.fixture(autouse=True)
def drop_jobs_table(app: Flask) -> Iterator[None]:
    """Drop the job store table after the test: it is not in the models, a shared database must not keep it."""
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {JOBS_TABLE}"))
