"""Cohorts through the API: an organiser runs a series end to end; bad input is a 422 naming every field."""

from __future__ import annotations

from tests.cohorts.conftest import paris
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail

BODY = {
    "title": "Made in Métal — cohorte de printemps",
    "weekday": 1,
    "start_time": "09:00",
    "end_time": "12:00",
    "first_day": "2027-01-05",
    "last_day": "2027-06-29",
    "place": {"name": "Pôle métal, Saint-Chamond", "lat": 45.475, "lon": 4.515},
    "seats": 10,
}


def test_an_organiser_runs_a_cohort_through_the_api(api_as, frozen_clock) -> None:
    """Create, publish, join, move a session, cancel one, take attendance twice: the referent is alerted once."""
    organiser = api_as(Role.ORGANISER)
    created = organiser.post("/cohorts", json=BODY)
    assert created.status_code == 201, created.get_json()
    cohort = created.get_json()
    assert cohort["start_time"] == "09:00" and cohort["school_zone"] == "A"
    sessions = cohort["sessions"]
    assert len(sessions) == 26 and sessions[6] == {
        "id": sessions[6]["id"],
        "planned_start": "2027-02-16T09:00:00+01:00",
        "start": "2027-02-16T09:00:00+01:00",
        "end": "2027-02-16T12:00:00+01:00",
        "status": "skipped",
        "reason": "vacances scolaires (Vacances d'hiver, zone A)",
        "place": None,
    }
    tour_id = cohort["tour_id"]
    assert organiser.post(f"/tours/{tour_id}/publish").status_code == 200
    referent = api_as(Role.PRESCRIBER, email="remi@example.fr")
    booking = referent.post(f"/tours/{tour_id}/bookings", json={"seats": 1, "participants": [{"name": "Nina Roux"}]})
    assert booking.get_json()["status"] == "confirmed"

    first, second, third = (s["id"] for s in sessions[:3])
    moved = organiser.post(
        f"/cohorts/{tour_id}/sessions/{third}/move",
        json={"start": "2027-01-20T09:00:00+01:00", "end": "2027-01-20T12:00:00+01:00"},
    )
    assert moved.status_code == 200 and moved.get_json()["start"] == "2027-01-20T09:00:00+01:00"
    cancelled = organiser.post(
        f"/cohorts/{tour_id}/sessions/{sessions[4]['id']}/cancel", json={"reason": "formateur absent"}
    )
    assert cancelled.get_json()["status"] == "cancelled"
    assert organiser.post(f"/cohorts/{tour_id}/sessions/{sessions[4]['id']}/cancel", json={}).status_code == 409

    too_early = organiser.put(
        f"/cohorts/{tour_id}/sessions/{first}/attendance",
        json={"marks": [{"participant_id": 1, "attendance": "absent"}]},
    )
    assert too_early.status_code == 409
    frozen_clock.move_to(paris(2027, 1, 13, 12))
    sheet = organiser.get(f"/cohorts/{tour_id}/sessions/{first}/attendance").get_json()
    [line] = sheet["participants"]
    assert (line["name"], line["referent"], line["attendance"]) == ("Nina Roux", referent.user.name, None)
    marks = {"marks": [{"participant_id": line["participant_id"], "attendance": "absent"}]}
    assert organiser.put(f"/cohorts/{tour_id}/sessions/{first}/attendance", json=marks).get_json()["alerts_sent"] == 0
    answer = organiser.put(f"/cohorts/{tour_id}/sessions/{second}/attendance", json=marks).get_json()
    assert answer["alerts_sent"] == 1 and answer["participants"][0]["absences_in_a_row"] == 2
    again = organiser.put(f"/cohorts/{tour_id}/sessions/{second}/attendance", json=marks).get_json()
    assert again["alerts_sent"] == 0
    assert (
        db.session.query(OutboxMail)
        .filter(OutboxMail.recipient == "remi@example.fr", OutboxMail.subject.like("Absences%"))
        .count()
        == 1
    )


def test_bad_input_names_every_field(api_as) -> None:
    """A weekday of 9, a missing place and seats of 0: one 422 naming the three fields; nothing created."""
    organiser = api_as(Role.ORGANISER)
    body = {**BODY, "weekday": 9, "seats": 0}
    del body["place"]
    response = organiser.post("/cohorts", json=body)
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"weekday", "seats", "place"}
    assert organiser.post("/cohorts", json={**BODY, "end_time": "08:00"}).get_json()["errors"] == [
        {"field": "end_time", "message": "la fin de séance doit suivre son début"}
    ]


def test_only_organisers_run_a_cohort(api_as) -> None:
    """A prescriber may read a published cohort but not create one, move a session or read its attendance (403);
    a draft is its organisers' alone (404)."""
    organiser = api_as(Role.ORGANISER)
    cohort = organiser.post("/cohorts", json=BODY).get_json()
    prescriber = api_as(Role.PRESCRIBER)
    assert prescriber.get(f"/cohorts/{cohort['id']}").status_code == 404
    assert organiser.post(f"/tours/{cohort['tour_id']}/publish").status_code == 200
    session = cohort["sessions"][0]["id"]
    assert prescriber.post("/cohorts", json=BODY).status_code == 403
    assert prescriber.get(f"/cohorts/{cohort['id']}").status_code == 200
    assert prescriber.get(f"/cohorts/{cohort['id']}/sessions/{session}/attendance").status_code == 403
    assert prescriber.post(f"/cohorts/{cohort['id']}/sessions/{session}/cancel", json={}).status_code == 403
    assert organiser.get("/cohorts/999999").status_code == 404


def test_a_cohort_is_not_created_as_a_plain_tour(api_as) -> None:
    """POST /tours with kind cohort: 422 on kind (a cohort needs its weekly rule, POST /cohorts)."""
    from tests.conftest import tour_body

    response = api_as(Role.ORGANISER).post("/tours", json=tour_body(kind="cohort"))
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["kind"]


def test_another_territory_s_organiser_may_not_run_the_cohort(api_as) -> None:
    """An organiser of another organisation (territory) is refused every management call on a published cohort
    (403) and does not even see a draft one (404); nothing changes."""
    organiser = api_as(Role.ORGANISER)
    other = api_as(Role.ORGANISER, organisation="Saint-Étienne Métropole – service emploi")
    cohort = organiser.post("/cohorts", json=BODY).get_json()
    tour_id, session_id = cohort["tour_id"], cohort["sessions"][0]["id"]
    assert other.get(f"/cohorts/{tour_id}").status_code == 404  # a draft is its own territory's
    assert organiser.post(f"/tours/{tour_id}/publish").status_code == 200
    assert other.get(f"/cohorts/{tour_id}").status_code == 200
    move = {"start": "2027-01-06T09:00:00+01:00", "end": "2027-01-06T12:00:00+01:00"}
    assert other.post(f"/cohorts/{tour_id}/sessions/{session_id}/move", json=move).status_code == 403
    assert other.post(f"/cohorts/{tour_id}/sessions/{session_id}/cancel", json={}).status_code == 403
    assert other.get(f"/cohorts/{tour_id}/sessions/{session_id}/attendance").status_code == 403
    assert organiser.get(f"/cohorts/{tour_id}").get_json()["sessions"][0]["status"] == "scheduled"
