"""Flask extensions, created unbound and bound in the app factory."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from tourplanner.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

MIGRATIONS_DIR = __import__("tourplanner").PROJECT_ROOT / "migrations"


def init_extensions(app: Flask) -> None:
    """Bind every extension to `app` and load the models so metadata is complete."""
    import tourplanner.models  # noqa: F401  (registers every table)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    csrf.init_app(app)

    from tourplanner.accounts.models import User

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None
