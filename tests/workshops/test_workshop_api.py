"""Workshops through the API: define, register (all or nothing, one per time slot, no overbooking), report."""

from __future__ import annotations

import base64
import threading

import time_machine

from tests.workshops.helpers import paris
from tourplanner.accounts.enums import Role
from tourplanner.workshops.models import WorkshopRegistration
from tourplanner.workshops.operations import REPORT_MAX_BYTES


def people(*names: str) -> dict:
    """A registration body naming these people (address: name@example.fr)."""
    return {"people": [{"name": name.capitalize(), "email": f"{name}@example.fr"} for name in names]}


def test_organiser_defines_workshops_side_by_side(organiser, event) -> None:
    """Two workshops in the same slot are listed with their theme, capacity and places left."""
    for theme in ("Recruter sans CV", "Accueillir en immersion"):
        response = organiser.post(
            f"/tours/{event.id}/workshops",
            json={
                "theme": theme,
                "capacity": 8,
                "start": paris(16, 9, 30).isoformat(),
                "end": paris(16, 11).isoformat(),
            },
        )
        assert response.status_code == 201, response.get_json()
    listed = organiser.get(f"/tours/{event.id}/workshops").get_json()["workshops"]
    assert [(w["theme"], w["capacity"], w["places_left"]) for w in listed] == [
        ("Accueillir en immersion", 8, 8),
        ("Recruter sans CV", 8, 8),
    ]
    assert listed[0]["start"] == "2027-03-16T09:30:00+01:00"


def test_only_a_workshop_event_has_workshops(organiser, make_tour) -> None:
    """A ZI Tour refuses workshops: 409 problem."""
    tour = make_tour(organiser=organiser.user, start=paris(16, 9), end=paris(16, 17), booking_deadline=paris(12, 18))
    response = organiser.post(
        f"/tours/{tour.id}/workshops",
        json={"theme": "X", "capacity": 3, "start": paris(16, 10).isoformat(), "end": paris(16, 11).isoformat()},
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"


def test_a_workshop_lies_within_the_event(organiser, event) -> None:
    """A workshop outside the event's hours is refused with 422 naming the field."""
    response = organiser.post(
        f"/tours/{event.id}/workshops",
        json={
            "theme": "Trop tard",
            "capacity": 3,
            "start": paris(16, 16).isoformat(),
            "end": paris(16, 18).isoformat(),
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "start"


def test_only_organisers_define_workshops(api_as, event) -> None:
    """A prescriber gets 403."""
    response = api_as(Role.PRESCRIBER).post(
        f"/tours/{event.id}/workshops",
        json={"theme": "X", "capacity": 3, "start": paris(16, 10).isoformat(), "end": paris(16, 11).isoformat()},
    )
    assert response.status_code == 403


def test_registration_is_all_or_nothing(api_as, make_workshop, db) -> None:
    """Three places, two taken: a request for two more registers nobody (409); one more fits."""
    workshop = make_workshop(capacity=3)
    prescriber = api_as(Role.PRESCRIBER)
    path = f"/tours/{workshop.tour_id}/workshops/{workshop.id}/registrations"
    assert prescriber.post(path, json=people("ana", "bob")).status_code == 201
    response = prescriber.post(path, json=people("cyd", "dan"))
    assert response.status_code == 409
    assert db.session.query(WorkshopRegistration).count() == 2
    assert prescriber.post(path, json=people("cyd")).status_code == 201
    listed = prescriber.get(f"/tours/{workshop.tour_id}/workshops").get_json()["workshops"][0]
    assert listed["places_left"] == 0 and len(listed["registrations"]) == 3


def test_one_workshop_per_time_slot(api_as, make_workshop) -> None:
    """A person registered for a workshop cannot take another overlapping it, but can take a later one."""
    morning = make_workshop(theme="Recruter sans CV", start=paris(16, 9, 30), end=paris(16, 11))
    beside = make_workshop(theme="Accueillir en immersion", start=paris(16, 10), end=paris(16, 11, 30))
    afternoon = make_workshop(theme="Former en interne", start=paris(16, 14), end=paris(16, 16))
    company = api_as(Role.COMPANY)
    base = f"/tours/{morning.tour_id}/workshops"
    assert company.post(f"{base}/{morning.id}/registrations", json=people("eve")).status_code == 201
    refused = company.post(f"{base}/{beside.id}/registrations", json=people("fay", "eve"))
    assert refused.status_code == 409 and "eve@example.fr" in refused.get_json()["detail"]
    assert company.post(f"{base}/{afternoon.id}/registrations", json=people("eve")).status_code == 201


def test_registrations_close_at_the_deadline(api_as, make_workshop) -> None:
    """After the event's booking deadline, 409."""
    workshop = make_workshop()
    prescriber = api_as(Role.PRESCRIBER)
    with time_machine.travel(paris(13, 9), tick=False):
        response = prescriber.post(
            f"/tours/{workshop.tour_id}/workshops/{workshop.id}/registrations", json=people("gus")
        )
    assert response.status_code == 409


def test_bad_people_are_named(api_as, make_workshop) -> None:
    """An address without @ and a person named twice: 422 with each field."""
    workshop = make_workshop()
    response = api_as(Role.PRESCRIBER).post(
        f"/tours/{workshop.tour_id}/workshops/{workshop.id}/registrations",
        json={
            "people": [
                {"name": "Hugo", "email": "hugo"},
                {"name": "Ida", "email": "ida@example.fr"},
                {"name": "Ida", "email": "IDA@example.fr"},
            ]
        },
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["people.0.email", "people.2.email"]


def test_no_overbooking_under_concurrent_requests(app, api_as, make_workshop, db) -> None:
    """Eight requests at once for a 3-place workshop: exactly three people registered (the tour's lock)."""
    workshop = make_workshop(capacity=3)
    clients = [api_as(Role.PRESCRIBER) for _ in range(8)]
    path = f"/tours/{workshop.tour_id}/workshops/{workshop.id}/registrations"
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def run(index: int) -> None:
        with app.app_context(), app.test_client() as client:
            barrier.wait()
            response = client.post(
                f"/api/v1{path}", json=people(f"p{index}"), headers={"Authorization": f"Bearer {clients[index].token}"}
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] * 3 + [409] * 5
    db.session.expire_all()
    assert db.session.query(WorkshopRegistration).count() == 3


def test_report_is_attached_after_the_workshop_and_read_by_those_registered(organiser, api_as, make_workshop) -> None:
    """Before it begins: 409. Afterwards the text and file are kept; registered people read them, others 403."""
    workshop = make_workshop()
    base = f"/tours/{workshop.tour_id}/workshops/{workshop.id}"
    prescriber, outsider = api_as(Role.PRESCRIBER), api_as(Role.PRESCRIBER)
    prescriber.post(f"{base}/registrations", json=people("jo"))
    pdf = b"%PDF-1.4 compte rendu"
    body = {
        "text": "## Idées\n- parrainage",
        "file": {
            "filename": "cr.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(pdf).decode(),
        },
    }
    assert organiser.put(f"{base}/report", json=body).status_code == 409
    assert prescriber.get(f"{base}/report").status_code == 404
    with time_machine.travel(paris(16, 12), tick=False):
        response = organiser.put(f"{base}/report", json=body)
    assert response.status_code == 200, response.get_json()
    report = prescriber.get(f"{base}/report").get_json()
    assert report["text"] == "## Idées\n- parrainage" and report["size"] == len(pdf)
    download = prescriber.get(f"{base}/report/file")
    assert download.data == pdf and download.mimetype == "application/pdf"
    assert outsider.get(f"{base}/report").status_code == 403
    assert outsider.get(f"{base}/report/file").status_code == 403


def test_a_report_file_is_size_limited(organiser, make_workshop, db) -> None:
    """A file one byte over the limit: 413 problem naming `file`, nothing kept."""
    workshop = make_workshop()
    big = base64.b64encode(b"x" * (REPORT_MAX_BYTES + 1)).decode()
    with time_machine.travel(paris(16, 12), tick=False):
        response = organiser.put(
            f"/tours/{workshop.tour_id}/workshops/{workshop.id}/report",
            json={"file": {"filename": "cr.txt", "content_base64": big}},
        )
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["field"] == "file"
    db.session.expire_all()
    assert not db.session.get(type(workshop), workshop.id).has_report


def test_workshop_endpoints_are_in_the_openapi_document(organiser) -> None:
    """The workshop endpoints are documented."""
    paths = organiser.get("/openapi.json").get_json()["paths"]
    assert "/api/v1/tours/{tour_id}/workshops/{workshop_id}/registrations" in paths
    assert "put" in paths["/api/v1/tours/{tour_id}/workshops/{workshop_id}/report"]


def test_a_registration_is_withdrawn_by_who_made_it(api_as, make_workshop) -> None:
    """Another prescriber gets 403; the one who registered frees the place."""
    workshop = make_workshop(capacity=1)
    path = f"/tours/{workshop.tour_id}/workshops/{workshop.id}/registrations"
    prescriber, other = api_as(Role.PRESCRIBER), api_as(Role.PRESCRIBER)
    registration_id = prescriber.post(path, json=people("kim")).get_json()["registrations"][0]["id"]
    assert other.delete(f"{path}/{registration_id}").status_code == 403
    assert prescriber.delete(f"{path}/{registration_id}").status_code == 204
    assert other.post(path, json=people("lou")).status_code == 201
