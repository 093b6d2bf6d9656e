"""Errors as problem+json under /api and as French pages elsewhere; never a bare 500."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, json, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from tourplanner.errors import DomainError, FieldError, InvalidInput
from tourplanner.extensions import db

log = logging.getLogger(__name__)

#: French titles of the HTTP errors we answer with.
TITLES = {
    400: "Requête illisible",
    401: "Authentification requise",
    403: "Action non autorisée",
    404: "Introuvable",
    405: "Méthode non autorisée",
    409: "Action impossible dans l'état actuel",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
}


def problem(status: int, detail: str, title: str | None = None, **extra: object) -> Response:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "status": status, "title": title or TITLES.get(status, "Erreur"), "detail": detail}
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tourplanner"'
    return response


def wants_problem() -> bool:
    """API calls get problem+json; pages get HTML."""
    return request.path.startswith("/api/") or request.path == "/healthz"


class StreamedBodyLimit:
    """WSGI middleware: a body sent without Content-Length (chunked) is read here up to the size limit.

    Werkzeug caps such a stream at MAX_CONTENT_LENGTH but then stops reading silently, so an
    oversized chunked body would reach the views truncated. Read at most limit + 1 bytes, and
    hand the application a body of known length: a larger one then answers 413 exactly like a
    body whose Content-Length is over the limit.
    """

    def __init__(self, wsgi_app: Any, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        streamed = not environ.get("CONTENT_LENGTH") and "wsgi.input_terminated" in environ
        if limit is not None and streamed:
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            # Over the limit: announce its (least) length; werkzeug answers 413 when the body is read.
            environ["wsgi.input"] = io.BytesIO(body if len(body) <= limit else b"")
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["wsgi.input_terminated"]
            environ.pop("HTTP_TRANSFER_ENCODING", None)  # werkzeug ignores Content-Length beside it
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream: Any, size: int) -> bytes:
    """Up to `size` bytes of `stream`, fewer only when it ends."""
    chunks = []
    while size > 0:
        chunk = stream.read(min(size, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def refuse_nul_in_form() -> None:
    """Pages: a form or query value with a NUL character is refused (422), as PostgreSQL would refuse it."""
    if request.path.startswith("/api/"):
        return  # the API checks its query and JSON body itself, after the token
    values = list(request.args.items(multi=True))
    if request.method in ("POST", "PUT", "PATCH"):
        values += list(request.form.items(multi=True))
    fields = sorted({name for name, value in values if "\x00" in name + value})
    if fields:
        raise InvalidInput(
            [FieldError(field, "ne doit pas contenir de caractère nul") for field in fields],
            detail="un champ contient un caractère nul, que tourplanner ne peut pas enregistrer : " + ", ".join(fields),
        )


def register(app: Flask) -> None:
    """Install the handlers on `app`, and the size limit on streamed bodies."""
    app.wsgi_app = StreamedBodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]
    app.before_request(refuse_nul_in_form)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        extra = {}
        if isinstance(error, InvalidInput):
            extra["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
        elif error.status == 422:  # a 422 always names its field(s), as the API promises
            extra["errors"] = [{"field": getattr(error, "field", "body"), "message": error.detail}]
        if wants_problem():
            return problem(error.status, error.detail, error.title, **extra)
        return render_template("error.html", status=error.status, title=error.title, detail=error.detail), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        detail = _french_detail(status, error)
        if wants_problem():
            response = problem(status, detail)
            for name, value in error.get_headers():  # Allow on a 405, Retry-After on a 429 …
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        return render_template("error.html", status=status, title=TITLES.get(status, "Erreur"), detail=detail), status

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(error: Exception):
        # A number beyond what the database stores (an id of 30 digits, say): the input's fault.
        db.session.rollback()
        detail = "une valeur numérique dépasse ce que tourplanner peut enregistrer ; rien n'a été enregistré"
        if wants_problem():
            return problem(422, detail, errors=[{"field": "body", "message": detail}])
        return render_template("error.html", status=422, title=TITLES[422], detail=detail), 422

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("Unexpected error on %s %s", request.method, request.path)
        db.session.rollback()
        detail = "une erreur inattendue s'est produite ; rien n'a été enregistré"
        if wants_problem():
            return problem(500, detail)
        return render_template("error.html", status=500, title=TITLES[500], detail=detail), 500


def _french_detail(status: int, error: HTTPException) -> str:
    if getattr(error, "tourplanner_detail", None):
        return error.tourplanner_detail  # type: ignore[attr-defined]
    return {
        400: "la requête est illisible",
        401: "jeton manquant ou invalide : envoyez Authorization: Bearer <jeton>",
        403: "vous n'avez pas le droit de faire cela",
        404: "cette adresse ne correspond à rien",
        405: "méthode non autorisée sur cette adresse",
        413: "le corps de la requête dépasse la taille autorisée",
    }.get(status, error.description or "erreur")
