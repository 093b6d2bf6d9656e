"""Signed links in mails: a questionnaire, an outcomes form or a visit assessment opens without signing in.

A link carries who it is for and what it opens, signed with the application's secret
key (itsdangerous); it expires after a while, and the answer it collects is still
once per person and moment.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tourplanner.errors import NotFound

#: How long a link stays valid, per purpose (seconds).
MAX_AGE = {
    "perception": 60 * 86400,
    "outcomes": 90 * 86400,
    "assessment": 60 * 86400,
}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"tourplanner.impact.{purpose}")


def make_token(purpose: str, **payload: Any) -> str:
    """A signed token for `purpose` carrying `payload`."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> dict[str, Any]:
    """The payload of a valid token; NotFound with a French reason otherwise."""
    try:
        payload = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise NotFound("ce lien a expiré ; demandez-en un nouveau à l'organisateur") from None
    except BadSignature:
        raise NotFound("ce lien n'est pas valide ; vérifiez qu'il est complet") from None
    if not isinstance(payload, dict):
        raise NotFound("ce lien n'est pas valide")
    return payload


def link(purpose: str, path: str, **payload: Any) -> str:
    """The absolute URL of a signed page: BASE_URL + path + token."""
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return f"{base}{path}{make_token(purpose, **payload)}"
