"""The bilan page, its exports for funders (small cells hidden, people pseudonymised), and one person's data."""

from __future__ import annotations

import io
import json

from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.bookings.models import Participant
from tourplanner.extensions import db
from tourplanner.impact.exports import cell, rate_cell

PERIOD = "du=2027-01-01&au=2027-06-30"


def test_small_cells_are_hidden_from_1_to_4_people():
    """1–4 people are « < 5 »; 0 and 5 are shown; a rate over fewer than 5 people is not shown."""
    assert [cell(n) for n in (0, 1, 4, 5, 12)] == ["0", "< 5", "< 5", "5", "12"]
    assert rate_cell(2, 4).startswith("non diffusé") and rate_cell(5, 10) == "50 %"


def test_the_page_shows_exact_figures_definitions_and_charts(seeded, client, sign_in):
    """Organisers see the exact figures on screen, the definitions, and each SVG chart with its data table."""
    sign_in(seeded.organiser)
    response = client.get(f"/organisateur/bilan?{PERIOD}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<span class="screen-only">7</span><span class="print-only">7</span></span> participants' in html
    assert '<span class="screen-only">3</span><span class="print-only">&lt; 5</span></span> actions' in html
    assert "Action : un tour tenu (non annulé)" in html
    assert html.count('<svg role="img"') == 8 and html.count("— données</caption>") == 8  # 4 on screen, 4 printed


def test_the_page_refuses_bad_input_in_french_and_others_than_organisers(seeded, client, sign_in):
    """A bad date is a French message (422), never a 500; a prescriber is refused."""
    sign_in(seeded.organiser)
    response = client.get("/organisateur/bilan?du=2027-02-30&au=2027-06-30&organisation=abc")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "n&#39;est pas une date" in html and "Organisation : choix non reconnu." in html
    client.post("/deconnexion")
    sign_in(seeded.users["P1"])
    assert client.get(f"/organisateur/bilan?{PERIOD}").status_code == 403


def test_the_page_reads_french_parameters_and_still_the_former_english_ones(seeded, client, sign_in):
    """The page's parameters are French (du, au, territoire, type); from/to/territory/kind still give the same page."""
    sign_in(seeded.organiser)
    french = client.get("/organisateur/bilan?du=2027-01-01&au=2027-06-30&territoire=Nulle%20part&type=zi_tour")
    english = client.get("/organisateur/bilan?from=2027-01-01&to=2027-06-30&territory=Nulle%20part&kind=zi_tour")
    assert french.status_code == english.status_code == 200
    html = french.get_data(as_text=True)
    assert 'value="2027-01-01"' in html and 'value="2027-06-30"' in html
    assert '<option value="zi_tour" selected>' in html and 'name="territoire"' in html
    exports = [line for line in html.splitlines() if "bilan.csv" in line]
    assert exports and all("du=2027-01-01" in line and "type=zi_tour" in line for line in exports)
    assert exports == [line for line in english.get_data(as_text=True).splitlines() if "bilan.csv" in line]


def test_csv_export_hides_small_cells(seeded, client, sign_in):
    """The CSV for funders: 7 participants shown, 3 actions and 2 recruitments as « < 5 »."""
    sign_in(seeded.organiser)
    text = client.get(f"/organisateur/bilan.csv?{PERIOD}").get_data(as_text=True)
    assert "Activité;Participants;7" in text
    assert "Activité;Actions menées;< 5" in text and "Sorties;Recrutements;< 5" in text
    assert "Alice" not in text


def test_ods_export_is_pseudonymised_and_hides_small_cells(seeded, client, sign_in):
    """The ODS: indicators with small cells hidden; outcomes by pseudonym, no name nor address."""
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    sign_in(seeded.organiser)
    response = client.get(f"/organisateur/bilan.ods?{PERIOD}")
    assert response.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    document = load(io.BytesIO(response.data))
    sheets = {}
    for table in document.spreadsheet.getElementsByType(Table):
        sheets[table.getAttribute("name")] = [
            [teletype.extractText(c) for c in row.getElementsByType(TableCell)]
            for row in table.getElementsByType(TableRow)
        ]
    indicators = {row[1]: row[2] for row in sheets["Indicateurs"] if len(row) == 3}
    assert indicators["Participants"] == "7" and indicators["Recrutements"] == "< 5"
    outcomes = [row for row in sheets["Sorties (pseudonymisées)"] if row and row[0].startswith("P-")]
    assert len(outcomes) == 5  # Alice ×3, Bruno, Farid
    assert len({row[0] for row in outcomes}) == 3
    everything = json.dumps(sheets, ensure_ascii=False)
    for name in ("Alice", "Bruno", "Farid", "@example.fr"):
        assert name not in everything


def test_an_organiser_sets_the_retention_period(seeded, client, sign_in):
    """1–120 months; recorded in the audit trail."""
    sign_in(seeded.organiser)
    client.post("/organisateur/bilan/conservation", data={"retention_months": "12"})
    from tourplanner.impact.operations import settings

    assert settings().retention_months == 12
    client.post("/organisateur/bilan/conservation", data={"retention_months": "0"})
    assert settings().retention_months == 12
    assert db.session.query(AuditEntry).filter_by(action="impact.retention").count() == 1


def test_one_persons_data_exported_then_erased_and_audited(seeded, client, sign_in, api_as):
    """Export gives the person's participations and outcomes; erasing keeps every figure; both are audited."""
    sign_in(seeded.organiser)
    assert "Alice" in client.get("/organisateur/personnes?email=alice@example.fr").get_data(as_text=True)
    exported = client.post("/organisateur/personnes/export", data={"email": "alice@example.fr"}).get_json()
    assert exported["participations"][0]["name"] == "Alice"
    assert len(exported["participations"][0]["outcomes"]) == 3
    before = api_as(Role.ORGANISER).get(f"/bilan?{PERIOD}").get_json()
    client.post("/organisateur/personnes/effacer", data={"email": "alice@example.fr"})
    alice = db.session.get(Participant, seeded.people["Alice"].id)
    db.session.refresh(alice)
    assert (alice.name, alice.email) == ("Personne anonymisée", None)
    assert api_as(Role.ORGANISER).get(f"/bilan?{PERIOD}").get_json() == before
    actions = {e.action for e in db.session.query(AuditEntry).filter_by(object_id=alice.id)}
    assert {"person.export", "person.erase"} <= actions
    assert client.get("/organisateur/personnes?email=alice@example.fr").status_code == 404


def test_one_persons_data_is_searched_in_the_organisers_own_territory_by_whole_address(
    seeded, client, sign_in, make_user
):
    """Another territory's organiser finds nobody; a pattern (`%`, `_`) matches no other address; case is ignored."""
    sign_in(seeded.organiser)
    assert "Alice" in client.get("/organisateur/personnes?email=ALICE@example.fr").get_data(as_text=True)
    assert client.get("/organisateur/personnes?email=%25").status_code == 404
    assert client.get("/organisateur/personnes?email=alic_@example.fr").status_code == 404
    elsewhere = make_user(Role.ORGANISER, organisation="Saint-Étienne Métropole")
    sign_in(elsewhere)
    assert client.get("/organisateur/personnes?email=alice@example.fr").status_code == 404
    exported = client.post("/organisateur/personnes/export", data={"email": "alice@example.fr"}).get_json()
    assert exported["participations"] == []
    client.post("/organisateur/personnes/effacer", data={"email": "alice@example.fr"})
    alice = db.session.get(Participant, seeded.people["Alice"].id)
    db.session.refresh(alice)
    assert alice.name == "Alice"
