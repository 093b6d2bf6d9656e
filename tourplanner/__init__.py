"""tourplanner: industrial discovery tours for job seekers and their counsellors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tourplanner.config import DefaultConfig, load_secret_key, read_deprecated_keys

if TYPE_CHECKING:  # Flask is imported by create_app: the routing engine and `solve` do without it
    from flask import Flask

#: The repository root: pages, templates and static assets live beside the packages.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build a configured application: defaults, then TOURPLANNER_* variables, then `test_config`."""
    from flask import Flask

    app = Flask(
        "tourplanner",
        root_path=str(PROJECT_ROOT),
        instance_path=str(PROJECT_ROOT / "instance"),
        static_folder="static",
        template_folder="routes/templates",
    )
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("TOURPLANNER")
    if test_config:
        app.config.update(test_config)
    read_deprecated_keys(app.config, test_config)
    app.config["RATELIMIT_ENABLED"] = _is_on(app.config.get("RATELIMIT_ENABLED", True))

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "tourplanner.sqlite")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["DATABASE_URL"]))

    if not app.testing:
        logging.basicConfig(level=logging.WARNING)
        for name in ("tourplanner", "routes"):
            logging.getLogger(name).setLevel(logging.INFO)

    from tourplanner.extensions import init_extensions

    init_extensions(app)

    from tourplanner.mail.delivery import init_app as init_mail_delivery

    init_mail_delivery(app)

    from tourplanner.calendar.updates import init_app as init_calendar_updates

    init_calendar_updates(app)

    from routes import register_routes

    register_routes(app)

    from routes.security import init_security

    init_security(app)

    from tourplanner.cli import register_commands

    register_commands(app)
    return app


def _is_on(value: object) -> bool:
    """A switch from the environment: "false", "0", "no", "off" (any case) or empty turn it off."""
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "off", "")
    return bool(value)


def _engine_options(url: str) -> dict[str, Any]:
    """Engine settings per backend: SQLite waits for writers instead of failing at once."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
