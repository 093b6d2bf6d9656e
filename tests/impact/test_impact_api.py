"""The contract's impact endpoints: perception, outcomes, bilan."""

from __future__ import annotations

from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.impact.models import Outcome


def _seeded_api(seeded, api_as, who: str):
    return api_as(seeded.users[who])


def test_bilan_gives_the_contract_fields_with_the_definitions(seeded, api_as):
    """GET /bilan?from&to: the figures of the hand-made history, exactly the contract's fields (and more)."""
    body = api_as(Role.ORGANISER).get("/bilan?from=2027-01-01&to=2027-06-30").get_json()
    assert {
        k: body[k]
        for k in ("actions", "companies", "prescribers", "participants", "recruitments", "trainings", "internships")
    } == {
        "actions": 3,
        "companies": 3,
        "prescribers": 3,
        "participants": 7,
        "recruitments": 2,
        "trainings": 1,
        "internships": 1,
    }
    assert body["perception"]["prescribers"]["answered"] == 3
    assert body["perception"]["prescribers"]["improved"] == 1
    assert body["perception"]["companies"]["answered"] == 1
    assert body["perception"]["companies"]["improved"] == 1


def test_bilan_filters_by_territory_and_kind(seeded, api_as):
    """territory and kind narrow the actions."""
    api = api_as(Role.ORGANISER)
    assert api.get("/bilan?from=2027-01-01&to=2027-06-30&territory=Vall%C3%A9e%20du%20Gier").get_json()["actions"] == 1
    assert api.get("/bilan?from=2027-01-01&to=2027-06-30&kind=company_visit").get_json()["participants"] == 4


def test_bilan_is_for_organisers_and_checks_its_input(seeded, api_as):
    """403 for a prescriber; 422 naming the field for a bad or missing date, reversed dates, an unknown kind."""
    assert _seeded_api(seeded, api_as, "P1").get("/bilan?from=2027-01-01&to=2027-06-30").status_code == 403
    api = api_as(Role.ORGANISER)
    response = api.get("/bilan?from=2027-13-01&to=2027-06-30")
    assert response.status_code == 422
    assert any(e["field"].startswith("from") for e in response.get_json()["errors"])
    assert api.get("/bilan?to=2027-06-30").status_code == 422
    assert api.get("/bilan?from=2027-07-01&to=2027-06-30").status_code == 422
    assert api.get("/bilan?from=2027-01-01&to=2027-06-30&kind=picnic").status_code == 422


def test_perception_once_per_moment(seeded, api_as):
    """A booked prescriber answers before, then after; the same moment again is 409."""
    api = _seeded_api(seeded, api_as, "P2")  # answered "before" on T1 in the history
    tour = seeded.tours["T1"].id
    assert api.post(f"/tours/{tour}/perception", json={"moment": "before", "score": 4}).status_code == 409
    response = api.post(f"/tours/{tour}/perception", json={"moment": "after", "score": 5, "comment": "Bluffant"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["respondent"] == "prescriber"
    assert api.post(f"/tours/{tour}/perception", json={"moment": "after", "score": 1}).status_code == 409
    body = api_as(Role.ORGANISER).get("/bilan?from=2027-01-01&to=2027-06-30").get_json()
    assert body["perception"]["prescribers"] == {**body["perception"]["prescribers"], "answered": 4, "improved": 2}


def test_perception_is_for_booked_prescribers_and_visited_companies(seeded, api_as, make_user):
    """A visited company's contact answers (201); a prescriber without booking, an organiser: 403; bad score: 422."""
    tour = seeded.tours["T1"].id
    contact = _seeded_api(seeded, api_as, "Ulysse")
    assert (
        contact.post(f"/tours/{seeded.tours['T4'].id}/perception", json={"moment": "before", "score": 3}).status_code
        == 403
    )  # C1 not visited by T4
    stranger = api_as(Role.PRESCRIBER)
    assert stranger.post(f"/tours/{tour}/perception", json={"moment": "before", "score": 3}).status_code == 403
    assert (
        api_as(Role.ORGANISER).post(f"/tours/{tour}/perception", json={"moment": "before", "score": 3}).status_code
        == 403
    )
    response = _seeded_api(seeded, api_as, "P4").post(
        f"/tours/{seeded.tours['T5'].id}/perception", json={"moment": "during", "score": 7}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"moment", "score"}
    assert contact.post("/tours/999999/perception", json={"moment": "before", "score": 3}).status_code == 404


def test_outcomes_by_the_participants_prescriber_or_an_organiser(seeded, api_as):
    """Its prescriber and organisers record (201); another prescriber sees no such participant (404)."""
    farid = seeded.people["Farid"].id
    own = _seeded_api(seeded, api_as, "P3")
    response = own.post(
        f"/participants/{farid}/outcomes", json={"kind": "recruitment", "date": "2027-05-02", "contract": "cdi"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["contract"] == "cdi"
    assert (
        api_as(Role.ORGANISER)
        .post(f"/participants/{farid}/outcomes", json={"kind": "training", "date": "2027-05-03"})
        .status_code
        == 201
    )
    assert (
        _seeded_api(seeded, api_as, "P1")
        .post(f"/participants/{farid}/outcomes", json={"kind": "training", "date": "2027-05-03"})
        .status_code
        == 404
    )
    assert (
        _seeded_api(seeded, api_as, "Ulysse")
        .post(f"/participants/{farid}/outcomes", json={"kind": "training", "date": "2027-05-03"})
        .status_code
        == 403
    )
    bad = own.post(f"/participants/{farid}/outcomes", json={"kind": "holiday", "date": "demain"})
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"kind", "date"}
    wrong = own.post(
        f"/participants/{farid}/outcomes", json={"kind": "training", "date": "2027-05-03", "contract": "cdi"}
    )
    assert wrong.status_code == 422
    assert db.session.query(Outcome).filter_by(participant_id=farid).count() == 3  # 1 in the history + 2
    body = api_as(Role.ORGANISER).get("/bilan?from=2027-01-01&to=2027-06-30").get_json()
    assert (body["recruitments"], body["trainings"]) == (3, 2)
