"""POST/GET /api/v1/sites: who creates sites for whom, coordinates typed or geocoded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.sites.conftest import KNOWN_ADDRESS, KNOWN_POINT, FakeGeocoder
from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation
from tourplanner.audit.models import AuditEntry
from tourplanner.sites.models import IndustrialZone, Site

#: The API's schemas of a whole site (bodies, answers, the kit's sites).
SITE_SCHEMAS = {"SiteIn", "SitePatch", "SiteOut", "KitSiteOut"}


def fields(response) -> set[str]:
    """The fields a 422 problem names."""
    return {error["field"] for error in response.get_json()["errors"]}


def site_body(**overrides) -> dict:
    """A complete site body with typed coordinates."""
    body = {
        "name": "Plasturgie du Rhône – atelier",
        "address": "12 rue de l'Industrie, 69330 Meyzieu",
        "lat": 45.7712,
        "lon": 5.0034,
    }
    body.update(overrides)
    return body


def test_company_creates_a_site_for_its_own_company(api_as, db, geocoder: FakeGeocoder) -> None:
    """201 with the id; the site belongs to the contact's company; typed coordinates are kept as is."""
    company = api_as(Role.COMPANY, organisation="Plasturgie du Rhône")
    response = company.post("/sites", json=site_body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    site = db.session.get(Site, body["id"])
    assert site.organisation_id == company.user.organisation_id == body["organisation_id"]
    assert (body["lat"], body["lon"]) == (45.7712, 5.0034)
    assert body["organisation"] == "Plasturgie du Rhône"


def test_typed_coordinates_never_call_the_geocoder(api_as, geocoder: FakeGeocoder) -> None:
    """With lat and lon, even an address the geocoder would refuse is accepted."""
    response = api_as(Role.COMPANY).post("/sites", json=site_body(address="Lieu-dit Les Granges, hameau sans numéro"))
    assert response.status_code == 201
    assert geocoder.calls == []


def test_address_without_coordinates_is_geocoded(api_as, geocoder: FakeGeocoder) -> None:
    """Without lat/lon, the geocoder places the site."""
    body = site_body(address=KNOWN_ADDRESS)
    del body["lat"], body["lon"]
    response = api_as(Role.COMPANY).post("/sites", json=body)
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["lat"], response.get_json()["lon"]) == KNOWN_POINT
    assert geocoder.calls == [KNOWN_ADDRESS]


def test_second_site_at_a_geocoded_address_uses_the_cache(api_as, geocoder: FakeGeocoder) -> None:
    """The geocoder is asked once per address, across requests."""
    company = api_as(Role.COMPANY)
    for name in ("Bâtiment A", "Bâtiment B"):
        assert company.post("/sites", json={"name": name, "address": KNOWN_ADDRESS}).status_code == 201
    assert geocoder.calls == [KNOWN_ADDRESS]


def test_address_not_found_without_coordinates_is_422(api_as, db, geocoder: FakeGeocoder) -> None:
    """The geocoder's French message, naming the address and the coordinates to give; nothing saved."""
    response = api_as(Role.COMPANY).post("/sites", json={"name": "Usine", "address": "nulle part"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert fields(response) == {"address", "lat", "lon"}
    assert "adresse introuvable : nulle part" in response.get_json()["detail"]
    assert db.session.scalar(select(Site)) is None


@pytest.mark.parametrize("config_overrides", [{"GEOCODER": "none"}])
def test_geocoder_none_requires_coordinates(api_as, config_overrides) -> None:
    """GEOCODER = "none": an address alone is refused with a message asking for lat/lon."""
    company = api_as(Role.COMPANY)
    response = company.post("/sites", json={"name": "Usine", "address": KNOWN_ADDRESS})
    assert response.status_code == 422
    assert {"lat", "lon"} <= fields(response)
    assert "indiquez lat et lon" in response.get_json()["detail"]
    assert company.post("/sites", json=site_body()).status_code == 201


def test_only_one_coordinate_is_422(api_as, geocoder: FakeGeocoder) -> None:
    """lat without lon names lon, and nothing is geocoded."""
    body = site_body(address=KNOWN_ADDRESS)
    del body["lon"]
    response = api_as(Role.COMPANY).post("/sites", json=body)
    assert response.status_code == 422
    assert fields(response) == {"lon"}
    assert geocoder.calls == []


def test_access_fields_are_stored_and_shown(api_as, db, geocoder: FakeGeocoder) -> None:
    """Accessibility, bus parking, protective equipment, notes, sector and trades round-trip."""
    extra = {
        "is_accessible": True,
        "has_coach_parking": False,
        "protective_equipment": "chaussures de sécurité, lunettes",
        "access_notes": "Entrée visiteurs côté parking nord",
        "sector": "plasturgie",
        "trades": ["Régleur sur presse à injecter (H3203)", "Conducteur de ligne"],
    }
    company = api_as(Role.COMPANY)
    created = company.post("/sites", json=site_body(**extra)).get_json()
    shown = company.get(f"/sites/{created['id']}").get_json()
    assert {key: shown[key] for key in extra} == extra
    assert db.session.get(Site, created["id"]).has_bus_parking is False  # the API's has_coach_parking


def test_the_api_keeps_its_published_name_for_bus_parking(client) -> None:
    """The OpenAPI document names a site's bus parking has_coach_parking, in bodies, answers and the kit."""
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    # Spectree names a schema "Model.hash" or, nested in another answer, "Outer.hash.Model".
    sites = {name: schema for name, schema in schemas.items() if name.split(".")[::2][-1] in SITE_SCHEMAS}
    assert {name.split(".")[0] for name in sites} >= {"SiteIn", "SitePatch", "SiteOut", "SiteList", "KitOut"}
    for name, schema in sites.items():
        assert "has_coach_parking" in schema["properties"] and "has_bus_parking" not in schema["properties"], name


def test_access_fields_default_sensibly(api_as, geocoder: FakeGeocoder) -> None:
    """A body with only the contract's fields is complete: not declared accessible, bus parking assumed."""
    shown = api_as(Role.COMPANY).post("/sites", json=site_body()).get_json()
    assert shown["is_accessible"] is False
    assert shown["has_coach_parking"] is True
    assert shown["trades"] == []


def test_organisers_site_without_organisation_belongs_to_a_company_named_as_the_site(
    api_as, db, geocoder: FakeGeocoder
) -> None:
    """The contract's body alone (name, address, coordinates) is complete for an organiser: 201, and the
    site belongs to a company organisation of the site's name, created once and reused."""
    organiser = api_as(Role.ORGANISER)
    body = {"name": "Plastiques du Rhône", "address": "12 rue Lumière, 69330 Meyzieu", "lat": 45.77, "lon": 5.0}
    first = organiser.post("/sites", json=body)
    assert first.status_code == 201, first.get_json()
    organisation = db.session.get(Organisation, first.get_json()["organisation_id"])
    assert (organisation.name, organisation.kind) == ("Plastiques du Rhône", OrganisationKind.COMPANY)
    second = organiser.post("/sites", json={"name": "Plastiques du Rhône", "address": KNOWN_ADDRESS})
    assert second.status_code == 201
    assert second.get_json()["organisation_id"] == organisation.id
    assert (second.get_json()["lat"], second.get_json()["lon"]) == KNOWN_POINT
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2  # the organiser's own + this one


def test_organisers_site_not_geocoded_creates_no_organisation(api_as, db, geocoder: FakeGeocoder) -> None:
    """A refused site (address not found, no coordinates) leaves no organisation behind; faults are named."""
    response = api_as(Role.ORGANISER).post("/sites", json={"name": "Fonderie Nouvelle", "address": "nulle part"})
    assert response.status_code == 422
    assert fields(response) == {"address", "lat", "lon"}
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Fonderie Nouvelle")) is None


def test_organisers_site_named_as_a_non_company_is_refused(api_as, make_user, geocoder: FakeGeocoder) -> None:
    """A site named as a prescribers' agency is not silently given to that agency: 422 on organisation_id."""
    agency = make_user(Role.PRESCRIBER, organisation="France Travail Vénissieux")
    response = api_as(Role.ORGANISER).post("/sites", json={"name": agency.organisation.name, "address": KNOWN_ADDRESS})
    assert response.status_code == 422
    assert fields(response) == {"organisation_id"}


def test_organiser_creates_a_site_for_a_named_organisation(api_as, make_user, geocoder: FakeGeocoder) -> None:
    """With organisation_id, the site belongs to that organisation; an unknown id is 422."""
    contact = make_user(Role.COMPANY, organisation="Aciéries du Gier")
    organiser = api_as(Role.ORGANISER)
    response = organiser.post("/sites", json=site_body(organisation_id=contact.organisation_id))
    assert response.status_code == 201
    assert response.get_json()["organisation_id"] == contact.organisation_id
    unknown = organiser.post("/sites", json=site_body(organisation_id=999999))
    assert unknown.status_code == 422
    assert fields(unknown) == {"organisation_id"}


def test_company_cannot_create_a_site_for_another_company(api_as, make_user, geocoder: FakeGeocoder) -> None:
    """A company contact naming another organisation is refused with 403; naming its own is fine."""
    other = make_user(Role.COMPANY)
    company = api_as(Role.COMPANY)
    assert company.post("/sites", json=site_body(organisation_id=other.organisation_id)).status_code == 403
    assert company.post("/sites", json=site_body(organisation_id=company.user.organisation_id)).status_code == 201


def test_company_contact_without_company_is_403(api_as, geocoder: FakeGeocoder) -> None:
    """A company account not attached to an organisation cannot create sites."""
    response = api_as(Role.COMPANY, organisation="").post("/sites", json=site_body())
    assert response.status_code == 403


def test_zone_must_exist(api_as, db, geocoder: FakeGeocoder) -> None:
    """A known industrial zone is stored; an unknown one is 422 naming zone_id."""
    zone = IndustrialZone(name="ZI Meyzieu", city="Meyzieu", territory="Lyon Est", lat=45.77, lon=5.0)
    db.session.add(zone)
    db.session.commit()
    company = api_as(Role.COMPANY)
    assert company.post("/sites", json=site_body(zone_id=zone.id)).get_json()["zone_id"] == zone.id
    response = company.post("/sites", json=site_body(zone_id=zone.id + 1))
    assert response.status_code == 422
    assert fields(response) == {"zone_id"}


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.AMBASSADOR])
def test_other_roles_cannot_create_sites(api_as, role: Role, geocoder: FakeGeocoder) -> None:
    """Prescribers and ambassadors get 403."""
    response = api_as(role).post("/sites", json=site_body())
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_no_token_is_401(client) -> None:
    """Without a bearer token: 401."""
    response = client.post("/api/v1/sites", json=site_body())
    assert response.status_code == 401


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": 12}, "name"),
        ({"name": ""}, "name"),
        ({"address": None}, "address"),
        ({"lat": "nord"}, "lat"),
        ({"lat": 91}, "lat"),
        ({"lon": -181}, "lon"),
        ({"is_accessible": "peut-être"}, "is_accessible"),
        ({"trades": "soudeur"}, "trades"),
        ({"organisation_id": "x"}, "organisation_id"),
    ],
)
def test_wrong_types_are_422_naming_the_field(api_as, overrides: dict, field: str, geocoder: FakeGeocoder) -> None:
    """Each ill-typed or out-of-range field is named in errors."""
    response = api_as(Role.COMPANY).post("/sites", json=site_body(**overrides))
    assert response.status_code == 422
    assert field in fields(response)


def test_missing_fields_are_all_named(api_as, geocoder: FakeGeocoder) -> None:
    """An empty object names name and address."""
    response = api_as(Role.COMPANY).post("/sites", json={})
    assert response.status_code == 422
    assert {"name", "address"} <= fields(response)


def test_malformed_json_is_400(api_as) -> None:
    """A body that is not JSON is 400, not 500."""
    company = api_as(Role.COMPANY)
    response = company.client.post(
        "/api/v1/sites", data="{name: ", headers={**company._headers(), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_site_creation_is_audited(api_as, db, geocoder: FakeGeocoder) -> None:
    """The audit trail records who created which site."""
    company = api_as(Role.COMPANY)
    site_id = company.post("/sites", json=site_body()).get_json()["id"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "site.create"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (company.user.id, "site", site_id)


def test_company_sees_only_its_own_sites(api_as, make_site, db) -> None:
    """GET /sites/{id} of another company's site is 404, like an unknown id; the list shows its own only."""
    company = api_as(Role.COMPANY)
    own = make_site(organisation=db.session.get(Organisation, company.user.organisation_id))
    other = make_site()
    assert company.get(f"/sites/{own.id}").status_code == 200
    assert company.get(f"/sites/{other.id}").status_code == 404
    assert company.get("/sites/999999").status_code == 404
    assert [site["id"] for site in company.get("/sites").get_json()["sites"]] == [own.id]


def test_organiser_sees_every_site(api_as, make_site) -> None:
    """Organisers read and list all sites."""
    first, second = make_site(), make_site()
    organiser = api_as(Role.ORGANISER)
    assert organiser.get(f"/sites/{first.id}").get_json()["name"] == first.name
    assert {site["id"] for site in organiser.get("/sites").get_json()["sites"]} == {first.id, second.id}


def test_prescriber_neither_reads_nor_lists_sites(api_as, make_site) -> None:
    """A site's detail is readable by those who may list sites: not prescribers (403 for both)."""
    site = make_site(is_accessible=True)
    prescriber = api_as(Role.PRESCRIBER)
    assert prescriber.get(f"/sites/{site.id}").status_code == 403
    assert prescriber.get("/sites").status_code == 403
