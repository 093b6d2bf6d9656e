"""The reminder before a tour and the follow-up after it: jobs that mail each person once."""

from __future__ import annotations

from datetime import timedelta

from tourplanner import jobs
from tourplanner.accounts.enums import Role
from tourplanner.mail.operations import deliver_pending
from tourplanner.tours.models import AmbassadorAssignment


def _concerned_tour(make_tour, make_user, make_site, add_stop, book, db):
    tour = make_tour(published=True)
    site = make_site(name="Chaudronnerie du Pilat")
    contact = make_user(Role.COMPANY, organisation=site.organisation.name)
    add_stop(tour, site, hour=10)
    prescriber = make_user(Role.PRESCRIBER)
    book(tour, prescriber, participants=[("Léa", "lea@example.fr")])
    ambassador = make_user(Role.AMBASSADOR)
    db.session.add(AmbassadorAssignment(tour=tour, bus=tour.buses[0], user=ambassador))
    db.session.commit()
    return tour, {prescriber.email, "lea@example.fr", ambassador.email, contact.email}


def test_the_reminder_goes_once_two_days_before(mailbox, make_tour, make_user, make_site, add_stop, book, db):
    """A day before the tour each person concerned gets one reminder with the programme; a second run sends none."""
    tour, people = _concerned_tour(make_tour, make_user, make_site, add_stop, book, db)
    deliver_pending()
    mailbox.clear()
    assert jobs.send_reminders(now=tour.start_at - timedelta(days=5)) == 0  # too early
    now = tour.start_at - timedelta(days=1)
    assert jobs.send_reminders(now=now) == 4
    assert jobs.send_reminders(now=now + timedelta(hours=1)) == 0
    deliver_pending()
    assert {r.recipients[0] for r in mailbox.received} == people
    assert len(mailbox.received) == 4
    lea = mailbox.to("lea@example.fr")[0].message
    assert lea["Subject"].startswith("Rappel : ")
    assert "10h00  Chaudronnerie du Pilat" in lea.get_body(("plain",)).get_content()


def test_no_reminder_at_night(mailbox, make_tour, make_user, make_site, add_stop, book, db):
    """The reminder job waits for the morning."""
    tour, _ = _concerned_tour(make_tour, make_user, make_site, add_stop, book, db)
    night = tour.start_at - timedelta(days=1, hours=6)  # 2h30 in Paris
    assert jobs.send_reminders(now=night) == 0


def test_the_follow_up_goes_once_the_day_after(mailbox, make_tour, make_user, make_site, add_stop, book, db):
    """The day after the tour each person concerned gets one thank-you mail; the prescriber's links the attendance
    page."""
    tour, people = _concerned_tour(make_tour, make_user, make_site, add_stop, book, db)
    assert jobs.send_follow_ups(now=tour.end_at - timedelta(hours=2)) == 0  # still running
    now = tour.end_at + timedelta(hours=17)  # 10h00 the next morning
    assert jobs.send_follow_ups(now=now) == 4
    assert jobs.send_follow_ups(now=now + timedelta(hours=2)) == 0
    mailbox.clear()
    deliver_pending()
    thanked = {r.recipients[0] for r in mailbox.received if r.message["Subject"].startswith("Merci : ")}
    assert thanked == people
