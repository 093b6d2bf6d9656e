"""Hostile input to the API: never a 500, the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import tour_body
from tourplanner.accounts.enums import Role


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """A small size limit, so an oversized body stays small in the tests."""
    return {"MAX_CONTENT_LENGTH": 20_000}


def post_raw(api: Any, path: str, data: str | bytes):
    """POST `data` as it is, declared as JSON."""
    return api.client.post(f"/api/v1{path}", data=data, headers=api._headers({"Content-Type": "application/json"}))


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("opening,closing", [("[", "]"), ('{"a":', "}")])
def test_deeply_nested_json_is_a_400(app, api_as, depth: int, opening: str, closing: str) -> None:
    """JSON nested 1,000 or 100,000 deep (within the size limit) answers 400, never a 500."""
    app.config["MAX_CONTENT_LENGTH"] = 2_000_000
    api = api_as(Role.ORGANISER)
    body = opening * depth + ("1" if opening != "[" else "") + closing * depth
    response = post_raw(api, "/tours", body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "imbriqué" in response.json["detail"]


def test_nesting_just_within_the_limit_is_read(api_as) -> None:
    """A body nested no deeper than the limit is validated normally (422 for its faults, not 400)."""
    api = api_as(Role.ORGANISER)
    body = tour_body(extra=[[[[["deep"]]]]])
    assert api.post("/tours", json=body).status_code == 201


@pytest.mark.parametrize("body", ["[]", "[1, 2]", "1", '"texte"', "null", "true"])
def test_a_body_that_is_not_an_object_is_a_400(api_as, make_tour, body: str) -> None:
    """A JSON body that is not an object answers 400 « le corps doit être un objet JSON », on any endpoint."""
    api = api_as(Role.ORGANISER)
    for path in ("/tours", f"/tours/{make_tour().id}/cancel"):
        response = post_raw(api, path, body)
        assert response.status_code == 400, (path, body)
        assert response.json["detail"] == "le corps doit être un objet JSON"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(api_as, constant: str) -> None:
    """NaN and Infinity, which Python's parser takes, are refused as unreadable JSON."""
    api = api_as(Role.ORGANISER)
    text = json.dumps(tour_body()).replace('"lat": 45.7606', f'"lat": {constant}')
    assert constant in text
    assert post_raw(api, "/tours", text).status_code == 400


def test_body_over_the_limit_with_content_length_is_a_413(api_as) -> None:
    """A body larger than MAX_CONTENT_LENGTH with a Content-Length answers 413 problem+json."""
    api = api_as(Role.ORGANISER)
    response = post_raw(api, "/tours", json.dumps(tour_body(description="x" * 30_000)))
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def _chunked_post(base_url: str, path: str, token: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST `body` to a real server with Transfer-Encoding: chunked and no Content-Length."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Authorization", f"Bearer {token}")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        for start in range(0, len(body), 4096):
            chunk = body[start : start + 4096]
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        connection.send(b"0\r\n\r\n")
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_chunked_body_over_the_limit_is_a_413(api_as, live_server) -> None:
    """A chunked body (no Content-Length) over the limit answers 413 like one with a Content-Length."""
    api = api_as(Role.ORGANISER)
    body = json.dumps(tour_body(description="x" * 30_000)).encode()
    status, answer = _chunked_post(live_server, "/api/v1/tours", api.token, body)
    assert status == 413
    assert answer["status"] == 413


def test_chunked_body_within_the_limit_is_read_whole(api_as, live_server) -> None:
    """A chunked body under the limit reaches the view whole: the tour is created."""
    api = api_as(Role.ORGANISER)
    body = json.dumps(tour_body(description="y" * 4_500)).encode()
    status, answer = _chunked_post(live_server, "/api/v1/tours", api.token, body)
    assert status == 201, answer
    assert answer["description"] == "y" * 4_500


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"buses": [{"seats": True}]}, "buses.0.seats"),
        ({"buses": [{"seats": "20"}]}, "buses.0.seats"),
        ({"buses": [{"seats": 20.0}]}, "buses.0.seats"),
        ({"meeting_point": {"name": "Gare", "lat": True, "lon": 4.8}}, "meeting_point.lat"),
        ({"max_seats_per_booking": False}, "max_seats_per_booking"),
    ],
)
def test_booleans_and_strings_are_not_numbers(api_as, overrides: dict[str, Any], field: str) -> None:
    """true/false or a numeric string where a number is expected answers 422 naming the field."""
    api = api_as(Role.ORGANISER)
    response = api.post("/tours", json=tour_body(**overrides))
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json["errors"]]


def test_booleans_are_not_seats_of_a_booking(api_as, make_tour) -> None:
    """ "seats": true on a booking answers 422 « seats »."""
    tour = make_tour(published=True)
    response = api_as(Role.PRESCRIBER).post(f"/tours/{tour.id}/bookings", json={"seats": True})
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": "seats", "message": "doit être un nombre entier"}]


def test_numbers_are_not_flags(api_as) -> None:
    """1 where true/false is expected answers 422."""
    api = api_as(Role.ORGANISER)
    org = api_as(Role.COMPANY).user.organisation_id
    body = {
        "name": "Usine",
        "address": "1 rue X, Lyon",
        "lat": 45.7,
        "lon": 4.8,
        "organisation_id": org,
        "is_accessible": 1,
    }
    response = api.post("/sites", json=body)
    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == ["is_accessible"]


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": "ZI\x00Tour"}, "title"),
        ({"meeting_point": {"name": "Gare\x00", "lat": 45.7, "lon": 4.8}}, "meeting_point.name"),
        ({"buses": [{"seats": 20, "label": "\x00"}]}, "buses.0.label"),
        ({"description": "a\x00b"}, "description"),
    ],
)
def test_nul_characters_are_refused_naming_the_field(api_as, overrides: dict[str, Any], field: str) -> None:
    """Text with a NUL character answers 422 naming the field, and nothing is written (PostgreSQL refuses it)."""
    api = api_as(Role.ORGANISER)
    response = api.post("/tours", json=tour_body(**overrides))
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": field, "message": "ne doit pas contenir de caractère nul"}]
    assert api.get("/tours").json["tours"] == []


def test_nul_in_a_query_parameter_is_refused(api_as) -> None:
    """A query parameter holding a NUL character answers 422 naming it."""
    response = api_as(Role.ORGANISER).get("/slots?status=off%00ered")
    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == ["status"]


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": "t" * 201}, "title"),
        ({"meeting_point": {"name": "n" * 201, "lat": 45.7, "lon": 4.8}}, "meeting_point.name"),
        ({"buses": [{"seats": 20, "label": "l" * 101}]}, "buses.0.label"),
    ],
)
def test_text_over_its_column_is_refused_by_the_application(api_as, overrides: dict[str, Any], field: str) -> None:
    """Text longer than its column answers 422 « est trop long » on every database."""
    response = api_as(Role.ORGANISER).post("/tours", json=tour_body(**overrides))
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": field, "message": "est trop long"}]


def test_text_at_its_column_length_is_stored(api_as) -> None:
    """Text exactly as long as its column is accepted and stored whole on every database."""
    api = api_as(Role.ORGANISER)
    body = tour_body(
        title="t" * 200,
        meeting_point={"name": "n" * 200, "lat": 45.7, "lon": 4.8},
        buses=[{"seats": 20, "label": "l" * 100}],
    )
    response = api.post("/tours", json=body)
    assert response.status_code == 201, response.json
    tour = api.get(f"/tours/{response.json['id']}").json
    assert (len(tour["title"]), len(tour["meeting_point"]["name"]), len(tour["buses"][0]["label"])) == (200, 200, 100)


def test_site_text_at_its_column_length_is_stored(api_as) -> None:
    """Every text field of a site at its column's length is accepted on every database."""
    company = api_as(Role.COMPANY)
    body = {
        "name": "n" * 200,
        "address": "a" * 300,
        "lat": 45.7,
        "lon": 4.8,
        "sector": "s" * 120,
        "protective_equipment": "p" * 300,
        "photo_policy": "f" * 300,
        "pay_range": "r" * 300,
        "trades": ["m" * 200],
    }
    response = company.post("/sites", json=body)
    assert response.status_code == 201, response.json
    for name, value in body.items():
        assert response.json[name] == value


@pytest.mark.parametrize("value", [2**31, 2**63, 10**30])
def test_ids_beyond_the_integer_range_in_a_body_are_422(api_as, value: int) -> None:
    """An id in a body beyond what INTEGER holds answers 422 on every database (PostgreSQL would overflow)."""
    response = api_as(Role.COMPANY).post(
        "/slots",
        json={
            "site_id": value,
            "start": "2027-03-09T09:00:00+01:00",
            "end": "2027-03-09T12:00:00+01:00",
            "visit_minutes": 60,
            "max_visitors": 10,
        },
    )
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": "site_id", "message": "doit être inférieur ou égal à 2147483647"}]


def test_counts_beyond_the_integer_range_are_422(api_as, make_site) -> None:
    """A count beyond INTEGER (max_visitors) answers 422 naming it, instead of a database overflow."""
    company = api_as(Role.COMPANY)
    site = make_site(organisation=company.user.organisation)
    response = company.post(
        "/slots",
        json={
            "site_id": site.id,
            "start": "2027-03-09T09:00:00+01:00",
            "end": "2027-03-09T12:00:00+01:00",
            "visit_minutes": 60,
            "max_visitors": 2**31,
        },
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == ["max_visitors"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("tail", ["", "/publish", "/bookings", "/itinerary"])
@pytest.mark.parametrize("tour_id", [2**31, 2**63, 10**30])
def test_ids_beyond_the_integer_range_in_a_path_are_404(api_as, method: str, tail: str, tour_id: int) -> None:
    """An id in a path beyond INTEGER answers 404 whatever the method."""
    api = api_as(Role.ORGANISER)
    response = api.client.open(f"/api/v1/tours/{tour_id}{tail}", method=method, json={}, headers=api._headers())
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    ["/bookings/{}", "/sites/{}", "/slots/{}/pause", "/visits/{}", "/participants/{}/attendance", "/slot-series/{}"],
)
def test_other_ids_beyond_the_integer_range_are_404(api_as, path: str) -> None:
    """Every object's id beyond INTEGER answers 404 on GET, POST, PUT, PATCH and DELETE alike."""
    api = api_as(Role.ORGANISER)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        response = api.client.open("/api/v1" + path.format(2**40), method=method, json={}, headers=api._headers())
        assert response.status_code == 404, (method, path)
