"""Sessions end server-side; every answer carries the security headers; pages hold no inline script or style."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from flask import g

from tests.conftest import login_path
from tests.pages.helpers import text_of
from tourplanner import PROJECT_ROOT
from tourplanner.accounts.enums import Role
from tourplanner.accounts.operations import end_sessions
from tourplanner.calendar.tokens import feed_secret

TEMPLATES = PROJECT_ROOT / "routes" / "templates"
SCRIPTS = PROJECT_ROOT / "static" / "js"


def home(client):
    """GET / as a new request would see it on a server: no user remembered from a previous request.

    The test holds an app context, which the test client's requests share, so Flask-Login's
    cache of the loaded user (g._login_user) would outlive a request; a server starts each
    request with a fresh one, which loads the user from the session again.
    """
    g.pop("_login_user", None)
    return client.get("/")


def session_cookie(client) -> str:
    """The value of the client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_a_copied_session_stops_working_once_its_owner_signs_out(app, client, make_user, sign_in) -> None:
    """The cookie of a session that signed out opens nothing, even replayed by another client."""
    user = make_user(Role.PRESCRIBER)
    sign_in(user)
    stolen = session_cookie(client)
    assert client.post("/deconnexion").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert home(client).status_code == 302
    response = home(thief)
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def test_signing_out_ends_the_sessions_on_every_device(app, client, make_user, sign_in) -> None:
    """Signed in on a phone and a computer, signing out on one signs out the other too; others stay in."""
    user = make_user(Role.ORGANISER, name="Nadia Benali")
    other = make_user(Role.ORGANISER, name="Paul Girard")
    phone = app.test_client()
    computer = app.test_client()
    bystander = app.test_client()
    for device, who in ((phone, user), (computer, user), (bystander, other)):
        path = login_path(who)
        assert device.post(path).status_code == 302
    assert "Bonjour Nadia Benali" in text_of(home(phone))
    g.pop("_login_user", None)
    response = computer.post("/deconnexion", follow_redirects=True)
    assert "sur tous les autres" in text_of(response)
    assert home(phone).status_code == 302
    assert "Bonjour Paul Girard" in text_of(home(bystander))


def test_a_renewed_stamp_ends_the_session(db, client, make_user, sign_in) -> None:
    """The session must carry the user's current stamp: renewing it (sign out everywhere) ends the session."""
    user = make_user(Role.COMPANY)
    sign_in(user)
    assert home(client).status_code == 200
    end_sessions(user)
    db.session.commit()
    assert home(client).status_code == 302


def test_every_answer_carries_the_security_headers(app, db, client, make_user, api_as) -> None:
    """Pages, errors, the API, its problems, feeds, static files and /healthz: CSP, nosniff, Referrer-Policy."""
    api = api_as(Role.PRESCRIBER)
    secret = feed_secret(api.user)
    db.session.commit()
    answers = {
        "page": client.get("/connexion"),
        "redirect": client.get("/"),
        "page 404": client.get("/connexion/inconnu"),
        "api": api.get("/me/calendar"),
        "api 401": client.get("/api/v1/me/calendar"),
        "openapi": client.get("/api/v1/openapi.json"),
        "feed": client.get(f"/calendar/{secret}.ics"),
        "feed 404": client.get("/calendar/inconnu.ics"),
        "health": client.get("/healthz"),
        "static": client.get("/static/css/tourplanner.css"),
    }
    for what, response in answers.items():
        with response:
            policy = response.headers.get("Content-Security-Policy", "")
            assert "frame-ancestors 'none'" in policy, what
            assert "script-src 'self'" in policy and "style-src 'self'" in policy, what
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, what
            assert response.headers.get("X-Content-Type-Options") == "nosniff", what
            assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", what
    assert answers["feed"].status_code == 200 and answers["static"].status_code == 200


def test_the_map_tiles_host_may_serve_images(client) -> None:
    """The tile server of TILE_URL (subdomain placeholder as a wildcard) is the only other image source."""
    policy = client.get("/connexion").headers["Content-Security-Policy"]
    img = re.search(r"img-src ([^;]+)", policy).group(1).split()
    assert img == ["'self'", "data:", "https://tile.openstreetmap.org"]


class TestOtherTiles:
    """A tile server with subdomains."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        """Tiles from {s}.tiles.example.org."""
        return {"TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}

    def test_subdomains_become_a_wildcard(self, client) -> None:
        """{s} in the tile host is allowed as *."""
        assert (
            "img-src 'self' data: https://*.tiles.example.org;"
            in client.get("/connexion").headers["Content-Security-Policy"]
        )


class TestHttps:
    """Served under an https public URL."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        """BASE_URL in https."""
        return {"BASE_URL": "https://tourplanner.example.fr"}

    def test_cookies_are_secure(self, client, make_user, sign_in) -> None:
        """The session cookie is sent with Secure (and HttpOnly, SameSite=Lax)."""
        user = make_user(Role.PRESCRIBER)
        response = client.post(login_path(user))
        cookie = response.headers["Set-Cookie"]
        assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_cookies_are_not_secure_under_http(client, make_user) -> None:
    """Under an http public URL (a laptop), the cookie has no Secure flag, or the browser would drop it."""
    response = client.post(login_path(make_user(Role.PRESCRIBER)))
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


def test_templates_hold_no_inline_script_or_style() -> None:
    """No <script> without src (JSON data blocks aside), no <style>, no style= or on…= attribute: the CSP allows
    none."""
    offences = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offences.append(f"{template.name}: {tag}")
        if re.search(r"<style\b", text):
            offences.append(f"{template.name}: <style>")
        for attribute in re.findall(r"\s(style|on[a-z]+)\s*=", text):
            offences.append(f"{template.name}: {attribute}=")
    for script in sorted(SCRIPTS.rglob("*.js")):
        if re.search(r"style\s*=\s*\\?['\"]", script.read_text()):  # markup built with a style attribute
            offences.append(f"{script.name}: style attribute in markup")
    assert offences == []


def test_the_scan_finds_an_inline_style(tmp_path, monkeypatch) -> None:
    """The template scan above does see an offending template (so it can fail)."""
    (tmp_path / "bad.html").write_text('<p style="color: red">x</p><script>alert(1)</script>')
    monkeypatch.setattr(sys.modules[__name__], "TEMPLATES", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "SCRIPTS", tmp_path)
    with pytest.raises(AssertionError):
        test_templates_hold_no_inline_script_or_style()


def test_every_bus_colour_has_its_class() -> None:
    """Bus colours reach the pages as classes (no style attribute): each colour of the palette has one."""
    from tourplanner.tours.planning_queries import BUS_COLOURS

    css = (PROJECT_ROOT / "static" / "css" / "itinerary.css").read_text()
    for colour in BUS_COLOURS:
        assert f".colour-{colour[1:]} {{ --bus-colour: {colour}; }}" in css
