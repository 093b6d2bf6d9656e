"""The served OpenAPI document tells the truth about the answers the API really gives."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.api_input.openapi_fields import answer_schema, undocumented_fields
from tourplanner import demo
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.bookings.models import Booking
from tourplanner.extensions import db as _db
from tourplanner.sites.models import Slot, SlotSeries
from tourplanner.tours.models import Tour


@pytest.fixture
def document(client) -> dict[str, Any]:
    """The document as served."""
    return client.get("/api/v1/openapi.json").json


@pytest.fixture
def demo_loaded(app) -> None:
    """The demo data set, committed."""
    demo.load_demo()
    _db.session.commit()


def _user(role: Role) -> User:
    return _db.session.scalars(select(User).where(User.role == role).order_by(User.id)).first()


def _template(document: dict[str, Any], path: str, method: str) -> str:
    """The document's path template that `path` (under /api/v1) falls under."""
    for template in document["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path.split("?")[0]) and method.lower() in document["paths"][template]:
            return template
    raise AssertionError(f"{method} {path} is not in the document")


def _check(api: Any, document: dict[str, Any], method: str, path: str, body: Any = None) -> int:
    """Call the API and compare the answer with its documented schema; returns the status."""
    response = api.client.open(f"/api/v1{path}", method=method, json=body, headers=api._headers())
    template = _template(document, f"/api/v1{path}", method)
    schema = answer_schema(document, template, method, response.status_code, response.mimetype)
    assert schema is not None, (method, path, response.status_code, response.mimetype, "undocumented answer")
    missing = undocumented_fields(response.json, schema, document)
    assert not missing, (method, path, sorted({re.sub(r"\.\d+", "[]", name) for name in missing}))
    return response.status_code


def test_every_error_answer_is_problem_json(document) -> None:
    """Every error answer of every operation is application/problem+json with a problem schema; 401 and 429
    everywhere."""
    for path, operations in document["paths"].items():
        if path.endswith("/openapi.json"):
            continue
        for method, operation in operations.items():
            codes = operation["responses"]
            for required in ("401", "422", "429"):
                assert required in codes, (method, path, required)
            if method in ("post", "put", "patch"):
                assert "400" in codes and "413" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            assert "Retry-After" in codes["429"]["headers"]
            for code, answer in codes.items():
                if int(code) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"], (method, path, code)


def test_documented_answers_list_every_field(demo_loaded, api_as, document) -> None:
    """The real answers of the API (demo data, each role) carry no field their schema does not list."""
    organiser = api_as(_user(Role.ORGANISER))
    prescriber = api_as(_user(Role.PRESCRIBER))
    company = api_as(_user(Role.COMPANY))
    tour = next(t for t in _db.session.scalars(select(Tour).order_by(Tour.id)) if t.candidates)
    _check(organiser, document, "POST", f"/tours/{tour.id}/optimise", {})
    if tour.status.value == "draft":
        _check(organiser, document, "POST", f"/tours/{tour.id}/publish")
    booked = _check(
        prescriber,
        document,
        "POST",
        f"/tours/{tour.id}/bookings",
        {"seats": 2, "participants": [{"name": "Léa Martin", "email": "lea@example.fr"}]},
    )
    assert booked == 201
    booking = _db.session.scalars(select(Booking).order_by(Booking.id)).first()
    slot = _db.session.scalars(select(Slot).order_by(Slot.id)).first()
    for path in (
        "/tours",
        f"/tours/{tour.id}",
        f"/tours/{tour.id}/itinerary",
        f"/tours/{tour.id}/ambassadors",
        f"/tours/{tour.id}/bookings",
        f"/tours/{tour.id}/attendance",
        "/sites",
        f"/sites/{slot.site_id}",
        "/slots",
        "/slot-series",
        "/stats/no-shows",
        f"/bookings/{booking.id}",
        "/me/calendar",
    ):
        assert _check(organiser, document, "GET", path) < 500
    booker = api_as(booking.prescriber)
    for path in ("/me/bookings", f"/bookings/{booking.id}", f"/tours/{booking.tour_id}"):
        _check(booker, document, "GET", path)
    _check(prescriber, document, "GET", "/tours")
    company_user = (
        _db.session.scalars(
            select(User).where(User.role == Role.COMPANY, User.organisation_id == slot.site.organisation_id)
        ).first()
        or company.user
    )
    company = api_as(company_user)
    for path in ("/visits", "/sites", "/slots", "/slot-series"):
        _check(company, document, "GET", path)
    visits = company.get("/visits").json["visits"]
    if visits:
        _check(company, document, "GET", f"/visits/{visits[0]['id']}")
    series = _db.session.scalars(select(SlotSeries).order_by(SlotSeries.id)).first()
    if series is not None:
        _check(organiser, document, "GET", f"/slot-series/{series.id}")
    # Answers to changes, and errors.
    _check(organiser, document, "POST", f"/tours/{tour.id}/cancel", {})
    _check(booker, document, "DELETE", f"/bookings/{booking.id}")
    _check(organiser, document, "GET", f"/tours/{2**31 - 1}")
    _check(organiser, document, "POST", "/tours", {"title": ""})
