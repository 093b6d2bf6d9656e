"""The secret in a personal calendar feed's URL: derived, never stored, looked up by digest.

The secret of version V of user U's feed is HMAC-SHA256(SECRET_KEY, "calendar-feed:U:V"),
base64url. Only its SHA-256 digest is stored (CalendarToken.token_hash), like an API token's,
so a copy of the database opens no feed; yet the URL can be shown again on every visit,
since the application can derive it again. Renewing revokes the current version and starts
the next one: the old URL answers 404 at once. Should SECRET_KEY change, the stored digest
no longer matches what can be derived: the next display starts a new version, and the URL
given out before keeps working until the person renews it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from tourplanner.accounts.models import User
from tourplanner.accounts.operations import digest
from tourplanner.calendar.models import CalendarToken
from tourplanner.db import utcnow
from tourplanner.extensions import db


def derive_secret(user_id: int, version: int) -> str:
    """The secret of version `version` of the user's feed URL."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(key, f"calendar-feed:{user_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def feed_secret(user: User) -> str:
    """The secret of the user's current feed URL, starting a version when none can be derived."""
    current = db.session.scalar(
        select(CalendarToken)
        .where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.version.desc(), CalendarToken.id.desc())
    )
    if current is not None:
        secret = derive_secret(user.id, current.version)
        if hmac.compare_digest(digest(secret), current.token_hash):
            return secret
    return _start_version(user)


def renew_feed_secret(user: User) -> str:
    """Revoke every feed URL of the user and return the secret of a new version."""
    now = utcnow()
    for token in db.session.scalars(
        select(CalendarToken).where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    db.session.flush()
    return _start_version(user)


def user_for_secret(secret: str) -> User | None:
    """The active user whose unrevoked feed URL carries `secret`, or None."""
    # One indexed statement (the digest is unique), built once: a feed is polled often, a 304 should cost little.
    return db.session.scalars(_user_for_digest(), {"token_hash": digest(secret)}).one_or_none()


@lru_cache(maxsize=1)
def _user_for_digest():
    """The active user whose unrevoked feed URL has the digest `token_hash` (a bound parameter)."""
    return (
        select(User)
        .join(CalendarToken, CalendarToken.user_id == User.id)
        .where(
            CalendarToken.token_hash == bindparam("token_hash"),
            CalendarToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )


def feed_url(secret: str) -> str:
    """The feed's address under BASE_URL."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/calendar/{secret}.ics"


def webcal_url(secret: str) -> str:
    """The same address with the webcal: scheme, which calendar apps open as a subscription."""
    return "webcal://" + feed_url(secret).split("://", 1)[1]


def _start_version(user: User) -> str:
    """Store the digest of the next version of the user's feed secret; returns the secret."""
    last = db.session.scalar(select(func.max(CalendarToken.version)).where(CalendarToken.user_id == user.id))
    version = (last or 0) + 1
    secret = derive_secret(user.id, version)
    try:
        with db.session.begin_nested():
            db.session.add(CalendarToken(user_id=user.id, token_hash=digest(secret), version=version))
    except IntegrityError:
        pass  # a simultaneous request stored this very version: its secret is the same
    return secret
