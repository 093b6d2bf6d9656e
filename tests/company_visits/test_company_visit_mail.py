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


def test_the_invitation_text_and_event_carry_the_agenda(mailbox, organiser, referent, session) -> None:  # noqa: ANN001
    """The referent's invitation: text part and DESCRIPTION list briefing, visit and debriefing with time and place."""
    organiser.put(f"/tours/{session.id}/agenda", json=agenda_body())
    referent.post(f"/tours/{session.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa"}]})
    deliver_pending()  # anything still due
    mailbox.wait_for(1)
    [received] = mailbox.to(referent.user.email)
    invite = invitation_of(received)
    for line in ("08:30  Briefing — Café de la Gare, Rive-de-Gier", "09:15  Visite — Chantier Bâtir Gier, quai du Canal",
                 "11:30  Débriefing — Mission locale, salle 2"):
        assert line in invite.text
        assert line in str(invite.event["DESCRIPTION"])
