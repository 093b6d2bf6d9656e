"""The API's lists come a page at a time: limit, an opaque cursor, `next`; documented in the OpenAPI document."""

from __future__ import annotations

import pytest
import time_machine

from tests.perf_reads.conftest import add_bookings, at
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails


def walk(api, path: str, key: str, limit: int) -> list[list[int]]:
    """The ids of every page of `path`, following `next` until it is absent."""
    pages, cursor = [], None
    while True:
        query = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = api.get(path, query_string=query).get_json()
        pages.append([row["id"] for row in body[key]])
        cursor = body.get("next")
        if cursor is None:
            return pages
        assert len(pages) < 50


def test_pages_of_tours_cover_the_list_once_in_order(make_world, api_as) -> None:
    """Pages of 2 walk the 5 tours in start order, each once; the last page has no `next`."""
    world = make_world(5)
    api = api_as(db.session.merge(world.organiser))
    pages = walk(api, "/tours", "tours", 2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sum(pages, []) == world.tour_ids
    whole = api.get("/tours").get_json()
    assert "next" not in whole and [t["id"] for t in whole["tours"]] == world.tour_ids


def test_a_cursor_stays_right_when_tours_are_added_before_it(make_world, api_as) -> None:
    """A tour added before the cursor's place neither repeats nor shifts the next page (keyset, not offset)."""
    world = make_world(4)
    api = api_as(db.session.merge(world.organiser))
    first = api.get("/tours", query_string={"limit": 2}).get_json()
    organiser = db.session.merge(world.organiser)
    tour_ops.create_tour(
        TourDetails(
            title="Tour ajouté",
            start=at(5, 8, 30),
            end=at(5, 17),
            meeting_point_name="Gare",
            meeting_lat=45.7,
            meeting_lon=5.0,
            bus_seats=[10],
            booking_deadline=at(3, 18),
        ),
        organiser,
    )
    db.session.commit()
    second = api.get("/tours", query_string={"limit": 2, "cursor": first["next"]}).get_json()
    assert [t["id"] for t in second["tours"]] == world.tour_ids[2:4]


@pytest.mark.parametrize(
    "path, key, role", [("/sites", "sites", "o"), ("/slots", "slots", "o"), ("/visits", "visits", "c")]
)
def test_pages_of_sites_slots_and_visits_cover_each_list_once(path, key, role, make_world, api_as) -> None:
    """Sites, slots and a company's visits: pages of 2 hold every row of the whole list once, in its order."""
    world = make_world(5)
    user = db.session.merge(world.organiser if role == "o" else world.company)
    api = api_as(user)
    whole = [row["id"] for row in api.get(path, query_string={"limit": 200}).get_json()[key]]
    assert len(whole) >= 5
    pages = walk(api, path, key, 2)
    assert all(len(page) == 2 for page in pages[:-1])
    assert sum(pages, []) == whole


def test_pages_of_a_tours_bookings_keep_confirmed_then_waiting(make_world, api_as) -> None:
    """A tour's bookings by pages of 3: the same order as the whole list (confirmed, then the waiting list)."""
    world = make_world(1)
    add_bookings(world.tour_ids[0], world.prescriber, 6)
    api = api_as(db.session.merge(world.organiser))
    path = f"/tours/{world.tour_ids[0]}/bookings"
    whole = api.get(path).get_json()["bookings"]
    assert [b["status"] for b in whole] == ["confirmed"] * 4 + ["waitlisted"] * 4
    assert sum(walk(api, path, "bookings", 3), []) == [b["id"] for b in whole]
    positions = [
        b["waiting_position"]
        for b in api.get(
            path, query_string={"limit": 5, "cursor": api.get(path, query_string={"limit": 5}).get_json()["next"]}
        ).get_json()["bookings"]
    ]
    assert positions == [2, 3, 4]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "dix"}, "limit"),
        ({"cursor": "pas-un-curseur"}, "cursor"),
        ({"cursor": "WzEsMl0"}, "cursor"),  # [1,2]: not a (start, id) key
        ({"cursor": "WyJ4Il0"}, "cursor"),
    ],
)  # ["x"]: a key too short
@pytest.mark.parametrize("path", ["/tours", "/sites", "/slots"])
def test_a_bad_limit_or_cursor_is_a_422_naming_it(path, query, field, api_as) -> None:
    """Beyond 200, below 1, or a cursor we did not give: 422 problem+json naming the field, never a 500."""
    response = api_as(Role.ORGANISER).get(path, query_string=query)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [error["field"] for error in response.get_json()["errors"]] == [field]


def test_the_openapi_document_lists_limit_cursor_and_next(client) -> None:
    """Each paginated list documents its limit (≤ 200) and cursor parameters and the `next` of its answer."""
    document = client.get("/api/v1/openapi.json").get_json()
    for path, key in [
        ("/api/v1/tours", "TourList"),
        ("/api/v1/sites", "SiteList"),
        ("/api/v1/slots", "SlotList"),
        ("/api/v1/visits", "VisitList"),
        ("/api/v1/tours/{tour_id}/bookings", "BookingList"),
    ]:
        operation = document["paths"][path]["get"]
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert {"limit", "cursor"} <= set(parameters), path
        assert parameters["limit"]["schema"]["maximum"] == 200
        schemas = document["components"]["schemas"]
        name = next(name for name in schemas if name.split(".")[0] == key)
        assert "next" in schemas[name]["properties"] and "next" not in schemas[name].get("required", [])


def test_upcoming_leaves_out_the_tours_that_are_over(make_world, api_as) -> None:
    """`upcoming=true` lists only the tours that ended less than a day ago or later, in pages as the whole list."""
    world = make_world(3)  # on days 10, 11 and 12 after NOW, 08:30-17:00
    api = api_as(db.session.merge(world.organiser))
    # Day 11 at 20:00: tour 0 ended 27 hours ago, tour 1 three hours ago.
    with time_machine.travel(at(11, 20), tick=False):
        assert [t["id"] for t in api.get("/tours").get_json()["tours"]] == world.tour_ids
        upcoming = api.get("/tours", query_string={"upcoming": "true"}).get_json()
        assert [t["id"] for t in upcoming["tours"]] == world.tour_ids[1:]
        first = api.get("/tours", query_string={"upcoming": "true", "limit": 1}).get_json()
        following = api.get("/tours", query_string={"upcoming": "true", "limit": 1, "cursor": first["next"]})
        assert [t["id"] for t in first["tours"] + following.get_json()["tours"]] == world.tour_ids[1:]
        refused = api.get("/tours", query_string={"upcoming": "peut-être"})
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
