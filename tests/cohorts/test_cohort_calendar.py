"""A cohort in calendars: one recurring VEVENT (RRULE + EXDATE), overrides by RECURRENCE-ID, higher SEQUENCEs.

Mails go through the real SMTP sink; feeds through the feed route. Both are parsed with
icalendar and expanded with recurring-ical-events, as a calendar client would.
"""

from __future__ import annotations

from datetime import date

import recurring_ical_events
from icalendar import Calendar

from tests.calendar.conftest import settle_calendars
from tests.cohorts.conftest import paris
from tests.mail.smtp_sink import invitation_of
from tourplanner.accounts.enums import Role
from tourplanner.calendar.tokens import feed_secret
from tourplanner.cohorts import operations
from tourplanner.cohorts.enums import SessionStatus
from tourplanner.extensions import db
from tourplanner.mail.operations import deliver_pending

#: Tuesdays from 5 January to 29 June 2027 less zone A's winter (16, 23 Feb) and spring (13, 20 Apr) holidays.
SKIPPED = [date(2027, 2, 16), date(2027, 2, 23), date(2027, 4, 13), date(2027, 4, 20)]


def settle() -> None:
    """Calendars brought up to date after the commit, then the outbox delivered."""
    settle_calendars()
    deliver_pending()


def expand(calendar: Calendar) -> list:
    """The instances a calendar client shows, over the whole cohort's half-year."""
    return recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2027, 7, 31))


def session_on(tour, day: date):
    """The session planned on `day`."""
    return next(s for s in operations.series_of(tour).sessions if s.planned_start_at.date() == day)


def test_the_invitation_is_one_weekly_event_skipping_holidays(mailbox, make_cohort, make_user, join) -> None:
    """The referent's REQUEST holds one VEVENT with RRULE and EXDATE; expanded, it gives the 22 Tuesdays at 9:00."""
    tour = make_cohort()
    referent = make_user(Role.PRESCRIBER, name="Rémi Référent")
    join(tour, referent, [("Nina Roux", "nina@example.fr")])
    settle()
    [received] = mailbox.to(referent.email)
    invite = invitation_of(received)
    [event] = invite.calendar.walk("VEVENT")
    assert str(event["RRULE"].to_ical(), "ascii").startswith("FREQ=WEEKLY")
    assert event.start == paris(2027, 1, 5, 9) and event.end == paris(2027, 1, 5, 12)
    instances = expand(invite.calendar)
    days = [i.start.date() for i in instances]
    assert len(days) == 22 and days[0] == date(2027, 1, 5) and days[-1] == date(2027, 6, 29)
    assert not set(SKIPPED) & set(days)
    assert {(i.start.hour, i.end.hour) for i in instances} == {(9, 12)}  # across the change to summer time
    assert all(i.start.utcoffset() == i.start.astimezone(paris(2027, 1, 1).tzinfo).utcoffset() for i in instances)
    assert "pas de séance (vacances scolaires (Vacances d'hiver, zone A))" in invite.text
    assert "du mardi 5 janvier 2027 et les semaines suivantes est confirmée" in invite.text
    # The participant with an address gets the same series, alone in it.
    [nina] = mailbox.to("nina@example.fr")
    assert len(expand(invitation_of(nina).calendar)) == 22


def test_a_moved_session_is_an_override_with_a_higher_sequence(
    mailbox, make_cohort, make_user, join, organiser
) -> None:
    """Moving 9 March to 14:00–17:00 at another place: SEQUENCE 1, an override whose RECURRENCE-ID is 9 March 9:00."""
    tour = make_cohort()
    referent = make_user(Role.PRESCRIBER)
    join(tour, referent, [("Nina Roux", None)])
    settle()
    mailbox.clear()
    operations.move_session(
        tour,
        session_on(tour, date(2027, 3, 9)),
        paris(2027, 3, 9, 14),
        paris(2027, 3, 9, 17),
        "Lycée Claude Lebois, Saint-Chamond",
        organiser,
    )
    db.session.commit()
    settle()
    [received] = mailbox.to(referent.email)
    invite = invitation_of(received)
    master, override = invite.calendar.walk("VEVENT")
    assert str(master["UID"]) == str(override["UID"]) == f"tour-{tour.id}@tourplanner.test"
    assert int(master["SEQUENCE"]) == int(override["SEQUENCE"]) == 1
    assert override["RECURRENCE-ID"].dt == paris(2027, 3, 9, 9)
    assert str(override["LOCATION"]) == "Lycée Claude Lebois, Saint-Chamond"
    instances = {i.start.date(): i for i in expand(invite.calendar)}
    assert len(instances) == 22
    assert (instances[date(2027, 3, 9)].start, instances[date(2027, 3, 9)].end) == (
        paris(2027, 3, 9, 14),
        paris(2027, 3, 9, 17),
    )
    assert instances[date(2027, 3, 16)].start == paris(2027, 3, 16, 9)


def test_a_cancelled_session_becomes_an_exdate_with_a_higher_sequence(
    mailbox, make_cohort, make_user, join, organiser
) -> None:
    """Cancelling 2 March: everyone gets SEQUENCE 1, the week is an EXDATE and the series has 21 instances."""
    tour = make_cohort()
    referent = make_user(Role.PRESCRIBER)
    join(tour, referent, [("Nina Roux", None)])
    settle()
    mailbox.clear()
    session = operations.cancel_session(tour, session_on(tour, date(2027, 3, 2)), "formateur absent", organiser)
    db.session.commit()
    assert session.status is SessionStatus.CANCELLED
    settle()
    [received] = mailbox.to(referent.email)
    invite = invitation_of(received)
    [event] = invite.calendar.walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1 and invite.method_param == "REQUEST"
    exdates = {
        d.dt for prop in (event["EXDATE"] if isinstance(event["EXDATE"], list) else [event["EXDATE"]]) for d in prop.dts
    }
    assert paris(2027, 3, 2, 9) in exdates
    days = [i.start.date() for i in expand(invite.calendar)]
    assert len(days) == 21 and date(2027, 3, 2) not in days
    # Nothing changed since: settling again sends nothing.
    mailbox.clear()
    settle()
    assert mailbox.to(referent.email) == []


def test_the_feed_shows_the_series_with_its_overrides(client, make_cohort, make_user, join, organiser) -> None:
    """The referent's feed has the master and one override; expanded: 21 sessions, the moved one at its new time."""
    tour = make_cohort()
    referent = make_user(Role.PRESCRIBER)
    join(tour, referent, [("Nina Roux", None)])
    operations.move_session(
        tour, session_on(tour, date(2027, 1, 12)), paris(2027, 1, 13, 9), paris(2027, 1, 13, 12), None, organiser
    )
    operations.cancel_session(tour, session_on(tour, date(2027, 6, 29)), None, organiser)
    db.session.commit()
    settle()
    response = client.get(f"/calendar/{feed_secret(referent)}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 2 and len({str(e["UID"]) for e in events}) == 1
    days = [i.start.date() for i in expand(calendar)]
    assert len(days) == 21
    assert date(2027, 1, 13) in days and date(2027, 1, 12) not in days and date(2027, 6, 29) not in days


def test_a_cancelled_cohort_sends_one_cancel_for_the_series(mailbox, make_cohort, make_user, join, organiser) -> None:
    """Cancelling the whole cohort: a CANCEL of the same UID with a higher SEQUENCE."""
    from tourplanner.tours.operations import cancel_tour

    tour = make_cohort()
    referent = make_user(Role.PRESCRIBER)
    join(tour, referent, [("Nina Roux", None)])
    settle()
    mailbox.clear()
    cancel_tour(tour, organiser, "financement arrêté")
    db.session.commit()
    settle()
    [received] = mailbox.to(referent.email)
    invite = invitation_of(received)
    [event] = invite.calendar.walk("VEVENT")
    assert invite.method_param == "CANCEL" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"tour-{tour.id}@tourplanner.test"
