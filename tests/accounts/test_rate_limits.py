"""Rate limits at their real defaults: sign-in requests per address and per client, API calls per token.

The other tests run with TOURPLANNER_RATELIMIT_ENABLED off (tests/conftest.py); these turn it
on and leave every limit at its default.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine

from tests.conftest import PARIS
from tests.pages.helpers import text_of
from tourplanner import create_app
from tourplanner.accounts.enums import Role
from tourplanner.config import DefaultConfig


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Limits on, at their defaults."""
    return {"RATELIMIT_ENABLED": True}


def ask_link(client, email: str, client_ip: str = "192.0.2.1", **headers: str):
    """POST /connexion from `client_ip`."""
    return client.post(
        "/connexion", data={"email": email}, headers=headers, environ_overrides={"REMOTE_ADDR": client_ip}
    )


def assert_french_429(response) -> int:
    """A French page answering 429 with Retry-After; returns the wait in seconds."""
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = text_of(response)
    assert "Trop de demandes" in page and "Réessayez dans" in page
    return int(response.headers["Retry-After"])


def test_the_defaults_are_on_and_documented_values() -> None:
    """Out of the box the limits are on: 5 links an hour per address, 20 per client, 300 API calls a minute."""
    assert DefaultConfig.RATELIMIT_ENABLED is True
    assert DefaultConfig.RATELIMIT_LOGIN_PER_ADDRESS == "5 per hour"
    assert DefaultConfig.RATELIMIT_LOGIN_PER_CLIENT == "20 per hour"
    assert DefaultConfig.RATELIMIT_API_PER_TOKEN == "300 per minute"


def test_five_links_an_hour_per_address(client) -> None:
    """The 6th request for one address within the hour gets a French 429 page with Retry-After, from any client."""
    for n in range(5):
        assert ask_link(client, "claire@example.fr", f"192.0.2.{n + 1}").status_code == 200
    wait = assert_french_429(ask_link(client, " Claire@Example.FR ", "198.51.100.7"))
    assert 3000 < wait <= 3601  # whole seconds, rounded up
    assert ask_link(client, "nadia@example.fr", "198.51.100.7").status_code == 200  # another address still may


def test_twenty_requests_an_hour_per_client(client) -> None:
    """One client asking for 21 different addresses within the hour is stopped at the 21st."""
    for n in range(20):
        assert ask_link(client, f"personne{n}@example.fr").status_code == 200
    assert_french_429(ask_link(client, "encore@example.fr"))
    assert ask_link(client, "encore@example.fr", "192.0.2.99").status_code == 200  # another client still may


def test_the_form_itself_is_not_limited(client) -> None:
    """Only requests for a link count: showing the form never answers 429."""
    for _ in range(25):
        assert client.get("/connexion").status_code == 200


def test_forwarded_addresses_are_ignored_without_trusted_proxies(client) -> None:
    """With PROXY_COUNT 0 (the default), X-Forwarded-For cannot dodge the per-client limit."""
    for n in range(20):
        assert ask_link(client, f"personne{n}@example.fr", X_Forwarded_For=f"203.0.113.{n}").status_code == 200
    assert_french_429(ask_link(client, "encore@example.fr", X_Forwarded_For="203.0.113.200"))


class TestBehindAProxy:
    """PROXY_COUNT 1: the client address is the one the proxy forwarded."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        """Limits on, one trusted proxy."""
        return {"RATELIMIT_ENABLED": True, "PROXY_COUNT": 1}

    def test_clients_behind_the_proxy_are_counted_apart(self, client) -> None:
        """Through one proxy, each forwarded client has its own 20 an hour."""
        for n in range(20):
            assert ask_link(client, f"a{n}@example.fr", "10.0.0.1", X_Forwarded_For="203.0.113.1").status_code == 200
        assert_french_429(ask_link(client, "a@example.fr", "10.0.0.1", X_Forwarded_For="203.0.113.1"))
        assert ask_link(client, "b@example.fr", "10.0.0.1", X_Forwarded_For="203.0.113.2").status_code == 200


def test_api_calls_per_token(api_as, client) -> None:
    """The 301st call within a minute with one token answers 429 problem+json with Retry-After; others go on."""
    api = api_as(Role.PRESCRIBER)
    for _ in range(300):
        assert api.get("/tours/999999").status_code == 404
    response = api.get("/tours/999999")
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 429 and "réessayez" in body["detail"]
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert api_as(Role.PRESCRIBER).get("/tours/999999").status_code == 404  # another token is not held back


def test_false_turns_every_limit_off(monkeypatch, database_url) -> None:
    """TOURPLANNER_RATELIMIT_ENABLED=false: the 6th request for an address and the 21st of a client pass."""
    monkeypatch.setenv("TOURPLANNER_RATELIMIT_ENABLED", "false")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})
    assert app.config["RATELIMIT_ENABLED"] is False
    client = app.test_client()
    with app.app_context():
        for n in range(22):
            assert ask_link(client, "claire@example.fr" if n < 6 else f"p{n}@example.fr").status_code == 200
        from tourplanner.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_retry_after_never_exceeds_the_window(api_as) -> None:
    """Calls within one second (clock frozen at .999 s): Retry-After is 60, not Flask-Limiter's int(reset) + 1 = 61."""
    with time_machine.travel(datetime(2027, 3, 9, 9, 0, 0, 999000, tzinfo=PARIS), tick=False):
        api = api_as(Role.PRESCRIBER)
        for _ in range(300):
            assert api.get("/tours/999999").status_code == 404
        response = api.get("/tours/999999")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
