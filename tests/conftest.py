"""Fixtures: an app and an isolated database per test, clients, factories.

The database is SQLite in a temporary folder, or the PostgreSQL server named by
TOURPLANNER_TEST_DATABASE_URL (emptied between tests). Either way the schema comes from
the migrations, not from create_all, so the tests exercise what operators run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from werkzeug.serving import make_server

from tests.mail.smtp_sink import SmtpSink
from tourplanner import create_app
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.operations import create_api_token, create_user
from tourplanner.calendar.updates import stop_waiter
from tourplanner.extensions import db as _db
from tourplanner.mail.delivery import stop_delivery
from tourplanner.sites.models import Site, Slot
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails
from tourplanner.tours.models import Tour

PG_URL = os.environ.get("TOURPLANNER_TEST_DATABASE_URL")
#: The tours' zone: +01:00 in winter, +02:00 from the last Sunday of March to the last of October.
PARIS = ZoneInfo("Europe/Paris")


def _upgrade(url: str, instance: Path) -> None:
    """Create the schema at `url` by running the migrations."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x"})
    with app.app_context():
        if url.startswith("postgresql"):
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        _db.engine.dispose()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the timers the rate limiter's in-memory storage leaves behind, one per app.

    `limits`' MemoryStorage starts a non-daemon threading.Timer (0.01 s) and the interpreter
    waits for such threads at exit. Under libfaketime (.ci/run's summer pass) a timed wait on
    a lock never times out, so the run would print its summary and then never end.
    Cancelling wakes them at once.
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database: a SQLite file to copy per test, or the PostgreSQL URL."""
    folder = tmp_path_factory.mktemp("template")
    if PG_URL:
        _upgrade(PG_URL, folder)
        return PG_URL
    path = folder / "template.sqlite"
    _upgrade(f"sqlite:///{path}", folder)
    return str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A database for one test, empty but for the schema."""
    if PG_URL:
        yield PG_URL
        return
    path = tmp_path / "test.sqlite"
    shutil.copy(database_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, config_overrides: dict[str, Any]) -> Iterator[Flask]:
    """An application bound to the test's own database."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://tourplanner.test",
        "SMTP_HOST": None,
        "GEOCODER": "none",  # no network in tests: a test that geocodes installs its own
        "RATELIMIT_ENABLED": False,  # tests/accounts/test_rate_limits.py turns them on, at their defaults
        # Calendars are brought up to date right after each request (no burst window).
        "NOTIFY_DELAY_SECONDS": 0,
        "MAIL_DELIVERY": "sync",
    }
    config.update(config_overrides)
    app = create_app(config)
    with app.app_context():
        yield app
        stop_waiter(app)  # the calendar updates thread ends before its engine goes
        stop_delivery(app)  # and so do the outbox's threads
        _db.session.remove()
        if PG_URL:
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            with _db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask):
    """The SQLAlchemy extension, inside the test's app context."""
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


_counter = itertools.count(1)
#: The organisation of organisers made by make_user without one: the tests' single territory.
SHARED_ORGANISERS = "Organisateurs du territoire"


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user: make_user(Role.PRESCRIBER, organisation="Mission locale de Lyon")."""

    def make(
        role: Role = Role.PRESCRIBER,
        email: str | None = None,
        name: str | None = None,
        organisation: str | None = None,
        kind: OrganisationKind | None = None,
    ) -> User:
        n = next(_counter)
        if organisation is None:
            # Organisers share one organisation (one territory) unless told otherwise: they manage its tours.
            organisation = SHARED_ORGANISERS if role is Role.ORGANISER else f"Organisation {role.value} {n}"
        user = create_user(
            email or f"{role.value}{n}@example.fr",
            name or f"{role.label} {n}",
            role,
            organisation,
            kind,
        )
        _db.session.commit()
        return user

    return make


@pytest.fixture
def token_for(app: Flask) -> Callable[[User], str]:
    """An API token for a user."""

    def make(user: User) -> str:
        token = create_api_token(user)
        _db.session.commit()
        return token

    return make


class Api:
    """A JSON client for /api/v1 acting as one user."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, **kw: Any):
        return self.client.get(f"/api/v1{path}", headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, **kw: Any):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path: str, json: Any = None, **kw: Any):
        return self.client.put(f"/api/v1{path}", json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path: str, **kw: Any):
        return self.client.delete(f"/api/v1{path}", headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def api_as(client: FlaskClient, make_user: Callable[..., User], token_for: Callable[[User], str]) -> Callable[..., Api]:
    """An API client for a new user of `role`, or for a given user: api_as(Role.ORGANISER)."""

    def make(who: Role | User = Role.ORGANISER, **user_kw: Any) -> Api:
        user = who if isinstance(who, User) else make_user(who, **user_kw)
        api = Api(client, token_for(user))
        api.user = user  # type: ignore[attr-defined]
        return api

    return make


def future(days: int = 30, hour: int = 9, minute: int = 0) -> datetime:
    """The Paris wall-clock time hour:minute, `days` from today in Paris (whatever the season's offset)."""
    day = (datetime.now(PARIS) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def tour_body(**overrides: Any) -> dict[str, Any]:
    """A complete, valid POST /api/v1/tours body, a month from now."""
    body: dict[str, Any] = {
        "title": "ZI Tour Meyzieu – Décines",
        "start": future(30, 8, 30).isoformat(),
        "end": future(30, 17, 0).isoformat(),
        "meeting_point": {"name": "Gare de Lyon Part-Dieu, parvis Béraudier", "lat": 45.7606, "lon": 4.8593},
        "buses": [{"seats": 20}],
        "booking_deadline": future(25, 18, 0).isoformat(),
        "lunch": {"earliest": future(30, 12, 0).isoformat(), "latest": future(30, 13, 30).isoformat(), "minutes": 60},
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_tour(app: Flask, make_user: Callable[..., User]) -> Callable[..., Tour]:
    """Create a tour through the domain: make_tour(published=True, bus_seats=[20, 20])."""

    def make(published: bool = False, organiser: User | None = None, **overrides: Any) -> Tour:
        organiser = organiser or make_user(Role.ORGANISER)
        values: dict[str, Any] = {
            "title": "ZI Tour Vallée du Gier",
            "start": future(30, 8, 30),
            "end": future(30, 17, 0),
            "meeting_point_name": "Gare de Rive-de-Gier",
            "meeting_lat": 45.5281,
            "meeting_lon": 4.6186,
            "bus_seats": [20],
            "booking_deadline": future(25, 18, 0),
        }
        values.update(overrides)
        tour = tour_ops.create_tour(TourDetails(**values), organiser)
        if published:
            tour_ops.publish_tour(tour, organiser)
        _db.session.commit()
        return tour

    return make


@pytest.fixture
def make_site(app: Flask) -> Callable[..., Site]:
    """Create a company site: make_site(organisation=org, is_accessible=True)."""

    def make(organisation: Organisation | None = None, **overrides: Any) -> Site:
        n = next(_counter)
        if organisation is None:
            organisation = Organisation(name=f"Entreprise {n}", kind=OrganisationKind.COMPANY)
            _db.session.add(organisation)
        values: dict[str, Any] = {
            "name": f"Usine {n}",
            "address": "12 rue de l'Industrie, 69330 Meyzieu",
            # Within ~3 km of Meyzieu whatever the test order (the counter is global).
            "lat": 45.77 + (n % 25) * 0.001,
            "lon": 5.00 + (n % 25) * 0.001,
        }
        values.update(overrides)
        site = Site(organisation=organisation, **values)
        _db.session.add(site)
        _db.session.commit()
        return site

    return make


@pytest.fixture
def make_slot(app: Flask, make_site: Callable[..., Site]) -> Callable[..., Slot]:
    """Create a visit slot: make_slot(site=site, start=..., end=..., visit_minutes=60)."""

    def make(site: Site | None = None, **overrides: Any) -> Slot:
        values: dict[str, Any] = {
            "start_at": future(30, 9, 0),
            "end_at": future(30, 12, 0),
            "visit_minutes": 60,
            "max_visitors": 25,
        }
        values.update(overrides)
        slot = Slot(site=site or make_site(), **values)
        _db.session.add(slot)
        _db.session.commit()
        return slot

    return make


# --- Signing in: the real one-time link and its button.


def login_path(user: User) -> str:
    """The path of a fresh one-time sign-in link for `user`."""
    from tourplanner.accounts.operations import create_login_link

    token = create_login_link(user, timedelta(minutes=10))
    _db.session.commit()
    return f"/connexion/{token}"


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[User], None]:
    """Sign `user` in on the test client through a one-time link and its button (CSRF on or off)."""
    from tests.pages.helpers import csrf_from

    def do(user: User) -> None:
        # Requests of the test client share the test's app context, hence its `g`, where Flask-Login
        # keeps the user it loaded: a server gives each request its own. Sign in as a new visitor would.
        g.pop("_login_user", None)
        path = login_path(user)
        token = csrf_from(client.get(path).get_data(as_text=True))
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)

    return do


# --- Mail: a real SMTP server (aiosmtpd) on loopback; a folder's `config_overrides` points the app at it.


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    """An aiosmtpd server on 127.0.0.1, shared by the session."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpSink) -> SmtpSink:
    """The SMTP server, emptied for this test."""
    smtp_server.clear()
    return smtp_server


# --- Browser tests: one chromium for the run (Playwright's sync API allows a single instance).

#: axe-core, from the npm registry (package.json), injected into pages to check accessibility.
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run."""
    if not CHROMIUM.exists() or not AXE.exists():  # scripts/test installs both
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} and {AXE} are needed: run scripts/test, which installs them")
        pytest.skip(f"{CHROMIUM} or {AXE} missing: scripts/test installs them")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test's app served over HTTP on 127.0.0.1 (a free port) in a thread; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
