"""Flask extensions, created unbound and bound in the app factory."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import configure_mappers

import tourplanner.limits_storage  # noqa: F401  (registers the tourplanner-memory:// storage)
from tourplanner.db import Base, configure_sqlite

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
#: Limits are declared on the routes; RATELIMIT_* configuration keys set storage and switch.
#: Moving window: "5 per hour" means at most 5 in any hour, not 10 across a boundary.
limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=False)

MIGRATIONS_DIR = __import__("tourplanner").PROJECT_ROOT / "migrations"


def init_extensions(app: Flask) -> None:
    """Bind every extension to `app` and load the models so metadata is complete."""
    import tourplanner.models  # noqa: F401  (registers every table)

    # Once per process, here rather than on the first query of each request-serving process:
    # with gunicorn --preload the workers inherit the configured mappers instead of each
    # spending a first request on it (a third of a second).
    configure_mappers()

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_sqlite(engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    csrf.init_app(app)
    limiter.init_app(app)

    from tourplanner.accounts.proconnect import init_app as init_proconnect

    init_proconnect(app)  # only when TOURPLANNER_PROCONNECT_* are set

    from tourplanner.accounts.models import User
    from tourplanner.accounts.operations import user_for_session

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # "<id>:<stamp>": a session signed out (its stamp renewed) finds nobody.
        return user_for_session(session_id)
