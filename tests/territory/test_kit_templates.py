"""A tour from an imported template: territory A exports, B imports and creates a draft tour it then edits."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import PARIS
from tests.territory.test_kit import _empty_database
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.kit.models import TourTemplate
from tourplanner.timeutil import to_local
from tourplanner.tours.details import Lunch
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Tour
from tourplanner.trades.models import TourTrade
from tourplanner.trades.operations import set_tour_trades

#: The clock of these tests: Monday 11 January 2027, 9:00 in Paris.
NOW = datetime(2027, 1, 11, 9, 0, tzinfo=PARIS)


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Paris in 2027."""
    return datetime(2027, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def kit_of_a(make_user, make_tour, api_as):
    """Territory A's kit, exported through the API, from a tour with everything a template holds; then a fresh base."""
    with time_machine.travel(NOW, tick=False):
        organiser = make_user(Role.ORGANISER, email="julien@example.fr", organisation="Saint-Étienne Métropole")
        tour = make_tour(
            organiser=organiser,
            title="ZI Tour Vallée du Gier",
            kind=TourKind.COMPANY_VISIT,
            description="Deux usines de la vallée, un déjeuner sur place.",
            start=paris(2, 2, 8, 30),
            end=paris(2, 2, 16, 0),
            bus_seats=[20, 15],
            booking_deadline=paris(1, 28, 8, 30),
            lunch=Lunch(paris(2, 2, 12, 0), paris(2, 2, 12, 30), 60),
            lunch_place="Cantine des Forges",
            boarding_minutes=10,
            max_seats_per_booking=6,
            meeting_address="Place de la Gare, 42800 Rive-de-Gier",
        )
        set_tour_trades(tour, ["H2902", "I1304"], organiser)
        db.session.commit()
        kit = api_as(organiser).get("/kit").json
    _empty_database()
    return kit


def test_a_template_from_a_becomes_a_draft_tour_in_b(kit_of_a, make_user, api_as):
    """B imports A's kit, then creates a draft from the template: every setting follows, at B's chosen day."""
    with time_machine.travel(NOW, tick=False):
        organiser = make_user(Role.ORGANISER, email="lea@example.fr", organisation="Communauté de communes du Pilat")
        api = api_as(organiser)
        assert api.post("/kit", json=kit_of_a).json["templates_created"] == 1
        listed = api.get("/kit/templates")
        assert listed.status_code == 200
        [template] = listed.json["templates"]
        assert (template["name"], template["trades"]) == ("ZI Tour Vallée du Gier", ["H2902", "I1304"])
        # 30 March 2027 is after the change to summer time: the hours stay 8:30 in Paris.
        created = api.post(f"/kit/templates/{template['id']}/tours", json={"date": "2027-03-30"})
        assert created.status_code == 201, created.json
        assert created.json["status"] == "draft"
        tour = db.session.get(Tour, created.json["id"])
        assert (tour.title, tour.kind, tour.status, tour.organisation_id) == (
            "ZI Tour Vallée du Gier",
            TourKind.COMPANY_VISIT,
            TourStatus.DRAFT,
            organiser.organisation_id,
        )
        assert tour.description == "Deux usines de la vallée, un déjeuner sur place."
        assert (to_local(tour.start_at), to_local(tour.end_at)) == (paris(3, 30, 8, 30), paris(3, 30, 16, 0))
        assert to_local(tour.start_at).utcoffset().total_seconds() == 2 * 3600
        assert to_local(tour.booking_deadline_at) == paris(3, 25, 8, 30)
        assert [bus.seats for bus in tour.buses] == [20, 15]
        assert (to_local(tour.lunch_earliest_at), to_local(tour.lunch_latest_at), tour.lunch_minutes) == (
            paris(3, 30, 12, 0),
            paris(3, 30, 12, 30),
            60,
        )
        assert tour.lunch_place == "Cantine des Forges"
        assert (tour.meeting_point_name, tour.meeting_lat, tour.meeting_lon, tour.meeting_address) == (
            "Gare de Rive-de-Gier",
            45.5281,
            4.6186,
            "Place de la Gare, 42800 Rive-de-Gier",
        )
        assert (tour.boarding_minutes, tour.max_seats_per_booking) == (10, 6)
        codes = db.session.scalars(select(TourTrade.rome_code).where(TourTrade.tour_id == tour.id)).all()
        assert sorted(codes) == ["H2902", "I1304"]
        # Then it is a draft like any other: edited, then published.
        edited = api.put(
            f"/tours/{tour.id}",
            json={
                "title": "ZI Tour du Pilat",
                "start": paris(3, 30, 9, 0).isoformat(),
                "end": paris(3, 30, 16, 0).isoformat(),
                "meeting_point": {"name": "Gare de Pélussin", "lat": 45.42, "lon": 4.68},
                "buses": [{"seats": 30}],
                "booking_deadline": paris(3, 25, 18, 0).isoformat(),
            },
        )
        assert edited.status_code == 200, edited.json
        assert api.post(f"/tours/{tour.id}/publish").status_code == 200
        named = api.post(f"/kit/templates/{template['id']}/tours", json={"date": "2027-04-06", "title": "Pilat 2"})
        assert named.status_code == 201 and db.session.get(Tour, named.json["id"]).title == "Pilat 2"


def test_a_template_is_used_by_its_organisation_only_and_on_a_day_to_come(kit_of_a, make_user, api_as):
    """Another organisation's template is a 404; a past day or a bad date a 422, and no tour is created."""
    with time_machine.travel(NOW, tick=False):
        organiser = make_user(Role.ORGANISER, organisation="Communauté de communes du Pilat")
        api_as(organiser).post("/kit", json=kit_of_a)
        template = db.session.scalar(select(TourTemplate))
        stranger = api_as(make_user(Role.ORGANISER, organisation="Roannais Agglomération"))
        assert stranger.post(f"/kit/templates/{template.id}/tours", json={"date": "2027-03-30"}).status_code == 404
        assert stranger.get("/kit/templates").json == {"templates": []}
        api = api_as(organiser)
        past = api.post(f"/kit/templates/{template.id}/tours", json={"date": "2027-01-10"})
        assert past.status_code == 422 and [e["field"] for e in past.json["errors"]] == ["date"]
        assert api.post(f"/kit/templates/{template.id}/tours", json={"date": "mardi"}).status_code == 422
        assert api_as(Role.PRESCRIBER).get("/kit/templates").status_code == 403
        assert db.session.query(Tour).count() == 0


def test_the_kit_page_creates_a_draft_from_a_template(kit_of_a, make_user, api_as, client, sign_in):
    """The page's form creates the draft and opens its edit page; without a date it says so in French (422)."""
    with time_machine.travel(NOW, tick=False):
        organiser = make_user(Role.ORGANISER, organisation="Communauté de communes du Pilat")
        api_as(organiser).post("/kit", json=kit_of_a)
        template = db.session.scalar(select(TourTemplate))
        sign_in(organiser)
        page = client.get("/organisateur/kit").get_data(as_text=True)
        assert "Créer un tour brouillon" in page and "H2902, I1304" in page
        action = f"/organisateur/kit/modeles/{template.id}/tour"
        missing = client.post(action, data={"date": ""})
        assert missing.status_code == 422 and "Indiquez la date du tour" in missing.get_data(as_text=True)
        past = client.post(action, data={"date": "2027-01-04"})
        assert past.status_code == 422 and "Choisissez une date à venir" in past.get_data(as_text=True)
        assert db.session.query(Tour).count() == 0
        done = client.post(action, data={"date": "2027-02-16", "title": "ZI Tour du Pilat"})
        assert done.status_code == 302
        tour = db.session.scalar(select(Tour))
        assert done.headers["Location"].endswith(f"/tours/{tour.id}/modifier")
        edit = client.get(done.headers["Location"])
        assert edit.status_code == 200 and "ZI Tour du Pilat" in edit.get_data(as_text=True)
        assert (tour.title, to_local(tour.start_at)) == ("ZI Tour du Pilat", paris(2, 16, 8, 30))
