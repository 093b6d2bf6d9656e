"""The interest voiced at a company visit's debriefing, in the bilan: figures, page, exports, API.

On the hand-made history of conftest.py (`interested`), period 1 January – 30 June 2027: Alice
(yes) and Bruno (maybe) were present on T1, Farid (no) on T2 whose attendance was not taken;
Chloé (yes, absent), Gilles (yes, cancelled tour) and Zoé (no, before the period) do not count.
"""

from __future__ import annotations

import io
from datetime import date

from tourplanner.accounts.enums import Role
from tourplanner.company_visits.enums import Interest
from tourplanner.impact.figures import BilanFilter
from tourplanner.impact.queries import compute_bilan

PERIOD = (date(2027, 1, 1), date(2027, 6, 30))
QUERY = "from=2027-01-01&to=2027-06-30"


def test_interest_counts_counted_participants_per_answer(interested):
    """Present people, or the people of an action whose attendance was not taken; once each."""
    bilan = compute_bilan(BilanFilter(*PERIOD))
    assert bilan.interest == {Interest.YES: 1, Interest.MAYBE: 1, Interest.NO: 1}


def test_interest_follows_the_slice(interested):
    """An organisation's own people (Mission locale Lyon: Alice, Bruno); a kind (company visits: T2, Farid)."""
    organisation = interested.users["P1"].organisation
    own = compute_bilan(BilanFilter(*PERIOD, organisation_id=organisation.id))
    assert own.interest == {Interest.YES: 1, Interest.MAYBE: 1}
    visits = compute_bilan(BilanFilter(*PERIOD, kind=interested.tours["T2"].kind))
    assert visits.interest == {Interest.NO: 1}


def test_interest_without_any_answer_is_empty(seeded):
    """No answer recorded: nothing counted, and the other figures do not move."""
    bilan = compute_bilan(BilanFilter(*PERIOD))
    assert bilan.interest == {} and bilan.participants == 7


def test_the_page_shows_interest_exactly_with_its_definition_and_chart(interested, client, sign_in):
    """Exact counts on screen (« < 5 » when printed), the definition, a chart with its data table."""
    sign_in(interested.organiser)
    html = client.get(f"/organisateur/bilan?{QUERY}").get_data(as_text=True)
    assert (
        '<td>Intérêt au débriefing</td><th scope="row">Oui, veut aller plus loin</th>'
        '<td><span class="screen-only">1</span><span class="print-only">&lt; 5</span></td>'
    ) in html
    assert "Intérêt au débriefing (Ambassadeurs des métiers) : participants comptés" in html
    assert "Intérêt au débriefing (personnes) — données</caption>" in html


def test_exports_hide_small_interest_counts(interested, client, sign_in):
    """CSV and ODS for funders: 1 person per answer shows « < 5 »; 0 stays 0."""
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    sign_in(interested.organiser)
    text = client.get(f"/organisateur/bilan.csv?{QUERY}").get_data(as_text=True)
    for label in ("Oui, veut aller plus loin", "Peut-être", "Non"):
        assert f"Intérêt au débriefing;{label};< 5" in text
    document = load(io.BytesIO(client.get(f"/organisateur/bilan.ods?{QUERY}").data))
    sheet = next(t for t in document.spreadsheet.getElementsByType(Table) if t.getAttribute("name") == "Indicateurs")
    rows = [
        [teletype.extractText(c) for c in row.getElementsByType(TableCell)] for row in sheet.getElementsByType(TableRow)
    ]
    assert ["Intérêt au débriefing", "Non", "< 5"] in rows
    organisation = interested.users["P1"].organisation.id
    text = client.get(f"/organisateur/bilan.csv?{QUERY}&organisation={organisation}").get_data(as_text=True)
    assert "Intérêt au débriefing;Non;0" in text


def test_the_api_gives_interest_beside_the_contract_fields(interested, api_as):
    """GET /bilan: an extra `interest` object, exact; the contract's fields unchanged."""
    body = api_as(Role.ORGANISER).get(f"/bilan?{QUERY}").get_json()
    assert body["interest"] == {"yes": 1, "maybe": 1, "no": 1}
    assert (body["actions"], body["participants"], body["recruitments"]) == (3, 7, 2)
