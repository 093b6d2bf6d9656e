"""The kit: a territory's zones, sites (no personal data) and tour templates, exported and imported elsewhere."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from tests.conftest import future
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import Organisation
from tourplanner.extensions import db
from tourplanner.kit.models import TourTemplate
from tourplanner.sites.models import IndustrialZone, Site

PERSONAL = ("Paul Martin", "06 12 34 56 78", "paul.martin@forges-du-gier.fr", "Écrire à rh@forges-du-gier.fr")


def _territory(make_user, make_tour, make_site):
    """Saint-Étienne's organiser with a zone of the Vallée du Gier, a site with contacts, a tour and another zone."""
    organiser = make_user(Role.ORGANISER, email="julien@example.fr", organisation="Saint-Étienne Métropole")
    gier = IndustrialZone(name="ZI du Gier", city="Rive-de-Gier", territory="Vallée du Gier", lat=45.53, lon=4.62)
    lyon = IndustrialZone(name="ZI Meyzieu", city="Meyzieu", territory="Lyon Est", lat=45.77, lon=5.0)
    db.session.add_all([gier, lyon])
    company = Organisation(name="Forges du Gier", kind="company")
    db.session.add(company)
    make_site(
        organisation=company,
        name="Forges du Gier – atelier",
        zone=gier,
        sector="métallurgie",
        trades="Forgeron (H2902)",
        pay_range="1 900 € brut",
        has_bus_parking=False,
        contact_name=PERSONAL[0],
        contact_phone=PERSONAL[1],
        visitor_contacts=PERSONAL[2],
        how_to_apply=PERSONAL[3],
    )
    make_site(name="Plastiques de Meyzieu", zone=lyon)
    make_tour(
        organiser=organiser,
        title="ZI Tour Vallée du Gier",
        bus_seats=[20, 15],
        start=future(30, 8, 30),
        end=future(30, 16, 0),
    )
    db.session.commit()
    return organiser


def _empty_database() -> None:
    """Delete every row: the next import lands in a fresh database."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_kit_round_trip_into_a_fresh_database(make_user, make_tour, make_site, runner, tmp_path):
    """Export by CLI, import into an empty database: zones, sites and templates arrive; no personal data travels."""
    organiser = _territory(make_user, make_tour, make_site)
    path = tmp_path / "kit.json"
    result = runner.invoke(
        args=["kit", "export", "--organiser", organiser.email, "--territory", "Vallée du Gier", "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    for secret in PERSONAL:
        assert secret not in text
    kit = json.loads(text)
    assert [z["name"] for z in kit["zones"]] == ["ZI du Gier"]
    assert [s["name"] for s in kit["sites"]] == ["Forges du Gier – atelier"]
    assert kit["sites"][0]["has_coach_parking"] is False  # the published name of has_bus_parking
    assert [t["name"] for t in kit["tour_templates"]] == ["ZI Tour Vallée du Gier"]

    _empty_database()
    newcomer = make_user(Role.ORGANISER, email="lea@example.fr", organisation="Communauté de communes du Pilat")
    result = runner.invoke(args=["kit", "import", str(path), "--organiser", newcomer.email])
    assert result.exit_code == 0, result.output
    assert "zones : 1 créées" in result.output
    zone = db.session.scalar(select(IndustrialZone))
    assert (zone.name, zone.city, zone.territory) == ("ZI du Gier", "Rive-de-Gier", "Vallée du Gier")
    site = db.session.scalar(select(Site))
    assert (site.name, site.organisation.name, site.zone_id, site.sector, site.pay_range) == (
        "Forges du Gier – atelier",
        "Forges du Gier",
        zone.id,
        "métallurgie",
        "1 900 € brut",
    )
    assert (site.contact_name, site.contact_phone, site.visitor_contacts, site.how_to_apply) == (None,) * 4
    assert site.has_bus_parking is False
    template = db.session.scalar(select(TourTemplate))
    assert template.organisation_id == newcomer.organisation_id
    assert (template.name, template.details["start"], template.details["duration_minutes"]) == (
        "ZI Tour Vallée du Gier",
        "08:30",
        450,
    )
    assert template.details["buses"] == [{"seats": 20}, {"seats": 15}]


def test_second_import_changes_nothing(make_user, make_tour, make_site, runner, tmp_path):
    """Importing the same kit twice: the second time creates and updates nothing."""
    organiser = _territory(make_user, make_tour, make_site)
    path = tmp_path / "kit.json"
    runner.invoke(args=["kit", "export", "--organiser", organiser.email, "--output", str(path)])
    first = runner.invoke(args=["kit", "import", str(path), "--organiser", organiser.email])
    assert first.exit_code == 0, first.output
    counts = [
        db.session.scalar(select(func.count()).select_from(model)) for model in (IndustrialZone, Site, TourTemplate)
    ]
    again = runner.invoke(args=["kit", "import", str(path), "--organiser", organiser.email])
    assert again.exit_code == 0
    assert again.output.strip() == (
        "zones : 0 créées, 0 mises à jour ; sites : 0 créés, 0 mis à jour ; modèles de tour : 0 créés, 0 mis à jour ; "
        "questionnaires : 0 créés, 0 mis à jour"
    )
    assert [
        db.session.scalar(select(func.count()).select_from(model)) for model in (IndustrialZone, Site, TourTemplate)
    ] == counts


def test_bad_file_imports_nothing(make_user, runner, tmp_path):
    """A kit with one faulty site is refused whole, every fault named in French; nothing is written."""
    organiser = make_user(Role.ORGANISER)
    kit = {
        "format": "tourplanner-kit",
        "version": 1,
        "zones": [{"name": "ZI Nouvelle", "city": "Firminy", "territory": "Ondaine", "lat": 45.38, "lon": 4.29}],
        "sites": [
            {"company": "Aciéries", "name": "", "address": "1 rue", "lat": 95, "lon": 4.3, "zone": "ZI Inconnue"}
        ],
        "tour_templates": [
            {
                "name": "Tour",
                "kind": "fusée",
                "meeting_point": {"name": "Gare", "lat": 1, "lon": 2},
                "start": "25:00",
                "duration_minutes": 60,
                "buses": [{"seats": 0}],
            }
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(kit), encoding="utf-8")
    result = runner.invoke(args=["kit", "import", str(path), "--organiser", organiser.email])
    assert result.exit_code == 1
    for field in (
        "sites.0.name",
        "sites.0.lat",
        "sites.0.zone",
        "tour_templates.0.kind",
        "tour_templates.0.start",
        "tour_templates.0.buses",
    ):
        assert field in result.output
    assert "rien n'a été importé" in result.output
    assert db.session.scalar(select(func.count()).select_from(IndustrialZone)) == 0
    (tmp_path / "notjson.json").write_bytes(b"\x89PNG not a kit")
    result = runner.invoke(args=["kit", "import", str(tmp_path / "notjson.json"), "--organiser", organiser.email])
    assert result.exit_code == 1
    assert "pas un kit" in result.output


def test_kit_page_downloads_and_imports(make_user, make_tour, make_site, client, sign_in):
    """The page's button downloads the kit; its upload imports it and says what was created; a bad file is a 422."""
    organiser = _territory(make_user, make_tour, make_site)
    sign_in(organiser)
    page = client.get("/organisateur/kit")
    assert page.status_code == 200
    assert "Télécharger le kit" in page.get_data(as_text=True)
    assert 'name="territoire"' in page.get_data(as_text=True)  # the pages' parameters are French
    download = client.get("/organisateur/kit.json?territoire=Vallée du Gier")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert "Vall" in download.headers["Content-Disposition"]
    former = client.get("/organisateur/kit.json?territory=Vallée du Gier")  # the former name still works
    assert former.headers["Content-Disposition"] == download.headers["Content-Disposition"]
    body = download.get_data()
    assert PERSONAL[1].encode() not in body
    _empty_database()
    newcomer = make_user(Role.ORGANISER, organisation="Pilat")
    sign_in(newcomer)
    answer = client.post(
        "/organisateur/kit/import",
        data={"file": (io.BytesIO(body), "kit.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert "Kit importé" in answer.get_data(as_text=True)
    assert "ZI Tour Vallée du Gier" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Site)) == 1
    bad = client.post(
        "/organisateur/kit/import", data={"file": (io.BytesIO(b"{}"), "kit.json")}, content_type="multipart/form-data"
    )
    assert bad.status_code == 422
    assert "Kit refusé" in bad.get_data(as_text=True)


def test_kit_is_for_organisers(make_user, client, sign_in):
    """A prescriber may not export nor import a kit (403)."""
    sign_in(make_user(Role.PRESCRIBER))
    assert client.get("/organisateur/kit").status_code == 403
    assert client.get("/organisateur/kit.json").status_code == 403


def test_kit_through_the_api(make_user, make_tour, make_site, api_as, client):
    """GET /kit answers the documented kit; POST /kit imports it (200 with counts), a bad kit is a 422 naming fields."""
    from tests.api_input.openapi_fields import answer_schema, undocumented_fields

    organiser = _territory(make_user, make_tour, make_site)
    api = api_as(organiser)
    document = client.get("/api/v1/openapi.json").json
    exported = api.get("/kit?territory=Vallée du Gier")
    assert exported.status_code == 200
    schema = answer_schema(document, "/api/v1/kit", "get", 200, exported.mimetype)
    assert not undocumented_fields(exported.json, schema, document)
    assert PERSONAL[0] not in exported.get_data(as_text=True)
    kit = exported.json
    _empty_database()
    api = api_as(make_user(Role.ORGANISER, organisation="Pilat"))
    imported = api.post("/kit", json=kit)
    assert imported.status_code == 200, imported.json
    assert not undocumented_fields(
        imported.json, answer_schema(document, "/api/v1/kit", "post", 200, imported.mimetype), document
    )
    assert (imported.json["zones_created"], imported.json["sites_created"], imported.json["templates_created"]) == (
        1,
        1,
        1,
    )
    again = api.post("/kit", json=kit).json
    assert again["zones_created"] + again["sites_created"] + again["templates_created"] + again["zones_updated"] == 0
    bad = api.post("/kit", json=dict(kit, zones=[{"name": "ZI"}]))
    assert bad.status_code == 422
    assert {"zones.0.city", "zones.0.lat"} <= {error["field"] for error in bad.json["errors"]}
    assert api_as(Role.PRESCRIBER).get("/kit").status_code == 403


def test_questionnaires_travel_in_the_kit(make_user, make_tour, make_site, api_as):
    """A's edited questionnaires reach B by the kit; a second import changes nothing; a faulty one imports nothing."""
    from tourplanner.impact.enums import Respondent
    from tourplanner.impact.models import Questionnaire
    from tourplanner.impact.questionnaires import DEFAULT_QUESTIONS, Question, questions_for, set_questions

    organiser = _territory(make_user, make_tour, make_site)
    set_questions(
        organiser, Respondent.COMPANY, ["Les reconvertis réussissent chez nous.", "Nous accueillons des stagiaires."]
    )
    db.session.commit()
    kit = api_as(organiser).get("/kit").json
    assert kit["questionnaires"] == [
        {
            "respondent": "prescriber",
            "questions": [{"key": q.key, "text": q.text} for q in DEFAULT_QUESTIONS[Respondent.PRESCRIBER]],
        },
        {
            "respondent": "company",
            "questions": [
                {"key": "reconversion", "text": "Les reconvertis réussissent chez nous."},
                {"key": "nous_accueillons_des_stagiaire", "text": "Nous accueillons des stagiaires."},
            ],
        },
    ]
    newcomer = make_user(Role.ORGANISER, organisation="Communauté de communes du Pilat")
    api = api_as(newcomer)
    first = api.post("/kit", json=kit).json
    assert (first["questionnaires_created"], first["questionnaires_updated"]) == (2, 0)
    assert questions_for(newcomer.organisation_id, Respondent.COMPANY) == [
        Question("reconversion", "Les reconvertis réussissent chez nous."),
        Question("nous_accueillons_des_stagiaire", "Nous accueillons des stagiaires."),
    ]
    again = api.post("/kit", json=kit).json
    assert (again["questionnaires_created"], again["questionnaires_updated"]) == (0, 0)
    kit["questionnaires"][1]["questions"][1]["text"] = "Nous accueillons des stagiaires en PMSMP."
    changed = api.post("/kit", json=kit).json
    assert (changed["questionnaires_created"], changed["questionnaires_updated"]) == (0, 1)
    stored = db.session.scalar(select(func.count()).select_from(Questionnaire))
    faulty = dict(
        kit,
        zones=kit["zones"] + [{"name": "ZI Neuve", "city": "Firminy", "territory": "Ondaine", "lat": 45.4, "lon": 4.3}],
        questionnaires=[{"respondent": "prescriber", "questions": [{"key": "debouches", "text": ""}]}],
    )
    refused = api.post("/kit", json=faulty)
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json["errors"]] == ["questionnaires.0.questions.0.text"]
    assert db.session.scalar(select(IndustrialZone).where(IndustrialZone.name == "ZI Neuve")) is None
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == stored
