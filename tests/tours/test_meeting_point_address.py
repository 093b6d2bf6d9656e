"""The meeting point by address: coordinates are never required where the address resolves."""

from __future__ import annotations

import pytest

from tests.conftest import tour_body
from tests.sites.conftest import FakeGeocoder
from tourplanner.accounts.enums import Role
from tourplanner.errors import GeocodingError
from tourplanner.sites.geocoding import UNREACHABLE, use_geocoder
from tourplanner.tours.details import meeting_place
from tourplanner.tours.models import Tour

STATION = "Place Charles Béraudier, 69003 Lyon"
STATION_POINT = (45.7606, 4.8593)


class UnreachableGeocoder:
    """A geocoder whose service cannot be reached, as the BAN wrapper reports it."""

    def geocode(self, address: str) -> tuple[float, float]:
        """Always the French "cannot be reached" error."""
        raise GeocodingError(UNREACHABLE)


def fields(response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["field"] for error in response.get_json()["errors"]}


def test_meeting_point_by_address_alone(app, api_as) -> None:
    """name + address without lat/lon: 201, placed where the geocoder says, the address kept."""
    use_geocoder(app, FakeGeocoder({STATION: STATION_POINT}))
    body = tour_body(meeting_point={"name": "Gare Part-Dieu, parvis", "address": STATION})
    response = api_as(Role.ORGANISER).post("/tours", json=body)
    assert response.status_code == 201, response.get_json()
    point = response.get_json()["meeting_point"]
    assert (point["lat"], point["lon"], point["address"]) == (*STATION_POINT, STATION)


def test_contract_meeting_point_with_coordinates_never_calls_the_geocoder(app, api_as) -> None:
    """The contract's {name, lat, lon} stays complete: typed coordinates win, nothing is looked up."""
    fake = FakeGeocoder()
    use_geocoder(app, fake)
    response = api_as(Role.ORGANISER).post("/tours", json=tour_body())
    assert response.status_code == 201
    assert fake.calls == []


@pytest.mark.parametrize(
    "point, expected",
    [
        ({"name": "Gare"}, {"meeting_point.address"}),
        ({"name": "Gare", "lat": 45.7}, {"meeting_point.lon"}),
        (
            {"name": "Gare", "address": "nulle part"},
            {"meeting_point.address", "meeting_point.lat", "meeting_point.lon"},
        ),
    ],
)
def test_meeting_point_without_a_place_is_422(app, api_as, point, expected) -> None:
    """No address and no coordinates, half the coordinates, or an unknown address: 422 naming the fields."""
    use_geocoder(app, FakeGeocoder())
    response = api_as(Role.ORGANISER).post("/tours", json=tour_body(meeting_point=point))
    assert response.status_code == 422
    assert fields(response) == expected


def test_unreachable_geocoder_says_what_to_do_in_french(app, api_as) -> None:
    """The service down: 422 in French (retry, or place it on the map), never a system error text."""
    use_geocoder(app, UnreachableGeocoder())
    response = api_as(Role.ORGANISER).post("/tours", json=tour_body(meeting_point={"name": "Gare", "address": STATION}))
    assert response.status_code == 422
    messages = {error["field"]: error["message"] for error in response.get_json()["errors"]}
    assert "réessayez" in messages["meeting_point.address"] and "carte" in messages["meeting_point.address"]


def test_lunch_place_is_kept(api_as) -> None:
    """The lunch place the organiser chose is stored and shown with the lunch."""
    body = tour_body()
    body["lunch"]["place"] = "Restaurant d'entreprise Le Relais, Meyzieu"
    response = api_as(Role.ORGANISER).post("/tours", json=body)
    assert response.status_code == 201
    assert response.get_json()["lunch"]["place"] == "Restaurant d'entreprise Le Relais, Meyzieu"


def test_edited_coordinates_left_as_shown_follow_a_new_address(app) -> None:
    """meeting_place (the tour form's rule): a new address with the shown coordinates unchanged is geocoded again;
    coordinates moved with it are kept; on a new tour typed coordinates win."""
    fake = FakeGeocoder({STATION: STATION_POINT})
    tour = Tour(meeting_address="Gare de Rive-de-Gier", meeting_lat=45.5281, meeting_lon=4.6186)
    assert meeting_place(STATION, 45.5281, 4.6186, fake, tour) == STATION_POINT
    assert meeting_place(STATION, 45.70, 4.80, fake, tour) == (45.70, 4.80)
    assert meeting_place("Gare de Rive-de-Gier", 45.5281, 4.6186, fake, tour) == (45.5281, 4.6186)
    assert meeting_place(STATION, 45.5281, 4.6186, fake) == (45.5281, 4.6186)
    assert fake.calls == [STATION]
