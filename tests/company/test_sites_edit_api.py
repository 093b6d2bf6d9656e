"""Sites in the API, company side: new optional fields, PUT and PATCH, ROME codes, privacy."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from tests.company.conftest import KNOWN_ADDRESS, KNOWN_POINT
from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.sites.operations import Trade, details_of, parse_trades, update_site


def fields(response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["field"] for error in response.get_json()["errors"]}


def patch(api, path: str, body: dict):
    """PATCH /api/v1`path` as the api client's user."""
    return api.client.patch(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {api.token}"})


NEWCOMERS = {
    "photo_policy": "Photos interdites dans l'atelier d'usinage",
    "pay_range": "1 900 à 2 300 € brut par mois",
    "in_house_training": "Tutorat de trois mois, CQPM possible",
    "open_positions": "2 régleurs CN, 1 soudeur",
}


def test_post_site_takes_the_new_optional_fields(api_as, contact_a, geocoder) -> None:
    """POST /sites stores photo policy, pay range, training and open positions, and answers them."""
    api = api_as(contact_a)
    response = api.post(
        "/sites",
        json={
            "name": "Forge",
            "address": KNOWN_ADDRESS,
            **NEWCOMERS,
            "trades": ["H2903 Conduite d'équipement d'usinage", "Soudeur"],
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    for name, value in NEWCOMERS.items():
        assert body[name] == value
    assert body["trades_rome"] == [
        {"code": "H2903", "label": "Conduite d'équipement d'usinage"},
        {"code": None, "label": "Soudeur"},
    ]


def test_a_contract_body_still_creates_a_site(api_as, contact_a) -> None:
    """The contract's body (name, address, lat, lon) is complete: new fields default to empty."""
    response = api_as(contact_a).post("/sites", json={"name": "Forge", "address": "1 rue X", "lat": 45.7, "lon": 5.0})
    assert response.status_code == 201
    assert response.get_json()["pay_range"] is None


def test_patch_changes_only_the_fields_given(api_as, contact_a, site_a, db) -> None:
    """PATCH keeps what it does not name, including the coordinates of an unchanged address."""
    before = (site_a.lat, site_a.lon, site_a.address)
    api = api_as(contact_a)
    response = patch(api, f"/sites/{site_a.id}", {"pay_range": "2 000 €", "has_coach_parking": False})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["pay_range"] == "2 000 €" and body["has_coach_parking"] is False
    db.session.expire_all()
    assert site_a.has_bus_parking is False  # the API's has_coach_parking
    assert (body["lat"], body["lon"], body["address"]) == before
    assert body["name"] == "Atelier A"


def test_patch_with_a_new_address_geocodes_it(api_as, contact_a, site_a, geocoder) -> None:
    """A new address without lat/lon is geocoded by the configured geocoder."""
    api = api_as(contact_a)
    response = patch(api, f"/sites/{site_a.id}", {"address": KNOWN_ADDRESS})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["lat"], response.get_json()["lon"]) == KNOWN_POINT
    assert geocoder.calls == [KNOWN_ADDRESS]


def test_new_address_that_cannot_be_geocoded_is_refused(api_as, contact_a, site_a, geocoder, db) -> None:
    """422 naming address, lat and lon; the site keeps its old address."""
    api = api_as(contact_a)
    response = patch(api, f"/sites/{site_a.id}", {"address": "nulle part"})
    assert response.status_code == 422
    assert fields(response) == {"address", "lat", "lon"}
    db.session.expire_all()
    assert site_a.address != "nulle part"


def test_put_replaces_the_site_with_typed_coordinates(api_as, contact_a, site_a, db) -> None:
    """PUT with lat/lon stores them as typed, never geocoding; the change is audited."""
    api = api_as(contact_a)
    response = api.put(
        f"/sites/{site_a.id}",
        json={"name": "Atelier A2", "address": "Ailleurs", "lat": 45.5, "lon": 4.6, "photo_policy": "Autorisées"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["lat"], body["lon"], body["photo_policy"]) == ("Atelier A2", 45.5, 4.6, "Autorisées")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "site.update")) is not None


def test_put_names_every_faulty_field(api_as, contact_a, site_a) -> None:
    """422 naming each field that breaks a rule (lat without lon, unknown zone); too long a text too."""
    api = api_as(contact_a)
    response = api.put(f"/sites/{site_a.id}", json={"name": "A", "address": "B", "lat": 45.0, "zone_id": 999})
    assert response.status_code == 422
    assert fields(response) == {"lon", "zone_id"}
    response = api.put(f"/sites/{site_a.id}", json={"name": "A", "address": "B", "pay_range": "x" * 301})
    assert response.status_code == 422
    assert fields(response) == {"pay_range"}


def test_patch_null_clears_texts_but_not_the_name(api_as, contact_a, site_a) -> None:
    """null empties an optional text or the trades; a null name is 422 naming it."""
    api = api_as(contact_a)
    assert patch(api, f"/sites/{site_a.id}", {"pay_range": "2 000 €", "trades": ["Soudeur"]}).status_code == 200
    response = patch(api, f"/sites/{site_a.id}", {"pay_range": None, "trades": None})
    assert response.status_code == 200
    assert (response.get_json()["pay_range"], response.get_json()["trades"]) == (None, [])
    response = patch(api, f"/sites/{site_a.id}", {"name": None})
    assert response.status_code == 422 and fields(response) == {"name"}


def test_company_cannot_edit_another_companys_site(api_as, contact_a, site_b) -> None:
    """Another company's site answers 404, as an unknown one, for PUT and PATCH."""
    api = api_as(contact_a)
    assert api.put(f"/sites/{site_b.id}", json={"name": "X", "address": "Y", "lat": 1, "lon": 1}).status_code == 404
    response = patch(api, f"/sites/{site_b.id}", {"name": "X"})
    assert response.status_code == 404


def test_prescriber_cannot_edit_sites(api_as, site_a) -> None:
    """403 for roles that manage no site."""
    response = api_as(Role.PRESCRIBER).put(
        f"/sites/{site_a.id}", json={"name": "X", "address": "Y", "lat": 1, "lon": 1}
    )
    assert response.status_code == 403


def test_parse_trades_reads_rome_codes_where_given() -> None:
    """A leading ROME code is read apart; other lines keep their text; blank lines are dropped."""
    assert parse_trades("H2903 Conduite d'équipement d'usinage\n\nSoudeur\nH2913 - Soudage manuel") == [
        Trade("Conduite d'équipement d'usinage", "H2903"),
        Trade("Soudeur"),
        Trade("Soudage manuel", "H2913"),
    ]


def test_the_verb_places_a_new_address_sent_with_the_old_coordinates(contact_a, site_a, geocoder, db) -> None:
    """update_site itself: a form's changed address with the site's current coordinates is geocoded."""
    details = replace(details_of(site_a), address=KNOWN_ADDRESS, lat=round(site_a.lat, 6), lon=round(site_a.lon, 6))
    update_site(site_a, details, contact_a, geocoder, shown_coordinates=True)
    assert (site_a.lat, site_a.lon) == KNOWN_POINT and geocoder.calls == [KNOWN_ADDRESS]


def test_the_verb_keeps_coordinates_typed_in_the_api_even_the_current_ones(contact_a, site_a, geocoder, db) -> None:
    """update_site without shown_coordinates (the API): coordinates sent are kept as typed, never geocoding."""
    old = (site_a.lat, site_a.lon)
    update_site(site_a, replace(details_of(site_a), address=KNOWN_ADDRESS, lat=old[0], lon=old[1]), contact_a, geocoder)
    assert (site_a.lat, site_a.lon) == old and geocoder.calls == []


def test_the_verb_keeps_new_coordinates_typed_with_a_new_address(contact_a, site_a, geocoder, db) -> None:
    """update_site: coordinates other than the current ones are kept as typed, never geocoding."""
    details = replace(details_of(site_a), address=KNOWN_ADDRESS, lat=45.1, lon=4.9)
    update_site(site_a, details, contact_a, geocoder)
    assert (site_a.lat, site_a.lon) == (45.1, 4.9) and geocoder.calls == []


def test_the_edit_page_places_a_new_address_left_with_the_old_coordinates(
    client, sign_in, contact_a, site_a, geocoder, db
) -> None:
    """The page's edit form sends the coordinates it showed: unchanged with a new address, the address is placed."""
    old = (site_a.lat, site_a.lon)
    sign_in(contact_a)
    data = {"name": "Atelier A", "address": KNOWN_ADDRESS, "lat": str(old[0]), "lon": str(old[1])}
    assert client.post(f"/entreprise/sites/{site_a.id}/modifier", data=data).status_code == 302
    db.session.expire_all()
    assert (site_a.lat, site_a.lon) == KNOWN_POINT
