"""The minimum of participants: at the go/no-go date, too few confirmed seats cancel the tour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import future
from tourplanner import jobs
from tourplanner.mail.models import OutboxMail
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.operations import MINIMUM_NOT_REACHED

#: The go/no-go date of the tours below, and a moment just after it (the tours start on day 30).
GO_NO_GO_AT = future(20, 12, 0)
AFTER = GO_NO_GO_AT + timedelta(minutes=5)


@pytest.fixture
def cancelled_tours(monkeypatch) -> list[tuple[int, str | None]]:
    """(tour id, reason) of each cancellation marked for everyone's calendars, recorded instead of mailed."""
    from tourplanner.tours import operations as tour_ops
    from tourplanner.tours.enums import TourStatus as Status

    told: list[tuple[int, str | None]] = []

    def record(tour) -> None:
        if tour.status is Status.CANCELLED:
            told.append((tour.id, tour.cancellation_reason))

    monkeypatch.setattr(tour_ops, "plan_changed", record)
    return told


def test_an_under_filled_tour_is_cancelled_once(make_tour, prescriber_of, booked, db, cancelled_tours) -> None:
    """Past the go/no-go date, fewer confirmed seats than the minimum cancel the tour; a second run does nothing."""
    tour = make_tour(published=True, min_participants=5, go_no_go_at=GO_NO_GO_AT)
    booked(prescriber_of("Mission locale de Lyon"), tour.id, 4)
    assert jobs.go_no_go(AFTER) == 1
    assert jobs.go_no_go(AFTER + timedelta(minutes=10)) == 0
    db.session.refresh(tour)
    assert tour.status is TourStatus.CANCELLED
    assert cancelled_tours == [(tour.id, MINIMUM_NOT_REACHED)]


def test_a_filled_tour_goes_ahead_for_good(make_tour, prescriber_of, booked, db, cancelled_tours) -> None:
    """Enough confirmed seats at the go/no-go date: the tour goes ahead, even if bookings are cancelled later."""
    tour = make_tour(published=True, min_participants=5, go_no_go_at=GO_NO_GO_AT)
    lyon = prescriber_of("Mission locale de Lyon 2e")
    first = booked(lyon, tour.id, 3)
    booked(lyon, tour.id, 2)
    assert jobs.go_no_go(AFTER) == 0
    db.session.refresh(tour)
    assert tour.status is TourStatus.PUBLISHED and tour.go_confirmed_at is not None
    assert lyon.delete(f"/bookings/{first['id']}").status_code == 200
    assert jobs.go_no_go(AFTER + timedelta(minutes=10)) == 0
    db.session.refresh(tour)
    assert tour.status is TourStatus.PUBLISHED and cancelled_tours == []


def test_nothing_is_decided_before_the_go_no_go_date(make_tour, db, cancelled_tours) -> None:
    """Before the go/no-go date an empty tour stays open; a closed one past its date is checked too."""
    early = make_tour(published=True, min_participants=5, go_no_go_at=GO_NO_GO_AT)
    assert jobs.go_no_go(GO_NO_GO_AT - timedelta(minutes=1)) == 0
    db.session.refresh(early)
    assert early.status is TourStatus.PUBLISHED
    early.status = TourStatus.CLOSED
    db.session.commit()
    assert jobs.go_no_go(AFTER) == 1
    assert cancelled_tours == [(early.id, MINIMUM_NOT_REACHED)]


def test_tours_without_a_minimum_or_not_open_are_left_alone(make_tour, db, cancelled_tours) -> None:
    """A tour with no minimum, or a draft, is never cancelled by the job."""
    no_minimum = make_tour(published=True)
    draft = make_tour(min_participants=5, go_no_go_at=GO_NO_GO_AT)
    assert jobs.go_no_go(AFTER) == 0
    db.session.refresh(no_minimum)
    db.session.refresh(draft)
    assert (no_minimum.status, draft.status) == (TourStatus.PUBLISHED, TourStatus.DRAFT)
    assert cancelled_tours == []


def test_the_cancellation_is_mailed_to_those_booked(make_tour, prescriber_of, booked, db) -> None:
    """Each prescriber with a confirmed seat gets one CANCEL invitation giving the reason, however often the job
    runs."""
    tour = make_tour(published=True, min_participants=10, go_no_go_at=GO_NO_GO_AT)
    lyon = prescriber_of("Mission locale de Lyon 3e")
    booked(lyon, tour.id, 2)
    jobs.go_no_go(AFTER)
    jobs.send_calendar_updates()  # the scheduler's next job brings calendars up to date
    jobs.go_no_go(AFTER + timedelta(minutes=10))
    jobs.send_calendar_updates()
    cancels = db.session.scalars(
        select(OutboxMail).where(OutboxMail.recipient == lyon.user.email, OutboxMail.ics_method == "CANCEL")
    ).all()
    assert len(cancels) == 1
    assert MINIMUM_NOT_REACHED in cancels[0].body_text


def test_a_tour_that_went_ahead_is_not_checked_again(make_tour, prescriber_of, booked, db, cancelled_tours) -> None:
    """The domain check itself leaves a tour marked as going ahead, whatever its seats now."""
    from tourplanner.tours.operations import cancel_if_under_minimum

    tour = make_tour(published=True, min_participants=2, go_no_go_at=GO_NO_GO_AT)
    lyon = prescriber_of("Mission locale de Lyon 4e")
    first = booked(lyon, tour.id, 2)
    assert cancel_if_under_minimum(tour, AFTER) is False
    db.session.commit()
    assert lyon.delete(f"/bookings/{first['id']}").status_code == 200
    assert cancel_if_under_minimum(tour, AFTER) is False
    assert cancelled_tours == []


def test_bookings_close_at_the_deadline_once_with_an_audit_entry(make_tour, db) -> None:
    """Past its booking deadline a published tour closes (audited as the system's act); a second run closes nothing,
    and a draft past its deadline stays a draft."""
    from tourplanner.audit.models import AuditEntry
    from tourplanner.tours.operations import close_bookings

    tour = make_tour(published=True)
    draft = make_tour()
    deadline = tour.booking_deadline_at
    assert close_bookings(tour, deadline - timedelta(minutes=1)) is False
    assert close_bookings(tour, deadline) is True and tour.status is TourStatus.CLOSED
    assert close_bookings(tour, deadline + timedelta(minutes=1)) is False
    assert close_bookings(draft, deadline + timedelta(days=1)) is False and draft.status is TourStatus.DRAFT
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "tour.close")).all()
    assert [(e.object_id, e.actor_id) for e in entries] == [(tour.id, None)]
