"""POST/GET /api/v1/slots and pause/resume: windows, overlaps, ownership."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import future
from tests.sites.conftest import slot_body
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import Organisation
from tourplanner.audit.models import AuditEntry
from tourplanner.sites.enums import SlotStatus
from tourplanner.sites.models import Slot


def fields(response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["field"] for error in response.get_json()["errors"]}


@pytest.fixture
def company(api_as):
    """A company contact's API client."""
    return api_as(Role.COMPANY)


@pytest.fixture
def own_site(company, make_site, db):
    """A site of the company contact's organisation."""
    return make_site(organisation=db.session.get(Organisation, company.user.organisation_id))


def test_company_offers_a_slot_at_its_site(company, own_site, db) -> None:
    """201 with status offered; times come back in local time; the slot is stored."""
    response = company.post("/slots", json=slot_body(own_site.id))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "offered"
    assert body["start"] == future(30, 9, 0).isoformat()
    assert body["end"] == future(30, 12, 0).isoformat()
    assert (body["site_id"], body["visit_minutes"], body["max_visitors"]) == (own_site.id, 90, 20)
    assert db.session.get(Slot, body["id"]).status is SlotStatus.OFFERED


def test_organiser_offers_a_slot_at_any_site(api_as, make_site) -> None:
    """Organisers may offer slots for any company's site."""
    response = api_as(Role.ORGANISER).post("/slots", json=slot_body(make_site().id))
    assert response.status_code == 201


def test_visit_as_long_as_its_window_is_fine(company, own_site) -> None:
    """A visit may fill its whole window: begin at start, end at end."""
    response = company.post("/slots", json=slot_body(own_site.id, visit_minutes=180))
    assert response.status_code == 201


def test_visit_longer_than_its_window_is_422(company, own_site) -> None:
    """A 181-minute visit in a 3-hour window names visit_minutes."""
    response = company.post("/slots", json=slot_body(own_site.id, visit_minutes=181))
    assert response.status_code == 422
    assert fields(response) == {"visit_minutes"}


def test_end_before_start_is_422(company, own_site) -> None:
    """end ≤ start names end."""
    for end in (future(30, 8, 0), future(30, 9, 0)):
        response = company.post("/slots", json=slot_body(own_site.id, end=end.isoformat(), visit_minutes=30))
        assert response.status_code == 422
        assert fields(response) == {"end"}


def test_window_in_the_past_is_422(company, own_site) -> None:
    """A window starting yesterday names start."""
    response = company.post(
        "/slots", json=slot_body(own_site.id, start=future(-1, 9, 0).isoformat(), end=future(-1, 12, 0).isoformat())
    )
    assert response.status_code == 422
    assert fields(response) == {"start"}


@pytest.mark.parametrize("max_visitors", [0, -3])
def test_max_visitors_must_be_positive(company, own_site, max_visitors: int) -> None:
    """max_visitors ≤ 0 names max_visitors."""
    response = company.post("/slots", json=slot_body(own_site.id, max_visitors=max_visitors))
    assert response.status_code == 422
    assert fields(response) == {"max_visitors"}


def test_visit_minutes_must_be_positive(company, own_site) -> None:
    """A zero-minute visit names visit_minutes."""
    response = company.post("/slots", json=slot_body(own_site.id, visit_minutes=0))
    assert response.status_code == 422
    assert fields(response) == {"visit_minutes"}


def test_every_faulty_field_is_named(company, own_site) -> None:
    """Several faults at once are all listed."""
    response = company.post(
        "/slots", json=slot_body(own_site.id, end=future(30, 8, 0).isoformat(), max_visitors=0, visit_minutes=-5)
    )
    assert response.status_code == 422
    assert fields(response) == {"end", "max_visitors", "visit_minutes"}


@pytest.mark.parametrize(
    "start, end",
    [((10, 0), (11, 30)), ((8, 0), (9, 30)), ((11, 0), (13, 0)), ((8, 0), (13, 0))],
)
def test_overlapping_slots_at_one_site_are_422(company, own_site, start, end) -> None:
    """A window meeting an existing one at the same site names start; nothing is added."""
    assert company.post("/slots", json=slot_body(own_site.id)).status_code == 201
    response = company.post(
        "/slots",
        json=slot_body(
            own_site.id, start=future(30, *start).isoformat(), end=future(30, *end).isoformat(), visit_minutes=60
        ),
    )
    assert response.status_code == 422
    assert fields(response) == {"start"}
    assert "chevauche" in response.get_json()["detail"]
    assert len(own_site.slots) == 1


def test_back_to_back_slots_and_other_sites_do_not_overlap(company, own_site, make_site, db) -> None:
    """A window starting when another ends is fine, and so is the same window at another site."""
    other_site = make_site(organisation=own_site.organisation)
    assert company.post("/slots", json=slot_body(own_site.id)).status_code == 201
    afternoon = slot_body(own_site.id, start=future(30, 12, 0).isoformat(), end=future(30, 15, 0).isoformat())
    assert company.post("/slots", json=afternoon).status_code == 201
    assert company.post("/slots", json=slot_body(other_site.id)).status_code == 201


def test_a_withdrawn_slot_frees_its_window(company, own_site, make_slot, db) -> None:
    """Only slots still holding their window (offered, paused, accepted) block a new one."""
    make_slot(site=own_site, start_at=future(30, 9, 0), end_at=future(30, 12, 0), status=SlotStatus.WITHDRAWN)
    assert company.post("/slots", json=slot_body(own_site.id)).status_code == 201
    make_slot(site=own_site, start_at=future(31, 9, 0), end_at=future(31, 12, 0), status=SlotStatus.PAUSED)
    response = company.post(
        "/slots",
        json=slot_body(
            own_site.id, start=future(31, 10, 0).isoformat(), end=future(31, 11, 0).isoformat(), visit_minutes=30
        ),
    )
    assert response.status_code == 422


def test_another_companys_site_is_404_like_an_unknown_one(company, make_site) -> None:
    """A company cannot offer slots at another company's site, nor learn that it exists."""
    site = make_site()
    foreign = company.post("/slots", json=slot_body(site.id))
    unknown = company.post("/slots", json=slot_body(999999))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json()["detail"].replace(str(site.id), "N") == unknown.get_json()["detail"].replace(
        "999999", "N"
    )
    assert site.slots == []


def test_unknown_site_is_404_for_organisers_too(api_as) -> None:
    """An unknown site_id answers 404 whoever asks."""
    assert api_as(Role.ORGANISER).post("/slots", json=slot_body(999999)).status_code == 404


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.AMBASSADOR])
def test_other_roles_cannot_offer_slots(api_as, make_site, role: Role) -> None:
    """Prescribers and ambassadors get 403."""
    assert api_as(role).post("/slots", json=slot_body(make_site().id)).status_code == 403


def test_no_token_is_401(client, make_site) -> None:
    """Without a bearer token: 401."""
    assert client.post("/api/v1/slots", json=slot_body(make_site().id)).status_code == 401


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"site_id": "abc"}, "site_id"),
        ({"start": "demain matin"}, "start"),
        ({"start": "2030-03-09T09:00:00"}, "start"),
        ({"end": 12}, "end"),
        ({"visit_minutes": 1.5}, "visit_minutes"),
        ({"visit_minutes": "longtemps"}, "visit_minutes"),
        ({"max_visitors": None}, "max_visitors"),
    ],
)
def test_wrong_types_are_422_naming_the_field(company, own_site, overrides: dict, field: str) -> None:
    """Ill-typed fields, naive times included, are named."""
    body = slot_body(own_site.id)
    body.update(overrides)
    response = company.post("/slots", json=body)
    assert response.status_code == 422
    assert field in fields(response)


def test_malformed_json_is_400(company) -> None:
    """A body that is not JSON is 400."""
    response = company.client.post(
        "/api/v1/slots", data="[1, 2", headers={**company._headers(), "Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_offering_is_audited(company, own_site, db) -> None:
    """The audit trail records the offer."""
    slot_id = company.post("/slots", json=slot_body(own_site.id)).get_json()["id"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "slot.offer"))
    assert (entry.actor_id, entry.object_id) == (company.user.id, slot_id)


def test_pause_and_resume(company, own_site, make_slot, db) -> None:
    """pause: offered → paused; resume: paused → offered; each audited."""
    slot = make_slot(site=own_site)
    paused = company.post(f"/slots/{slot.id}/pause")
    assert (paused.status_code, paused.get_json()["status"]) == (200, "paused")
    resumed = company.post(f"/slots/{slot.id}/resume")
    assert (resumed.status_code, resumed.get_json()["status"]) == (200, "offered")
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == slot.id)).all()
    assert {"slot.pause", "slot.resume"} <= set(actions)


def test_pause_twice_or_resume_an_offered_slot_is_409(company, own_site, make_slot) -> None:
    """The slot's state must allow the change."""
    slot = make_slot(site=own_site)
    assert company.post(f"/slots/{slot.id}/resume").status_code == 409
    assert company.post(f"/slots/{slot.id}/pause").status_code == 200
    assert company.post(f"/slots/{slot.id}/pause").status_code == 409


def test_accepted_slot_cannot_be_paused(company, own_site, make_slot) -> None:
    """A slot already in an itinerary is not paused behind the organiser's back."""
    slot = make_slot(site=own_site, status=SlotStatus.ACCEPTED)
    assert company.post(f"/slots/{slot.id}/pause").status_code == 409


def test_a_started_slot_cannot_be_resumed(company, own_site, make_slot, db) -> None:
    """Resuming a paused slot whose window has begun is 409."""
    slot = make_slot(site=own_site, status=SlotStatus.PAUSED, start_at=future(-1, 9, 0), end_at=future(-1, 12, 0))
    assert company.post(f"/slots/{slot.id}/resume").status_code == 409


def test_organiser_pauses_any_slot(api_as, make_slot) -> None:
    """Organisers may pause and resume every slot."""
    organiser = api_as(Role.ORGANISER)
    slot = make_slot()
    assert organiser.post(f"/slots/{slot.id}/pause").status_code == 200
    assert organiser.post(f"/slots/{slot.id}/resume").status_code == 200


def test_company_cannot_pause_another_companys_slot(company, make_slot) -> None:
    """Another company's slot is 404, like an unknown one, and stays offered."""
    slot = make_slot()
    assert company.post(f"/slots/{slot.id}/pause").status_code == 404
    assert company.post("/slots/999999/pause").status_code == 404
    assert slot.status is SlotStatus.OFFERED


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.AMBASSADOR])
def test_other_roles_cannot_pause(api_as, make_slot, role: Role) -> None:
    """Prescribers and ambassadors get 403 on pause and resume."""
    slot = make_slot()
    client = api_as(role)
    assert client.post(f"/slots/{slot.id}/pause").status_code == 403
    assert client.post(f"/slots/{slot.id}/resume").status_code == 403


def test_organisers_list_offered_slots_of_every_site(api_as, make_slot) -> None:
    """Organisers see offered slots only by default, every site's, in time order."""
    later = make_slot(start_at=future(32, 9, 0), end_at=future(32, 12, 0))
    sooner = make_slot(start_at=future(31, 9, 0), end_at=future(31, 12, 0))
    make_slot(status=SlotStatus.PAUSED)
    slots = api_as(Role.ORGANISER).get("/slots").get_json()["slots"]
    assert [slot["id"] for slot in slots] == [sooner.id, later.id]


def test_organisers_filter_by_status(api_as, make_slot) -> None:
    """?status=paused shows paused slots."""
    paused = make_slot(status=SlotStatus.PAUSED)
    make_slot()
    slots = api_as(Role.ORGANISER).get("/slots?status=paused").get_json()["slots"]
    assert [slot["id"] for slot in slots] == [paused.id]


def test_companies_list_all_their_slots_only(company, own_site, make_slot) -> None:
    """A company contact sees its own slots, paused ones too, never another company's."""
    offered = make_slot(site=own_site, start_at=future(31, 9, 0), end_at=future(31, 12, 0))
    paused = make_slot(site=own_site, start_at=future(32, 9, 0), end_at=future(32, 12, 0), status=SlotStatus.PAUSED)
    make_slot()
    slots = company.get("/slots").get_json()["slots"]
    assert [slot["id"] for slot in slots] == [offered.id, paused.id]


def test_list_filters_by_site_and_period(api_as, make_site, make_slot) -> None:
    """site_id keeps one site; from/to keep the slots whose window meets the period."""
    site = make_site()
    first = make_slot(site=site, start_at=future(31, 9, 0), end_at=future(31, 12, 0))
    second = make_slot(site=site, start_at=future(33, 9, 0), end_at=future(33, 12, 0))
    make_slot(start_at=future(31, 9, 0), end_at=future(31, 12, 0))
    organiser = api_as(Role.ORGANISER)
    ids = lambda path: [slot["id"] for slot in organiser.get(path).get_json()["slots"]]  # noqa: E731
    assert ids(f"/slots?site_id={site.id}") == [first.id, second.id]
    period = {"site_id": site.id, "from": future(31, 11, 0).isoformat(), "to": future(32, 0, 0).isoformat()}
    assert ids("/slots?" + "&".join(f"{k}={v}" for k, v in period.items())) == [first.id]
    assert ids(f"/slots?site_id={site.id}&from={future(32, 0, 0).isoformat().replace('+', '%2B')}") == [second.id]


def test_list_with_bad_filter_is_422(api_as) -> None:
    """A from that is no date is 422 naming from."""
    response = api_as(Role.ORGANISER).get("/slots?from=hier")
    assert response.status_code == 422
    assert fields(response) == {"from"}


def test_prescribers_cannot_list_slots(api_as) -> None:
    """The catalogue of slots is for organisers and companies: 403."""
    assert api_as(Role.PRESCRIBER).get("/slots").status_code == 403
