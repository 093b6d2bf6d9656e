"""The invitation mail of an Ambassadeurs des métiers session carries its agenda, through a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.company_visits.helpers import agenda_body
from tests.mail.smtp_sink import SmtpSink, invitation_of
from tourplanner.mail.operations import deliver_pending


@pytest.fixture
def config_overrides(mailbox: SmtpSink) -> dict[str, Any]:
    """Send mail to the test server, at once after each request (no delivery thread to race)."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "sync"}


def test_the_invitation_text_and_event_carry_the_agenda(mailbox, organiser, referent, session) -> None:
    """The referent's invitation: text part and DESCRIPTION list briefing, visit and debriefing with time and place."""
    organiser.put(f"/tours/{session.id}/agenda", json=agenda_body())
    referent.post(f"/tours/{session.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa"}]})
    deliver_pending()  # anything still due
    mailbox.wait_for(1)
    [received] = mailbox.to(referent.user.email)
    invite = invitation_of(received)
    for line in (
        "08:30  Briefing — Café de la Gare, Rive-de-Gier",
        "09:15  Visite — Chantier Bâtir Gier, quai du Canal",
        "11:30  Débriefing — Mission locale, salle 2",
    ):
        assert line in invite.text
        assert line in str(invite.event["DESCRIPTION"])


def test_a_changed_agenda_reaches_the_people_already_told_once(mailbox, organiser, referent, session) -> None:
    """The debriefing moves to another room after the referent was invited: the referent receives one REQUEST,
    same UID, higher SEQUENCE, whose text carries the new place; setting the same agenda again sends nothing."""
    organiser.put(f"/tours/{session.id}/agenda", json=agenda_body())
    referent.post(f"/tours/{session.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa"}]})
    deliver_pending()
    mailbox.wait_for(1)
    [first] = [invitation_of(m) for m in mailbox.to(referent.user.email)]
    moved = agenda_body()
    moved["steps"][2]["place"] = "Mission locale, salle du conseil"
    assert organiser.put(f"/tours/{session.id}/agenda", json=moved).status_code == 200
    deliver_pending()
    mailbox.wait_for(2)
    invites = [invitation_of(m) for m in mailbox.to(referent.user.email)]
    assert len(invites) == 2
    update = invites[1]
    assert update.method_param == "REQUEST"
    assert update.event["UID"] == first.event["UID"]
    assert int(update.event["SEQUENCE"]) > int(first.event["SEQUENCE"])
    assert "11:30  Débriefing — Mission locale, salle du conseil" in update.text
    assert organiser.put(f"/tours/{session.id}/agenda", json=moved).status_code == 200
    deliver_pending()
    assert len(mailbox.to(referent.user.email)) == 2
