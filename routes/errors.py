"""Errors as problem+json under /api and as French pages elsewhere; never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from tourplanner.errors import DomainError, InvalidInput
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


def register(app: Flask) -> None:
    """Install the handlers on `app`."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        extra = {}
        if isinstance(error, InvalidInput):
            extra["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
        if wants_problem():
            return problem(error.status, error.detail, error.title, **extra)
        return render_template("error.html", status=error.status, title=error.title, detail=error.detail), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        detail = _french_detail(status, error)
        if wants_problem():
            return problem(status, detail)
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
