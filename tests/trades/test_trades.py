"""Trades: the shipped ROME referential, sites and tours tagged by code, search across sectors, passerelles."""

from __future__ import annotations

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.trades.models import SiteTrade
from tourplanner.trades.operations import code_of_line, passerelles
from tourplanner.trades.referential import load


def test_the_referential_ships_with_its_source_date_and_industrial_trades() -> None:
    """rome.csv holds the industrial trades with their French labels, its source and date."""
    referential = load()
    assert referential.source == "ROME 4.0, France Travail, codes et libellés"
    assert referential.date == "2026-11-30"
    assert referential.get("H2903").label == "Conduite d'équipement d'usinage"
    assert referential.get("I1304").label == "Installation et maintenance d'équipements industriels et d'exploitation"
    assert referential.get("H2102").label == "Conduite d'équipement de production alimentaire"
    assert referential.get("H2913").label == "Soudage manuel"
    assert len([c for c in referential.trades if c.startswith("H")]) >= 50


def test_shared_trades_are_linked_across_food_and_metalworking() -> None:
    """Line operator, machine operator and maintenance technician have members in both sectors."""
    referential = load()
    for family in ("conduite_ligne", "conduite_machine", "maintenance"):
        sectors = {s for trade in referential.family_members(family) for s in trade.sectors}
        assert {"agroalimentaire", "métallurgie"} <= sectors, family


def test_a_trade_line_means_its_leading_code_or_its_exact_label() -> None:
    """ "H2903 Tourneur" → H2903; "soudage manuel" → H2913; free words → none."""
    assert code_of_line("H2903 Tourneur sur commande numérique") == "H2903"
    assert code_of_line("  soudage MANUEL ") == "H2913"
    assert code_of_line("Cariste confirmé") is None
    assert code_of_line("H29031 n'est pas un code") is None


def test_sites_are_tagged_from_their_lines_through_the_api(api_as) -> None:
    """POST /sites tags the site with its lines' known codes (trade_codes); a code beyond ROME's letters is a 422."""
    company = api_as(Role.COMPANY, organisation="Plasturgie du Forez")
    body = {
        "name": "Atelier",
        "address": "1 rue A, Andrézieux",
        "lat": 45.5,
        "lon": 4.2,
        "trades": ["H3201 Conducteur de presse à injecter", "Peinture industrielle", "Magasinier"],
        "how_to_apply": "Candidature spontanée sur notre site",
        "visitor_contacts": "Accueil, 04 77 11 22 33",
    }
    created = company.post("/sites", json=body)
    assert created.status_code == 201, created.get_json()
    site = created.get_json()
    assert site["trade_codes"] == ["H3201", "H3404"]
    assert (site["how_to_apply"], site["visitor_contacts"]) == (body["how_to_apply"], body["visitor_contacts"])
    edited = company.client.patch(
        f"/api/v1/sites/{site['id']}",
        json={"trades": ["Z1234 Inconnu", "H2913"]},
        headers={"Authorization": f"Bearer {company.token}"},
    )
    assert edited.status_code == 422
    assert edited.get_json()["errors"] == [
        {"field": "trades.0", "message": "code ROME invalide : Z1234 (une lettre de A à N et quatre chiffres)"}
    ]
    edited = company.client.patch(
        f"/api/v1/sites/{site['id']}",
        json={"trades": ["H2913", "K2111 Formateur"]},
        headers={"Authorization": f"Bearer {company.token}"},
    )
    assert edited.get_json()["trade_codes"] == ["H2913"]
    assert db.session.scalars(select(SiteTrade.rome_code).where(SiteTrade.site_id == site["id"])).all() == ["H2913"]


def test_a_prescriber_searching_a_trade_finds_the_tours_in_every_sector(api_as, sectors) -> None:
    """ "conducteur de ligne" finds the metalworking and the food tours (not the draft), with their sectors."""
    found = api_as(Role.PRESCRIBER).get("/trades/tours?q=conducteur de ligne").get_json()
    assert [t["id"] for t in found["tours"]] == [sectors["metal"].id, sectors["food"].id]
    assert found["sectors"] == ["agroalimentaire", "métallurgie"]
    metal = found["tours"][0]
    assert [(t["code"], t["sectors"], t["companies"]) for t in metal["trades"]] == [
        ("H2906", ["métallurgie"], ["Forges de la Vallée"])
    ]
    by_code = api_as(Role.PRESCRIBER).get("/trades/tours?q=H2102").get_json()
    assert [t["id"] for t in by_code["tours"]] == [sectors["metal"].id, sectors["food"].id]  # H2102's passerelle H2906
    assert api_as(Role.PRESCRIBER).get("/trades/tours?q=tailleur de pierre").get_json()["tours"] == []


def test_the_catalogue_filter_finds_the_passerelles_too(client, sign_in, make_user, sectors) -> None:
    """The prescriber's catalogue filtered on « conducteur de ligne » lists both sectors' tours."""
    sign_in(make_user(Role.PRESCRIBER))
    page = client.get("/inscriptions/tours?metier=conducteur+de+ligne").get_data(as_text=True)
    assert "Tour métallurgie" in page and "Tour agroalimentaire" in page


def test_each_tour_says_which_of_its_trades_lead_elsewhere(api_as, sectors) -> None:
    """The metalworking tour's line operator leads to the food industry (H2102), its maintenance job too."""
    found = {p.trade.code: dict(p.elsewhere) for p in passerelles(sectors["metal"])}
    assert found["H2906"]["agroalimentaire"].code == "H2102"
    assert found["I1304"]["agroalimentaire"].code == "I1304"
    assert "métallurgie" not in found["H2906"]
    body = api_as(Role.PRESCRIBER).get(f"/tours/{sectors['food'].id}/trades").get_json()
    [line] = body["passerelles"]
    assert line["code"] == "H2102"
    assert {"sector": "métallurgie", "code": "H2906"}.items() <= next(
        e for e in line["elsewhere"] if e["sector"] == "métallurgie"
    ).items()


def test_organisers_tag_tours_and_unknown_codes_are_refused(api_as, sectors) -> None:
    """PUT /tours/{id}/trades: known codes kept (the tour then shows them), unknown ones 422, others 403."""
    organiser = api_as(sectors["organiser"])
    path = f"/tours/{sectors['food'].id}/trades"
    answer = organiser.put(path, json={"codes": ["h2913"]})
    assert answer.status_code == 200
    assert [t["code"] for t in answer.get_json()["trades"]] == ["H2102", "H2913"]
    found = api_as(Role.PRESCRIBER).get("/trades/tours?q=soudage").get_json()
    assert [t["id"] for t in found["tours"]] == [sectors["food"].id]
    refused = organiser.put(path, json={"codes": ["Z0000"]})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "codes.0"
    assert api_as(Role.PRESCRIBER).put(path, json={"codes": ["H2913"]}).status_code == 403


def test_the_trades_page_groups_the_tours_by_sector(client, sign_in, make_user, sectors) -> None:
    """/metiers?q=… lists the tours under each sector where they show the trade; the tour page names its passerelles."""
    sign_in(make_user(Role.PRESCRIBER))
    page = client.get("/metiers?q=conducteur+de+ligne").get_data(as_text=True)
    assert "2 tours pour" in page
    assert (
        page.index("Secteur : agroalimentaire")
        < page.index("Tour agroalimentaire")
        < page.index("Secteur : métallurgie")
        < page.index("Tour métallurgie")
    )
    assert "Brouillon" not in page
    tour_page = client.get(f"/tours/{sectors['food'].id}").get_data(as_text=True)
    assert "Métiers présentés et passerelles" in tour_page
    assert "Mène aussi à" in tour_page and "métallurgie" in tour_page and "H2906" in tour_page
    too_long = client.get("/metiers?q=" + "x" * 101)
    assert too_long.status_code == 422
