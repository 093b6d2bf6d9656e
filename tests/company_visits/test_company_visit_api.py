"""Ambassadeurs des métiers through the API: the three-step agenda and the debriefing's interest."""

from __future__ import annotations

import time_machine
from icalendar import Calendar

from tests.company_visits.helpers import agenda_body, paris
from tourplanner.accounts.enums import Role
from tourplanner.calendar.events import tour_events
from tourplanner.company_visits.models import ParticipantInterest


def test_organiser_sets_the_three_step_agenda(organiser, referent, session) -> None:
    """The agenda is kept in step order with Paris times and read by anyone signed in."""
    body = agenda_body()
    body["steps"].reverse()  # any order in the body: the steps say which is which
    response = organiser.put(f"/tours/{session.id}/agenda", json=body)
    assert response.status_code == 200, response.get_json()
    steps = referent.get(f"/tours/{session.id}/agenda").get_json()["steps"]
    assert [(s["step"], s["start"], s["place"]) for s in steps] == [
        ("briefing", "2027-03-09T08:30:00+01:00", "Café de la Gare, Rive-de-Gier"),
        ("visit", "2027-03-09T09:15:00+01:00", "Chantier Bâtir Gier, quai du Canal"),
        ("debriefing", "2027-03-09T11:30:00+01:00", "Mission locale, salle 2"),
    ]


def test_the_agenda_needs_all_three_steps_in_order(organiser, session) -> None:
    """A missing step, or a visit before the briefing: 422 naming the field, nothing kept."""
    body = agenda_body()
    body["steps"].pop()
    assert organiser.put(f"/tours/{session.id}/agenda", json=body).status_code == 422
    body = agenda_body()
    body["steps"][1]["start"] = paris(9, 8).isoformat()
    response = organiser.put(f"/tours/{session.id}/agenda", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["steps.1.start"]
    assert organiser.get(f"/tours/{session.id}/agenda").get_json()["steps"] == []


def test_only_a_company_visit_has_this_agenda(organiser, make_tour) -> None:
    """A ZI Tour refuses it with 409."""
    tour = make_tour(
        organiser=organiser.user, start=paris(9, 8, 30), end=paris(9, 12, 30), booking_deadline=paris(5, 18)
    )
    assert organiser.put(f"/tours/{tour.id}/agenda", json=agenda_body()).status_code == 409


def test_only_organisers_set_the_agenda(referent, session) -> None:
    """A prescriber gets 403."""
    assert referent.put(f"/tours/{session.id}/agenda", json=agenda_body()).status_code == 403


def test_invitation_and_feed_carry_the_agenda(organiser, referent, session, client) -> None:
    """The booker's event DESCRIPTION (mail and feed) lists the three steps with time and place."""
    organiser.put(f"/tours/{session.id}/agenda", json=agenda_body())
    referent.post(f"/tours/{session.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa"}]})
    [event] = [e for e in tour_events(session) if e.recipient == referent.user.email]
    assert "08:30  Briefing — Café de la Gare, Rive-de-Gier" in event.schedule
    assert "11:30  Débriefing — Mission locale, salle 2" in event.schedule
    feed = referent.get("/me/calendar").get_json()["url"].removeprefix("http://tourplanner.test")
    calendar = Calendar.from_ical(client.get(feed).data)
    [vevent] = calendar.walk("VEVENT")
    description = str(vevent["DESCRIPTION"])
    assert "Déroulé :" in description and "09:15  Visite — Chantier Bâtir Gier, quai du Canal" in description


def _book(referent, session, *names: str) -> list[int]:
    """Book seats for these people; their participant ids, as GET /debriefing lists them."""
    booking = referent.post(
        f"/tours/{session.id}/bookings", json={"seats": len(names), "participants": [{"name": n} for n in names]}
    ).get_json()
    listed = referent.get(f"/tours/{session.id}/debriefing").get_json()["participants"]
    return [p["participant_id"] for p in listed if p["booking_id"] == booking["id"]]


def test_organiser_records_interest_at_the_debriefing(organiser, referent, api_as, session, db) -> None:
    """Once the session began: yes/maybe/no kept per person (a second answer replaces the first); referents see their
    own."""
    ids = _book(referent, session, "Léa", "Marc", "Samir")
    other = api_as(Role.PRESCRIBER)
    [other_id] = _book(other, session, "Inès")
    with time_machine.travel(paris(9, 11, 45), tick=False):
        for participant_id, interest in zip(ids, ["yes", "maybe", "no"], strict=True):
            response = organiser.put(
                f"/tours/{session.id}/participants/{participant_id}/interest", json={"interest": interest}
            )
            assert response.status_code == 200, response.get_json()
        organiser.put(f"/tours/{session.id}/participants/{ids[2]}/interest", json={"interest": "maybe"})
    assert db.session.query(ParticipantInterest).count() == 3
    seen = referent.get(f"/tours/{session.id}/debriefing").get_json()["participants"]
    assert [(p["name"], p["interest"]) for p in seen] == [("Léa", "yes"), ("Marc", "maybe"), ("Samir", "maybe")]
    everyone = organiser.get(f"/tours/{session.id}/debriefing").get_json()["participants"]
    assert [p["participant_id"] for p in everyone] == [*ids, other_id]


def test_interest_waits_for_the_session(organiser, referent, session) -> None:
    """Before the session begins: 409."""
    [participant_id] = _book(referent, session, "Léa")
    response = organiser.put(f"/tours/{session.id}/participants/{participant_id}/interest", json={"interest": "yes"})
    assert response.status_code == 409


def test_only_organisers_record_interest_and_values_are_checked(organiser, referent, session) -> None:
    """A prescriber gets 403; an unknown value 422."""
    [participant_id] = _book(referent, session, "Léa")
    path = f"/tours/{session.id}/participants/{participant_id}/interest"
    with time_machine.travel(paris(9, 11, 45), tick=False):
        assert referent.put(path, json={"interest": "yes"}).status_code == 403
        response = organiser.put(path, json={"interest": "sans doute"})
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "interest"
