"""Ambassadeurs des métiers in the pages: agenda form and display, debriefing, the referent's follow-up."""

from __future__ import annotations

import html
import re

import time_machine

from tests.company_visits.helpers import agenda_body, paris
from tourplanner.company_visits.models import AgendaItem, ParticipantInterest
from tourplanner.extensions import db


def _text(response) -> str:
    """The page's text: tags dropped, spaces collapsed, entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


AGENDA_FORM = {
    "briefing_start": "2027-03-09T08:30",
    "briefing_place": "Café de la Gare, Rive-de-Gier",
    "visit_start": "2027-03-09T09:15",
    "visit_place": "Chantier Bâtir Gier",
    "debriefing_start": "2027-03-09T11:30",
    "debriefing_place": "Mission locale, salle 2",
}


def test_organiser_sets_the_agenda_and_everyone_sees_it(client, sign_in, organiser, referent, session) -> None:
    """The form keeps the three steps in Paris time; the tour's page shows them to a prescriber."""
    sign_in(organiser.user)
    response = client.post(f"/tours/{session.id}/deroule", data=AGENDA_FORM)
    assert response.status_code == 302
    items = db.session.query(AgendaItem).order_by(AgendaItem.start_at).all()
    assert [(i.step.value, i.start_at) for i in items] == [
        ("briefing", paris(9, 8, 30)),
        ("visit", paris(9, 9, 15)),
        ("debriefing", paris(9, 11, 30)),
    ]
    sign_in(referent.user)
    page = _text(client.get(f"/tours/{session.id}"))
    assert "08:30 Briefing — Café de la Gare, Rive-de-Gier" in page
    assert "11:30 Débriefing — Mission locale, salle 2" in page


def test_an_agenda_out_of_order_is_refused_in_french(client, sign_in, organiser, session) -> None:
    """A debriefing before the visit: 422 with the French reason, nothing kept."""
    sign_in(organiser.user)
    response = client.post(f"/tours/{session.id}/deroule", data={**AGENDA_FORM, "debriefing_start": "2027-03-09T09:00"})
    assert response.status_code == 422
    assert "Le débriefing doit suivre l'étape précédente." in _text(response)
    assert db.session.query(AgendaItem).count() == 0


def test_debriefing_interest_reaches_the_referents_bookings(client, sign_in, organiser, referent, session) -> None:
    """The organiser ticks yes / no on the debriefing page; the referent's « Mes inscriptions » shows it."""
    organiser.put(f"/tours/{session.id}/agenda", json=agenda_body())
    referent.post(
        f"/tours/{session.id}/bookings", json={"seats": 2, "participants": [{"name": "Léa"}, {"name": "Marc"}]}
    )
    [lea, marc] = [
        p["participant_id"] for p in referent.get(f"/tours/{session.id}/debriefing").get_json()["participants"]
    ]
    sign_in(organiser.user)
    with time_machine.travel(paris(9, 11, 45), tick=True):
        page = _text(client.get(f"/tours/{session.id}/debriefing"))
        assert "Léa" in page and "Oui, veut aller plus loin" in page
        response = client.post(f"/tours/{session.id}/debriefing", data={f"p{lea}": "yes", f"p{marc}": "no"})
        assert response.status_code == 302
        sign_in(referent.user)
        mine = _text(client.get("/mes-inscriptions"))
    assert "Au débriefing : oui, veut aller plus loin" in mine and "Au débriefing : non" in mine
    assert db.session.query(ParticipantInterest).count() == 2


def test_debriefing_before_the_session_is_refused(client, sign_in, organiser, referent, session) -> None:
    """Before the session begins the page answers 409 in French and records nothing."""
    referent.post(f"/tours/{session.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa"}]})
    [lea] = [p["participant_id"] for p in referent.get(f"/tours/{session.id}/debriefing").get_json()["participants"]]
    sign_in(organiser.user)
    response = client.post(f"/tours/{session.id}/debriefing", data={f"p{lea}": "yes"})
    assert response.status_code == 409
    assert "une fois la session commencée" in _text(response)
    assert db.session.query(ParticipantInterest).count() == 0


def test_only_organisers_open_the_debriefing(client, sign_in, referent, session) -> None:
    """A prescriber gets 403."""
    sign_in(referent.user)
    assert client.get(f"/tours/{session.id}/debriefing").status_code == 403
    assert client.get(f"/tours/{session.id}/deroule").status_code == 403
