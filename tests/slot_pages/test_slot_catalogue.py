"""The organisers' slot catalogue through the test client: who sees it, filters, rows, actions."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from routes.filters import localtime
from tests.conftest import future
from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.audit.models import AuditEntry
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus
from tourplanner.tours.itinerary import set_candidates
from tourplanner.tours.operations import cancel_tour

PAGE = "/organisateur/creneaux"


def listed_ids(response) -> list[int]:
    """The ids of the slots listed on the page, in order."""
    return [int(n) for n in re.findall(r'id="creneau-(\d+)"', response.get_data(as_text=True))]


def map_data(response) -> dict:
    """The JSON the map script draws from."""
    match = re.search(
        r'<script type="application/json" id="slots-data">(.*?)</script>', response.get_data(as_text=True), re.S
    )
    assert match, "no map data on the page"
    return json.loads(match.group(1))


def status_of(slot) -> SlotStatus:
    """The slot's status as stored."""
    db.session.expire_all()
    return db.session.get(type(slot), slot.id).status


def test_signed_out_visitors_are_sent_to_sign_in(client, offer):
    """Without a session the catalogue redirects to /connexion."""
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_other_roles_get_403_and_change_nothing(client, offer, make_user, make_tour, sign_in, role):
    """Prescribers, company contacts and ambassadors get a French 403 on the page and on every action."""
    tour = make_tour(start=future(30, 8, 30), end=future(30, 17))
    sign_in(make_user(role))
    page = client.get(PAGE)
    assert page.status_code == 403 and "réservée aux organisateurs" in text_of(page)
    slot = offer.plastics
    assert client.post(f"{PAGE}/{slot.id}/accepter").status_code == 403
    assert client.post(f"{PAGE}/{slot.id}/decliner").status_code == 403
    assert client.post(f"{PAGE}/{slot.id}/ajouter", data={"tour_id": tour.id}).status_code == 403
    assert status_of(slot) is SlotStatus.OFFERED
    db.session.refresh(tour)
    assert tour.candidates == []


def test_rows_show_company_site_window_visit_group_and_access(client, offer, sign_in):
    """Each row says who, where, when (French local time), how long, how many and accessibility."""
    sign_in(offer.organiser)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = text_of(page)
    slot = offer.plastics
    row = text.split(f'id="creneau-{slot.id}"')[1].split("</li>")[0]
    assert "Plastiques du Rhône" in row and "Atelier d'injection" in row
    day = localtime(slot.start_at, "%A %-d %B %Y")
    assert re.search(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) ", day)
    assert f"{day}, 09:00–12:00" in row
    assert "1 h 30" in row and "15 personnes au plus" in row and "Accessible PMR" in row
    metal_row = text.split(f'id="creneau-{offer.metal.id}"')[1].split("</li>")[0]
    assert "Non accessible PMR" in metal_row and "pas de parking pour le car" in metal_row


def test_default_list_is_offered_and_accepted_slots_from_today(client, offer, make_slot, sign_in):
    """By default: offered and accepted slots to come, by start time; declined and past ones are left out."""
    offer.gier.status = SlotStatus.ACCEPTED
    declined = make_slot(site=offer.sites[0], start_at=future(31, 9), end_at=future(31, 11), status=SlotStatus.DECLINED)
    past = make_slot(site=offer.sites[1], start_at=future(-3, 9), end_at=future(-3, 11))
    db.session.commit()
    sign_in(offer.organiser)
    ids = listed_ids(client.get(PAGE))
    assert ids == [offer.plastics.id, offer.metal.id, offer.gier.id]
    assert declined.id not in ids and past.id not in ids


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("declined", "declined"),
        ("accepted", "accepted"),
        ("offered", "offered"),
        ("tous", "all"),
    ],
)
def test_status_filter(client, offer, sign_in, status, expected):
    """The status filter shows the slots in that status only, or every slot with « Tous »."""
    offer.metal.status = SlotStatus.DECLINED
    offer.gier.status = SlotStatus.ACCEPTED
    db.session.commit()
    sign_in(offer.organiser)
    ids = listed_ids(client.get(PAGE, query_string={"statut": status}))
    wanted = {
        "declined": [offer.metal.id],
        "accepted": [offer.gier.id],
        "offered": [offer.plastics.id],
        "all": [offer.plastics.id, offer.metal.id, offer.gier.id],
    }[expected]
    assert ids == wanted


def test_date_range_filter_takes_both_days_included(client, offer, sign_in):
    """« Du » and « Au » keep the slots of those local days, both included."""
    sign_in(offer.organiser)
    day30, day40 = future(30).date().isoformat(), future(40).date().isoformat()
    assert listed_ids(client.get(PAGE, query_string={"du": day30, "au": day30})) == [offer.plastics.id, offer.metal.id]
    assert listed_ids(client.get(PAGE, query_string={"du": day40, "au": day40})) == [offer.gier.id]
    assert listed_ids(client.get(PAGE, query_string={"du": future(31).date().isoformat()})) == [offer.gier.id]


def test_territory_filter_follows_the_sites_zone(client, offer, sign_in):
    """The territory filter keeps the slots of sites in zones of that territory."""
    sign_in(offer.organiser)
    page = client.get(PAGE)
    assert '<option value="Lyon Est">' in page.get_data(as_text=True)
    assert listed_ids(client.get(PAGE, query_string={"territoire": "Vallée du Gier"})) == [offer.gier.id]
    assert listed_ids(client.get(PAGE, query_string={"territoire": "Lyon Est"})) == [offer.plastics.id, offer.metal.id]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("metallurgie", ["metal", "gier"]),
        ("PLASTURGIE", ["plastics"]),
        ("soudeur", ["metal"]),
        ("h2903", ["plastics"]),
        ("métallurgie forgeron", ["gier"]),
        ("boulangerie", []),
    ],
)
def test_trade_filter_reads_sector_and_trades_ignoring_case_and_accents(client, offer, sign_in, words, expected):
    """Every word typed must be in the site's sector or trades; case and accents do not matter."""
    sign_in(offer.organiser)
    ids = listed_ids(client.get(PAGE, query_string={"metier": words}))
    assert ids == [getattr(offer, name).id for name in expected]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"du": future(40).date().isoformat(), "au": future(30).date().isoformat()},
            "La date de fin doit être le jour de début ou après.",
        ),
        ({"du": "2027-02-31"}, "Du : N'est pas une date valide."),
        ({"statut": "perdu"}, "Statut : N'est pas un choix valide."),
        ({"territoire": "Atlantide"}, "Territoire : N'est pas un choix valide."),
    ],
)
def test_bad_filters_answer_422_in_french(client, offer, sign_in, query, message):
    """Unreadable or contradictory filters: a 422 page naming the filter in French, no slot listed, no 500."""
    sign_in(offer.organiser)
    page = client.get(PAGE, query_string=query)
    assert page.status_code == 422
    text = text_of(page)
    assert "Les filtres ne sont pas valides" in text
    assert message in re.sub(r"<[^>]+>", "", text)
    assert listed_ids(page) == []


def test_map_has_one_marker_per_site_and_the_tile_url(client, offer, make_slot, sign_in, app):
    """The map data gives one point per site with its coordinates and slot count, and the configured tiles."""
    make_slot(site=offer.sites[0], start_at=future(32, 9), end_at=future(32, 11))
    sign_in(offer.organiser)
    data = map_data(client.get(PAGE))
    points = {point["name"]: point for point in data["sites"]}
    assert set(points) == {"Atelier d'injection", "Usine de Décines", "Forge de Lorette"}
    assert points["Atelier d'injection"]["slots"] == 2 and points["Forge de Lorette"]["slots"] == 1
    assert (points["Forge de Lorette"]["lat"], points["Forge de Lorette"]["lon"]) == (45.51, 4.59)
    assert data["tiles"]["url"] == app.config["TILE_URL"]


def test_accept_then_decline_through_the_page(client, offer, sign_in):
    """« Retenir » accepts the slot, « Décliner » declines it; each is audited and the filters are kept."""
    sign_in(offer.organiser)
    slot = offer.plastics
    response = client.post(f"{PAGE}/{slot.id}/accepter?territoire=Lyon+Est&bidon=1")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{PAGE}?territoire=Lyon+Est#creneau-{slot.id}"
    assert status_of(slot) is SlotStatus.ACCEPTED
    page = client.get(PAGE)
    assert "Créneau de « Atelier d'injection » retenu." in text_of(page)
    client.post(f"{PAGE}/{slot.id}/decliner")
    assert status_of(slot) is SlotStatus.DECLINED
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == slot.id, AuditEntry.object_type == "slot")
    ).all()
    assert actions == ["slot.accept", "slot.decline"]


def test_declining_a_slot_a_tour_counts_on_is_refused(client, offer, make_tour, sign_in):
    """A slot among a draft tour's candidates cannot be declined: a French message, status unchanged."""
    tour = make_tour(organiser=offer.organiser, title="ZI Tour Meyzieu", start=future(30, 8, 30), end=future(30, 17))
    set_candidates(tour, [offer.plastics.id], offer.organiser)
    db.session.commit()
    sign_in(offer.organiser)
    client.post(f"{PAGE}/{offer.plastics.id}/decliner")
    assert status_of(offer.plastics) is SlotStatus.OFFERED
    text = text_of(client.get(PAGE))
    assert "fait partie des visites possibles de « ZI Tour Meyzieu »" in text


def test_add_to_tour_offers_the_open_tours_of_that_day_only(client, offer, make_tour, sign_in):
    """The « Ajouter » list has the draft and published tours of the slot's day, not others."""
    day30 = make_tour(organiser=offer.organiser, title="Tour du jour", start=future(30, 8, 30), end=future(30, 17))
    published = make_tour(
        organiser=offer.organiser, published=True, title="Tour publié du jour", start=future(30, 8), end=future(30, 12)
    )
    cancelled = make_tour(
        organiser=offer.organiser, title="Tour annulé du jour", start=future(30, 8), end=future(30, 12)
    )
    cancel_tour(cancelled, offer.organiser, None)
    make_tour(organiser=offer.organiser, title="Tour d'un autre jour", start=future(41, 8), end=future(41, 17))
    db.session.commit()
    sign_in(offer.organiser)
    text = text_of(client.get(PAGE))
    row = text.split(f'id="creneau-{offer.plastics.id}"')[1].split("</li>")[0]
    options = re.findall(r'<option value="(\d+)">', row)
    assert options == [str(published.id), str(day30.id)]
    forge_row = text.split(f'id="creneau-{offer.gier.id}"')[1].split("</li>")[0]
    assert "<select" not in forge_row and "Aucun tour en préparation ce jour-là." in forge_row


def test_another_territorys_drafts_are_neither_offered_nor_named(client, offer, make_tour, make_user, sign_in):
    """Another territory's draft of that day is not in « Ajouter » nor named among the tours a slot is in;
    its published tour is named (it is public), but not offered: one adds slots to one's own tours."""
    elsewhere = make_user(Role.ORGANISER, organisation="Saint-Étienne Métropole")
    draft = make_tour(organiser=elsewhere, title="Brouillon stéphanois", start=future(30, 8, 30), end=future(30, 17))
    published = make_tour(
        organiser=elsewhere, published=True, title="Tour stéphanois publié", start=future(30, 8), end=future(30, 12)
    )
    set_candidates(draft, [offer.plastics.id], elsewhere)
    set_candidates(published, [offer.plastics.id], elsewhere)
    db.session.commit()
    sign_in(offer.organiser)
    row = text_of(client.get(PAGE)).split(f'id="creneau-{offer.plastics.id}"')[1].split("</li>")[0]
    assert "Brouillon stéphanois" not in row
    assert "Tour stéphanois publié" in row
    assert re.findall(r'<option value="(\d+)">', row) == []


def test_add_to_tour_keeps_the_existing_candidates(client, offer, make_tour, sign_in):
    """Adding a slot puts it among the tour's candidates beside those already there; twice changes nothing."""
    tour = make_tour(organiser=offer.organiser, start=future(30, 8, 30), end=future(30, 17))
    set_candidates(tour, [offer.metal.id], offer.organiser)
    db.session.commit()
    sign_in(offer.organiser)
    response = client.post(f"{PAGE}/{offer.plastics.id}/ajouter", data={"tour_id": tour.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(c.slot_id for c in tour.candidates) == sorted([offer.metal.id, offer.plastics.id])
    assert "ajoutée aux visites possibles" in text_of(client.get(PAGE))
    client.post(f"{PAGE}/{offer.plastics.id}/ajouter", data={"tour_id": tour.id})
    db.session.expire_all()
    assert len(tour.candidates) == 2
    assert "fait déjà partie des visites possibles" in text_of(client.get(PAGE))


@pytest.mark.parametrize("case", ["declined", "other day", "cancelled tour", "unknown tour", "no tour"])
def test_add_to_tour_refusals(client, offer, make_tour, sign_in, case):
    """A declined slot, a tour of another day or a cancelled tour are refused in French; nothing is added."""
    tour = make_tour(organiser=offer.organiser, start=future(30, 8, 30), end=future(30, 17))
    slot = offer.plastics
    data = {"tour_id": tour.id}
    expected = 302
    if case == "declined":
        slot.status = SlotStatus.DECLINED
        message = "ce créneau est décliné"
    elif case == "other day":
        slot = offer.gier
        message = "pas le jour de ce créneau"
    elif case == "cancelled tour":
        cancel_tour(tour, offer.organiser, None)
        message = "ce tour est annulé"
    elif case == "unknown tour":
        data = {"tour_id": 999_999}
        expected, message = 404, "Ce tour n'existe pas."
    else:
        data, message = {}, "choisissez un tour dans la liste"
    db.session.commit()
    sign_in(offer.organiser)
    response = client.post(f"{PAGE}/{slot.id}/ajouter", data=data)
    assert response.status_code == expected
    text = text_of(response) if expected != 302 else text_of(client.get(PAGE, query_string={"statut": "tous"}))
    assert message in text
    db.session.expire_all()
    assert tour.candidates == []


def test_unknown_slot_is_a_french_404(client, offer, sign_in):
    """Acting on a slot that does not exist answers a French 404 page."""
    sign_in(offer.organiser)
    response = client.post(f"{PAGE}/999999/accepter")
    assert response.status_code == 404 and "Aucun créneau n°999999." in text_of(response)
