"""Attendance per session, and the referent's alert after two absences in a row (once per streak)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cohorts.conftest import paris
from tourplanner.accounts.enums import Role
from tourplanner.bookings.enums import Attendance
from tourplanner.cohorts import operations
from tourplanner.cohorts.models import AbsenceAlert
from tourplanner.errors import Conflict, InvalidInput, PermissionDenied
from tourplanner.extensions import db
from tourplanner.mail.models import OutboxMail
from tourplanner.mail.operations import deliver_pending

ABSENT, PRESENT = Attendance.ABSENT, Attendance.PRESENT


def held(tour) -> list:
    """The cohort's sessions that take place, in order."""
    return [s for s in operations.series_of(tour).sessions if s.is_held]


@pytest.fixture
def cohort(make_cohort, make_user, join):
    """A cohort with Nina (referent Rémi) and Paul (referent Rose); the clock then at the end of June 2027."""
    tour = make_cohort()
    remi = make_user(Role.PRESCRIBER, name="Rémi Référent", email="remi@example.fr")
    rose = make_user(Role.PRESCRIBER, name="Rose Référente", email="rose@example.fr")
    nina = join(tour, remi, [("Nina Roux", None)]).participants[0]
    paul = join(tour, rose, [("Paul Petit", None)]).participants[0]
    return tour, nina, paul


def mark(tour, organiser, session, marks) -> list:
    """Record attendance as of the end of June 2027, committed."""
    alerts = operations.record_attendance(tour, session, marks, organiser, now=paris(2027, 6, 30, 12))
    db.session.commit()
    return alerts


def alert_mails(address: str) -> list[OutboxMail]:
    """The absence alerts queued for `address`."""
    return [m for m in db.session.query(OutboxMail).filter_by(recipient=address) if "Absences" in m.subject]


def test_two_absences_in_a_row_alert_the_referent_once(cohort, organiser, mailbox) -> None:
    """Absent at sessions 1 and 2: one mail to Nina's referent (and not Paul's); a third absence sends nothing more."""
    tour, nina, paul = cohort
    sessions = held(tour)
    assert mark(tour, organiser, sessions[0], {nina.id: ABSENT, paul.id: PRESENT}) == []
    [alert] = mark(tour, organiser, sessions[1], {nina.id: ABSENT, paul.id: PRESENT})
    assert alert.participant_id == nina.id and alert.first_session_id == sessions[0].id
    assert mark(tour, organiser, sessions[2], {nina.id: ABSENT, paul.id: ABSENT}) == []
    [mail] = alert_mails("remi@example.fr")
    assert "Nina Roux" in mail.body_text and "2 séances d'affilée" in mail.body_text
    assert "mardi 05/01, mardi 12/01" in mail.body_text
    assert alert_mails("rose@example.fr") == []
    deliver_pending()
    [received] = mailbox.to("remi@example.fr")
    assert received.message["Subject"] == f"Absences répétées : Nina Roux — {tour.title}"


def test_a_new_streak_after_a_presence_alerts_again(cohort, organiser) -> None:
    """Absent, absent, present, absent, absent: two streaks, two mails."""
    tour, nina, _ = cohort
    for session, attendance in zip(held(tour), [ABSENT, ABSENT, PRESENT, ABSENT, ABSENT], strict=False):
        mark(tour, organiser, session, {nina.id: attendance})
    assert len(alert_mails("remi@example.fr")) == 2
    assert db.session.query(AbsenceAlert).count() == 2


def test_absences_apart_alert_no_one(cohort, organiser) -> None:
    """Absent, present, absent: no two in a row, no mail."""
    tour, nina, _ = cohort
    for session, attendance in zip(held(tour), [ABSENT, PRESENT, ABSENT], strict=False):
        mark(tour, organiser, session, {nina.id: attendance})
    assert alert_mails("remi@example.fr") == []


def test_holidays_between_two_absences_do_not_break_the_streak(cohort, organiser) -> None:
    """Absent on 9 and on 2 March, with the winter holidays between: that is two sessions in a row."""
    tour, nina, _ = cohort
    by_day = {s.planned_start_at.date(): s for s in held(tour)}
    mark(tour, organiser, by_day[date(2027, 2, 9)], {nina.id: ABSENT})
    mark(tour, organiser, by_day[date(2027, 3, 2)], {nina.id: ABSENT})
    assert len(alert_mails("remi@example.fr")) == 1


def test_attendance_waits_for_the_session_and_names_only_members(cohort, organiser, make_user) -> None:
    """Before it begins: 409; someone outside the cohort: 422 naming them; a prescriber: refused."""
    tour, nina, _ = cohort
    later = held(tour)[-1]
    with pytest.raises(Conflict):
        operations.record_attendance(tour, later, {nina.id: PRESENT}, organiser, now=paris(2027, 1, 1))
    with pytest.raises(InvalidInput) as error:
        operations.record_attendance(tour, later, {999999: PRESENT}, organiser, now=paris(2027, 6, 30))
    assert error.value.errors[0].field == "participants.999999"
    with pytest.raises(PermissionDenied):
        operations.record_attendance(
            tour, later, {nina.id: PRESENT}, make_user(Role.PRESCRIBER), now=paris(2027, 6, 30)
        )


def test_a_skipped_week_takes_no_attendance(cohort, organiser) -> None:
    """16 February (winter holidays) has no session: 409."""
    tour, nina, _ = cohort
    skipped = next(s for s in operations.series_of(tour).sessions if not s.is_held)
    with pytest.raises(Conflict):
        operations.record_attendance(tour, skipped, {nina.id: ABSENT}, organiser, now=paris(2027, 6, 30))


def test_a_cancelled_cohort_takes_no_attendance(cohort, organiser) -> None:
    """Once the cohort is cancelled, recording attendance is a 409."""
    from tourplanner.tours.operations import cancel_tour

    tour, nina, _ = cohort
    cancel_tour(tour, organiser, None)
    db.session.commit()
    with pytest.raises(Conflict):
        operations.record_attendance(tour, held(tour)[0], {nina.id: ABSENT}, organiser, now=paris(2027, 6, 30))
