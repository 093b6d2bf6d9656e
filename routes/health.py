"""Liveness: GET /healthz."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from tourplanner.extensions import db

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    """200 once the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
