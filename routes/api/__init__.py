"""The JSON API under /api/v1: bearer tokens, validated bodies, problem+json errors."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, g, request
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from routes.errors import problem
from tourplanner.accounts.models import User
from tourplanner.accounts.operations import authenticate_token, digest
from tourplanner.errors import FieldError, InvalidInput
from tourplanner.extensions import limiter

#: Messages for pydantic's error types, in French; others fall back to pydantic's text.
PYDANTIC_MESSAGES = {
    "missing": "champ obligatoire",
    "int_parsing": "doit être un nombre entier",
    "int_type": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_parsing": "doit être un nombre",
    "float_type": "doit être un nombre",
    "string_type": "doit être une chaîne de caractères",
    "string_too_short": "ne peut pas être vide",
    "string_too_long": "est trop long",
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    "datetime_parsing": "doit être une date et heure ISO 8601 avec fuseau, ex. 2027-03-09T09:00:00+01:00",
    "datetime_type": "doit être une date et heure ISO 8601 avec fuseau, ex. 2027-03-09T09:00:00+01:00",
    "datetime_from_date_parsing": "doit être une date et heure ISO 8601 avec fuseau, ex. 2027-03-09T09:00:00+01:00",
    "timezone_aware": "doit indiquer son fuseau horaire, ex. 2027-03-09T09:00:00+01:00",
    "list_type": "doit être une liste",
    "too_short": "doit contenir au moins un élément",
    "model_type": "doit être un objet JSON",
    "dict_type": "doit être un objet JSON",
    "extra_forbidden": "champ inconnu",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "less_than": "doit être inférieur à {lt}",
    "enum": "valeur non reconnue ; valeurs possibles : {expected}",
    "value_error": "{error}",
    "value_error.email": "adresse e-mail invalide",
}


def _validation_hook(req: Any, resp: Any, error: Any, instance: Any, adapter: Any = None) -> None:
    """spectree calls this before a view: turn a validation error into our 422 problem."""
    if error is None:
        return
    field_errors = []
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ())) or "body"
        template = PYDANTIC_MESSAGES.get(item.get("type", ""))
        try:
            message = template.format(**item.get("ctx", {})) if template else item.get("msg", "invalide")
        except (KeyError, IndexError):
            message = item.get("msg", "invalide")
        field_errors.append(FieldError(location, message))
    raise InvalidInput(field_errors)


spec = SpecTree(
    "flask",
    title="tourplanner API",
    version="1",
    path="api/v1/apidoc",
    validation_error_status=422,
    before=_validation_hook,
    annotations=True,
    mode="strict",
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"bearer": []},
)

api = Blueprint("api", __name__, url_prefix="/api/v1")


def _api_client() -> str:
    """The rate limit key of an API call: its bearer token (by digest), else the client address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + digest(token.strip())
    return "client:" + (request.remote_addr or "")


limiter.limit(lambda: current_app.config["RATELIMIT_API_PER_TOKEN"], key_func=_api_client, scope="api")(api)

#: Endpoints that take no token.
PUBLIC_ENDPOINTS = {"api.openapi"}


@api.before_request
def authenticate_and_read_body():
    """Check the bearer token, then that any body is JSON (401 and 400 come first)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = authenticate_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        return problem(401, "jeton manquant ou invalide : envoyez Authorization: Bearer <jeton>")
    g.api_user = user
    if request.method in ("POST", "PUT", "PATCH") and request.content_length != 0:
        raw = request.get_data(cache=True)
        if raw.strip():
            if not request.is_json:
                return problem(400, "le corps doit être du JSON (Content-Type: application/json)")
            try:
                json.loads(raw)
            except ValueError as exc:
                return problem(400, f"le corps n'est pas du JSON lisible : {exc}")
    return None


def current_user() -> User:
    """The user the API token belongs to."""
    return g.api_user


@api.get("/openapi.json")
@spec.validate(tags=["meta"], security={})
def openapi():
    """The OpenAPI 3 document, generated from the routes and their pydantic models."""
    return spec.spec
