"""A company's visits in the API: what it sees, confirm, decline (organiser mailed, tour flagged, stops unchanged)."""

from __future__ import annotations

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail
from tourplanner.sites.enums import SlotStatus, VisitResponse
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Stop, Tour


def stop_rows(tour_id: int) -> list[tuple]:
    """The tour's itinerary as plain values, to compare before and after."""
    return [
        (s.id, s.bus_id, s.slot_id, s.position, s.arrival_at, s.start_at, s.end_at, s.departure_at)
        for s in db.session.scalars(select(Stop).where(Stop.tour_id == tour_id).order_by(Stop.id))
    ]


def test_company_sees_its_visit_with_group_bus_and_ambassadors(api_as, contact_a, site_a, make_visit) -> None:
    """GET /visits: date, arrival, visit times in local time, confirmed seats on the bus, bus and ambassador
    names."""
    stop = make_visit(site_a, seats=12)
    response = api_as(contact_a).get("/visits")
    assert response.status_code == 200
    [visit] = response.get_json()["visits"]
    assert visit["id"] == stop.id and visit["site"]["name"] == "Atelier A"
    assert visit["arrival"].endswith(("+01:00", "+02:00")) and visit["arrival"][11:16] == "09:50"
    assert (visit["start"][11:16], visit["end"][11:16]) == ("10:00", "11:30")
    assert visit["group_size"] == 12 and visit["bus_name"] == "Car 1"
    assert visit["ambassadors"] == ["Chloé Ambassadrice"]
    assert visit["company_response"] == "pending" and visit["is_answerable"] is True


def test_drafts_and_other_companies_visits_are_not_shown(
    api_as, contact_a, contact_b, site_a, site_b, make_visit
) -> None:
    """A's list holds A's published visits only; a draft or cancelled tour's visit stays hidden."""
    mine = make_visit(site_a)
    make_visit(site_b)
    draft = make_visit(site_a)
    db.session.get(Tour, draft.tour_id).status = TourStatus.DRAFT
    cancelled = make_visit(site_a)
    db.session.get(Tour, cancelled.tour_id).status = TourStatus.CANCELLED
    db.session.commit()
    api = api_as(contact_a)
    assert [v["id"] for v in api.get("/visits").get_json()["visits"]] == [mine.id]
    assert api.get(f"/visits/{draft.id}").status_code == 404


def test_another_company_cannot_see_or_answer_a_visit(api_as, contact_b, site_a, make_visit) -> None:
    """404 for B on A's visit, for reading, confirming and declining; nothing changes."""
    stop = make_visit(site_a)
    b = api_as(contact_b)
    assert b.get(f"/visits/{stop.id}").status_code == 404
    assert b.post(f"/visits/{stop.id}/confirm").status_code == 404
    assert b.post(f"/visits/{stop.id}/decline", json={}).status_code == 404
    db.session.expire_all()
    assert stop.company_response is VisitResponse.PENDING


def test_only_company_contacts_list_visits(api_as) -> None:
    """403 for a prescriber."""
    assert api_as(Role.PRESCRIBER).get("/visits").status_code == 403


def test_confirm_records_the_answer(api_as, contact_a, site_a, make_visit) -> None:
    """confirmed with its time; the slot is accepted; confirming again changes nothing."""
    stop = make_visit(site_a)
    api = api_as(contact_a)
    response = api.post(f"/visits/{stop.id}/confirm")
    assert response.status_code == 200
    assert response.get_json()["company_response"] == "confirmed" and response.get_json()["responded_at"]
    assert api.post(f"/visits/{stop.id}/confirm").status_code == 200
    db.session.expire_all()
    assert stop.slot.status is SlotStatus.ACCEPTED
    assert db.session.scalars(select(OutboxMail).where(OutboxMail.ics_method.is_(None))).all() == []


def test_decline_mails_the_organiser_flags_the_tour_and_keeps_the_stops(api_as, contact_a, site_a, make_visit) -> None:
    """The tour's organiser gets a French mail with the reason; needs_reoptimisation is set; the itinerary is
    untouched."""
    stop = make_visit(site_a)
    tour_id = stop.tour_id
    organiser = db.session.get(Tour, tour_id).created_by
    before = stop_rows(tour_id)
    response = api_as(contact_a).post(f"/visits/{stop.id}/decline", json={"reason": "Inventaire annuel ce jour-là"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["company_response"] == "declined"
    db.session.expire_all()
    assert stop_rows(tour_id) == before
    assert db.session.get(Tour, tour_id).needs_reoptimisation is True
    assert stop.decline_reason == "Inventaire annuel ce jour-là" and stop.slot.status is SlotStatus.DECLINED
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.ics_method.is_(None))).all()
    assert mail.recipient == organiser.email
    assert "Atelier A" in mail.subject and "décliné" in mail.body_text
    assert "Inventaire annuel ce jour-là" in mail.body_text and "ré-optimiser" in mail.body_text


def test_a_declined_visit_cannot_be_confirmed_or_declined_again(api_as, contact_a, site_a, make_visit) -> None:
    """409 both ways once declined; only one mail leaves."""
    stop = make_visit(site_a)
    api = api_as(contact_a)
    assert api.post(f"/visits/{stop.id}/decline", json={}).status_code == 200
    assert api.post(f"/visits/{stop.id}/confirm").status_code == 409
    assert api.post(f"/visits/{stop.id}/decline", json={}).status_code == 409
    assert len(db.session.scalars(select(OutboxMail).where(OutboxMail.ics_method.is_(None))).all()) == 1


def test_a_confirmed_visit_can_still_be_declined(api_as, contact_a, site_a, make_visit) -> None:
    """Plans change: confirm then decline is allowed and alerts the organiser."""
    stop = make_visit(site_a)
    api = api_as(contact_a)
    api.post(f"/visits/{stop.id}/confirm")
    assert api.post(f"/visits/{stop.id}/decline", json={"reason": "Panne"}).status_code == 200
    assert len(db.session.scalars(select(OutboxMail).where(OutboxMail.ics_method.is_(None))).all()) == 1


def test_a_finished_tours_visit_is_shown_but_not_answerable(api_as, contact_a, site_a, make_visit) -> None:
    """A done tour's visit is listed; answering it is 409."""
    stop = make_visit(site_a)
    db.session.get(Tour, stop.tour_id).status = TourStatus.DONE
    db.session.commit()
    api = api_as(contact_a)
    [visit] = api.get("/visits").get_json()["visits"]
    assert visit["is_answerable"] is False
    assert api.post(f"/visits/{stop.id}/confirm").status_code == 409


def test_decline_reason_too_long_is_refused(api_as, contact_a, site_a, make_visit) -> None:
    """422 naming reason; nothing recorded."""
    stop = make_visit(site_a)
    response = api_as(contact_a).post(f"/visits/{stop.id}/decline", json={"reason": "x" * 501})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["reason"]


def test_without_its_creator_a_decline_reaches_the_tours_own_territory_only(
    api_as, contact_a, site_a, make_visit, make_user
) -> None:
    """The creator gone, the mail goes to the active organisers who manage the tour, never to another territory's."""
    creator = make_user(Role.ORGANISER, name="Olivier Organisateur", organisation="Territoire Lyon")
    colleague = make_user(Role.ORGANISER, name="Léa Collègue", organisation="Territoire Lyon")
    make_user(Role.ORGANISER, name="Yves Ailleurs", organisation="Territoire Saint-Étienne")
    stop = make_visit(site_a, organiser=creator)
    assert db.session.get(Tour, stop.tour_id).organisation_id == colleague.organisation_id
    creator.is_active = False
    db.session.commit()
    response = api_as(contact_a).post(f"/visits/{stop.id}/decline", json={"reason": "Inventaire"})
    assert response.status_code == 200, response.get_json()
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.ics_method.is_(None))).all()
    assert [m.recipient for m in mails] == [colleague.email]
