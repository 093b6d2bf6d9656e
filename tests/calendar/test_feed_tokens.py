"""Calendar feed URLs: derived from the secret key, stored as a digest only, shown again on every call."""

from __future__ import annotations

import hashlib

from sqlalchemy import select, text

from tourplanner.accounts.enums import Role
from tourplanner.calendar import tokens
from tourplanner.calendar.models import CalendarToken


def secret_of(url: str) -> str:
    """The secret part of a feed URL."""
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_only_the_digest_is_stored(api_as, db) -> None:
    """The database holds the SHA-256 of the feed secret, never the secret itself."""
    api = api_as(Role.PRESCRIBER)
    secret = secret_of(api.get("/me/calendar").get_json()["url"])
    row = db.session.scalars(select(CalendarToken)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    dump = " ".join(str(value) for value in db.session.execute(text("SELECT * FROM calendar_tokens")).one())
    assert secret not in dump


def test_every_call_answers_the_same_working_url(api_as, client) -> None:
    """GET /me/calendar gives the same URL each time, and it serves the feed."""
    api = api_as(Role.AMBASSADOR)
    urls = {api.get("/me/calendar").get_json()["url"] for _ in range(3)}
    assert len(urls) == 1
    assert client.get("/calendar/" + secret_of(urls.pop()) + ".ics").status_code == 200


def test_renewing_starts_the_next_version(api_as, client, db) -> None:
    """Renewal: a new URL (version 2), shown again afterwards; the old URL answers 404."""
    api = api_as(Role.PRESCRIBER)
    old = api.get("/me/calendar").get_json()["url"]
    new = api.post("/me/calendar/renew").get_json()["url"]
    assert new != old and api.get("/me/calendar").get_json()["url"] == new
    assert client.get(f"/calendar/{secret_of(old)}.ics").status_code == 404
    assert client.get(f"/calendar/{secret_of(new)}.ics").status_code == 200
    versions = db.session.scalars(select(CalendarToken.version).where(CalendarToken.revoked_at.is_(None))).all()
    assert versions == [2]


def test_a_new_secret_key_keeps_the_old_url_working(app, db, make_user) -> None:
    """After SECRET_KEY changes, the page shows a new URL (one it can derive) and the URL given out before still
    works."""
    user = make_user(Role.COMPANY)
    before = tokens.feed_secret(user)
    db.session.commit()
    app.config["SECRET_KEY"] = "another-secret"
    after = tokens.feed_secret(user)
    db.session.commit()
    assert after != before and tokens.feed_secret(user) == after
    assert tokens.user_for_secret(before).id == user.id
    assert tokens.user_for_secret(after).id == user.id
    tokens.renew_feed_secret(user)
    db.session.commit()
    assert tokens.user_for_secret(before) is None and tokens.user_for_secret(after) is None


def test_secrets_differ_per_user_and_version(app) -> None:
    """The derivation depends on the user and the version."""
    assert len({tokens.derive_secret(1, 1), tokens.derive_secret(2, 1), tokens.derive_secret(1, 2)}) == 3
