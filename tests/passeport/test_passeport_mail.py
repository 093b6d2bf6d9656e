"""The passeport goes by mail after the visit: once per tour, to the referent and the participants with an address."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mail.smtp_sink import SmtpSink
from tests.passeport.helpers import paris
from tourplanner import jobs
from tourplanner.bookings import operations as booking_ops
from tourplanner.extensions import db
from tourplanner.passeport.operations import online_url
from tourplanner.scheduler import JOBS
from tourplanner.tours import operations as tour_ops
from tourplanner.tours.details import TourDetails


@pytest.fixture
def config_overrides(mailbox: SmtpSink) -> dict[str, Any]:
    """Mail goes to the test SMTP server, only when the outbox is delivered."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "off"}


def _passeports(mailbox: SmtpSink) -> list[Any]:
    return [m for m in mailbox.received if m.message["Subject"].startswith("Votre passeport métiers")]


def test_mailed_after_the_tour_to_referent_and_participants_once(scene, mailbox, frozen_clock) -> None:
    """After the tour ends: one mail each to the prescriber and to the participant with an address, never twice."""
    frozen_clock.move_to(paris(9, 16))  # the tour is still on
    assert jobs.send_passeports() == 0
    frozen_clock.move_to(paris(9, 17, 30))
    assert jobs.send_passeports() == 2
    assert jobs.send_passeports() == 0
    jobs.deliver_outbox()
    mails = _passeports(mailbox)
    assert sorted(m.recipients[0] for m in mails) == ["ines@example.fr", "paul@ft.example"]
    url = online_url(scene["booking"])
    for mail in mails:
        body = mail.message.get_body(("plain",)).get_content()
        assert url in body and f"{url}/pdf" in body
        assert mail.message["Subject"] == "Votre passeport métiers — ZI Tour Vallée du Gier du 09/03/2027"


def test_not_at_night_nor_for_cancelled_tours_or_bookings(scene, make_user, mailbox, frozen_clock) -> None:
    """No mail at 23:00 (it waits for the morning); a cancelled booking or tour gets none."""
    frozen_clock.move_to(paris(9, 23))
    assert jobs.send_passeports() == 0
    frozen_clock.move_to(paris(10, 8, 5))
    booking_ops.cancel_booking(scene["booking"], scene["organiser"])
    db.session.commit()
    assert jobs.send_passeports() == 0  # the tour's round is done, with no booking left to mail
    other = tour_ops.create_tour(
        TourDetails(
            title="Tour annulé",
            start=paris(9, 8),
            end=paris(9, 12),
            meeting_point_name="Gare",
            meeting_lat=45.5,
            meeting_lon=4.6,
            bus_seats=[10],
            booking_deadline=paris(5, 18),
        ),
        scene["organiser"],
    )
    other.status = other.status.CANCELLED
    db.session.commit()
    assert jobs.send_passeports() == 0


def test_the_scheduler_runs_it_every_quarter_of_an_hour() -> None:
    """The job body is wired in the scheduler."""
    assert JOBS["send_passeports"].body is jobs.send_passeports
    assert JOBS["send_passeports"].interval_seconds == 15 * 60
