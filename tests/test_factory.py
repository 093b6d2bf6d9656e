"""The app factory and its configuration."""

from __future__ import annotations

from pathlib import Path

from tourplanner import create_app


def test_testing_flag_comes_from_test_config(database_url: str) -> None:
    """The test dict overrides the defaults."""
    assert not create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"}).testing
    assert create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x"}).testing


def test_environment_variables_configure_the_app(monkeypatch, database_url: str) -> None:
    """TOURPLANNER_* variables are read by the factory."""
    monkeypatch.setenv("TOURPLANNER_BASE_URL", "https://tours.example.fr")
    monkeypatch.setenv("TOURPLANNER_MAIL_FROM", "noreply@example.fr")
    monkeypatch.setenv("TOURPLANNER_DATABASE_URL", database_url)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["BASE_URL"] == "https://tours.example.fr"
    assert app.config["MAIL_FROM"] == "noreply@example.fr"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


def test_contract_defaults(monkeypatch, database_url: str) -> None:
    """Without variables: the contract's defaults."""
    for name in ("BASE_URL", "MAIL_FROM", "TIMEZONE", "SMTP_HOST"):
        monkeypatch.delenv(f"TOURPLANNER_{name}", raising=False)
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["MAIL_FROM"] == "tourplanner@localhost"
    assert app.config["TIMEZONE"] == "Europe/Paris"
    assert not app.config["SMTP_HOST"]


def test_default_database_and_secret_live_in_the_instance_folder(monkeypatch) -> None:
    """The SQLite file and a persisted random secret are in the instance folder."""
    monkeypatch.delenv("TOURPLANNER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TOURPLANNER_SECRET_KEY", raising=False)
    first = create_app()
    second = create_app()
    instance = Path(first.instance_path)
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'tourplanner.sqlite'}"
    assert (instance / "secret_key").exists()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_healthz_answers_once_the_database_does(client) -> None:
    """GET /healthz is 200 {"status": "ok"}."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
