"""The JSON API under /api/v1: bearer tokens, validated bodies, problem+json errors."""

from __future__ import annotations

import copy
import functools
import json
import math
import time
from typing import Any

from flask import Blueprint, current_app, g, request
from limits import RateLimitItem
from limits import parse as parse_limit
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData
from werkzeug.exceptions import TooManyRequests

from routes.errors import problem
from routes.security import MIN_RETRY_AFTER_SECONDS
from tourplanner.accounts.models import User
from tourplanner.accounts.operations import TokenUser, digest, token_user
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


#: Endpoints that take no token.
PUBLIC_ENDPOINTS = {"api.openapi"}


class ApiRateLimited(TooManyRequests):
    """Past RATELIMIT_API_PER_TOKEN: answered 429 with Retry-After (`routes.security`)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        #: Seconds until the window lets a call through again.
        self.retry_after = retry_after


@api.before_request
def count_the_call() -> None:
    """The API's rate limit: at most RATELIMIT_API_PER_TOKEN calls per token (or per address without
    one) in any moving window; first, so that a 429 comes before a 401.

    Counted here, in Flask-Limiter's storage with the same moving window, rather than by a
    Flask-Limiter limit on the blueprint: its resolution of which limits apply to a request
    (routes, blueprints, exemptions, defaults, the limit's text parsed again) cost each API
    call about 0.3 ms of CPU, for one limit that is always the same."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return
    limit = _parsed_limit(config["RATELIMIT_API_PER_TOKEN"])
    window = _moving_window(limiter.storage)
    client = _api_client()
    if window.hit(limit, "api", client):
        return
    reset_at = window.get_window_stats(limit, "api", client).reset_time
    # Never beyond the window (a call made at .999 s of a 60 s window waits 60 s, not 61).
    raise ApiRateLimited(max(MIN_RETRY_AFTER_SECONDS, min(limit.get_expiry(), math.ceil(reset_at - time.time()))))


@limiter.request_filter
def _counted_by_the_api() -> bool:
    """Flask-Limiter leaves the API's calls alone (`count_the_call` counts them): no limit to resolve."""
    return request.blueprint == "api"


@functools.lru_cache(maxsize=8)
def _parsed_limit(text: str) -> RateLimitItem:
    """ "300 per minute" as `limits` counts it (parsed once per text)."""
    return parse_limit(text)


@functools.lru_cache(maxsize=8)
def _moving_window(storage: Storage) -> MovingWindowRateLimiter:
    """The moving window over the limiter's storage (one per storage: each app has its own)."""
    return MovingWindowRateLimiter(storage)


@api.before_request
def authenticate_and_read_body():
    """Check the bearer token, then that any body is JSON (401 and 400 come first)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    holder = token_user(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if holder is None:
        return problem(401, "jeton manquant ou invalide : envoyez Authorization: Bearer <jeton>")
    g.api_token_user = holder
    g.api_user = None  # the `User`, built on first need (current_user)
    _refuse_nul_in_query()
    if request.method in ("POST", "PUT", "PATCH") and request.content_length != 0:
        raw = request.get_data(cache=True)
        if raw.strip():
            if not request.is_json:
                return problem(400, "le corps doit être du JSON (Content-Type: application/json)")
            return _check_json_body(raw)
    return None


#: Deepest nesting of arrays and objects a body may have; no body of the API needs more than a few levels.
MAX_JSON_DEPTH = 32


def _refuse_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python's parser would take them)."""
    raise ValueError(f"{name} n'est pas une valeur JSON")


def _check_json_body(raw: bytes) -> Any:
    """400 for a body that is not a JSON object or nests too deep; 422 for text with a NUL character."""
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        return problem(400, f"le corps JSON est trop imbriqué (au plus {MAX_JSON_DEPTH} niveaux)")
    except ValueError as exc:
        return problem(400, f"le corps n'est pas du JSON lisible : {exc}")
    if not isinstance(body, dict):
        return problem(400, "le corps doit être un objet JSON")
    if json_depth(body) > MAX_JSON_DEPTH:
        return problem(400, f"le corps JSON est trop imbriqué (au plus {MAX_JSON_DEPTH} niveaux)")
    fields = nul_fields(body)
    if fields:
        raise InvalidInput([FieldError(field, NUL_MESSAGE) for field in fields])
    return None


#: Why text with a NUL character is refused (PostgreSQL cannot store it; SQLite could, so we refuse it for both).
NUL_MESSAGE = "ne doit pas contenir de caractère nul"


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (without recursion, whatever the depth)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def nul_fields(value: Any, path: str = "") -> list[str]:
    """The dotted paths (as in `errors`) of the strings and keys of `value` that hold a NUL character."""
    found = []
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                found.append(where or "body")
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                if "\x00" in key:
                    found.append(name)
                else:
                    stack.append((child, name))
        elif isinstance(item, list):
            stack.extend((child, f"{where}.{index}" if where else str(index)) for index, child in enumerate(item))
    return sorted(found)


def _refuse_nul_in_query() -> None:
    """422 naming the query parameters whose value holds a NUL character."""
    fields = sorted({name for name, value in request.args.items(multi=True) if "\x00" in name + value})
    if fields:
        raise InvalidInput([FieldError(field, NUL_MESSAGE) for field in fields])


def current_user() -> User:
    """The user the API token belongs to (built from the token's row on first call: no statement)."""
    user = g.api_user
    if user is None:
        user = g.api_user = g.api_token_user.as_user()
    return user


def current_token_user() -> TokenUser:
    """The user the API token belongs to, as plain values: for hot paths that need no `User` (a booking)."""
    return g.api_token_user


@api.get("/openapi.json")
@spec.validate(tags=["meta"], security={})
def openapi():
    """The OpenAPI 3 document, generated from the routes and their pydantic models."""
    return openapi_document()


def openapi_document() -> dict[str, Any]:
    """spectree's document, with the error answers every operation can give, as problem+json.

    The routes declare their own errors (403, 404, 409, 422 …); those the whole API shares —
    401 without a token, 400 and 413 for an unreadable or oversized body, 422 for a NUL in a
    query, 429 past the rate limit — are added here, so no operation can forget one.
    """
    from routes.api.schemas import FieldProblem, Problem, ValidationProblem
    from routes.errors import TITLES

    document = copy.deepcopy(spec.spec)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, ValidationProblem, FieldProblem):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        schemas[model.__name__] = schema
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            if path.endswith("/openapi.json"):
                operation["responses"] = {
                    "200": {
                        "description": "the OpenAPI 3 document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                }
                continue
            _optional_body(operation, document)
            statuses = {int(code) for code in operation.get("responses", {}) if code.isdigit() and int(code) >= 400}
            statuses |= {401, 422, 429}
            if method in ("post", "put", "patch"):
                statuses |= {400, 413}
            if "{" in path:
                statuses.add(404)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses[str(status)] = _problem_answer(status, TITLES.get(status, "Erreur"))
    return document


def _optional_body(operation: dict[str, Any], document: dict[str, Any]) -> None:
    """A body whose fields are all optional may be left out (the view then reads {}): say so."""
    body = operation.get("requestBody")
    if not body:
        return
    for media in body.get("content", {}).values():
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = document["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[-1], {})
        if schema.get("required"):
            return
    body["required"] = False


#: The methods of an OpenAPI path item.
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _problem_answer(status: int, title: str) -> dict[str, Any]:
    """An error answer: RFC 9457 problem+json; 422 names every faulty field."""
    model = "ValidationProblem" if status == 422 else "Problem"
    answer: dict[str, Any] = {
        "description": title,
        "content": {"application/problem+json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
    }
    if status == 401:
        answer["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}}
    if status == 429:
        answer["headers"] = {
            "Retry-After": {"schema": {"type": "string"}, "description": "seconds to wait before trying again"}
        }
    return answer
