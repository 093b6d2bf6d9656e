"""The tour form finds the meeting point by address or on the map: no coordinates asked of people."""

from __future__ import annotations

from sqlalchemy import select

from tests.pages.helpers import text_of
from tests.pages.test_pages_tours import organiser, tour_form  # noqa: F401  (fixture)
from tests.sites.conftest import FakeGeocoder
from tests.tours.test_meeting_point_address import UnreachableGeocoder
from tourplanner.sites.geocoding import use_geocoder
from tourplanner.tours.models import Tour

STATION = "Place de la Gare, 69200 Vénissieux"
STATION_POINT = (45.7059, 4.887)
ELSEWHERE = "1 rue Ampère, 69330 Meyzieu"
ELSEWHERE_POINT = (45.78, 5.01)


def test_meeting_point_by_address_only(app, client, db, organiser):  # noqa: F811
    """Address given, latitude and longitude left empty: the tour is placed where the address is."""
    use_geocoder(app, FakeGeocoder({STATION: STATION_POINT}))
    response = client.post(
        "/tours/nouveau",
        data=tour_form(meeting_address=STATION, meeting_lat="", meeting_lon="", lunch_place="Cantine Renault Trucks"),
    )
    assert response.status_code == 302, text_of(response)
    tour = db.session.scalars(select(Tour)).one()
    assert (tour.meeting_lat, tour.meeting_lon, tour.meeting_address) == (*STATION_POINT, STATION)
    assert tour.lunch_place == "Cantine Renault Trucks"


def test_the_form_offers_a_map_and_no_required_coordinates(client, organiser):  # noqa: F811
    """The form has an address field and a map picker; latitude and longitude are marked optional."""
    html = text_of(client.get("/tours/nouveau"))
    assert 'id="meeting_address"' in html
    assert 'class="place-picker"' in html and 'data-lat-field="meeting_lat"' in html
    assert "Facultatif" in html


def test_unreachable_geocoder_is_a_french_message_with_what_to_do(app, client, db, organiser):  # noqa: F811
    """Service down: 422, the address field says to retry or tap the map; no tour written."""
    use_geocoder(app, UnreachableGeocoder())
    response = client.post("/tours/nouveau", data=tour_form(meeting_address=STATION, meeting_lat="", meeting_lon=""))
    html = text_of(response)
    assert response.status_code == 422
    assert '<p class="field-error" id="meeting_address-error">Le service de géocodage ne répond pas : réessayez' in html
    assert db.session.scalars(select(Tour)).first() is None


def test_neither_address_nor_point_is_refused(app, client, db, organiser):  # noqa: F811
    """No address and nothing picked: the address field asks for one."""
    use_geocoder(app, FakeGeocoder())
    response = client.post("/tours/nouveau", data=tour_form(meeting_lat="", meeting_lon=""))
    assert response.status_code == 422
    assert 'id="meeting_address-error">Indiquez l' in text_of(response)


def test_editing_the_address_moves_the_point(app, client, db, organiser):  # noqa: F811
    """On an edit, a new address with the old coordinates left in place is geocoded again."""
    use_geocoder(app, FakeGeocoder({STATION: STATION_POINT, ELSEWHERE: ELSEWHERE_POINT}))
    client.post("/tours/nouveau", data=tour_form(meeting_address=STATION, meeting_lat="", meeting_lon=""))
    tour = db.session.scalars(select(Tour)).one()
    form = tour_form(meeting_address=ELSEWHERE, meeting_lat=str(tour.meeting_lat), meeting_lon=str(tour.meeting_lon))
    response = client.post(f"/tours/{tour.id}/modifier", data=form)
    assert response.status_code == 302, text_of(response)
    tour = db.session.get(Tour, tour.id, populate_existing=True)
    assert (tour.meeting_lat, tour.meeting_lon) == ELSEWHERE_POINT
