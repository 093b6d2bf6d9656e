"""The demo's two years of past activity: a realistic bilan on first start, loaded once, dates from the anchor."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from tests.impact.conftest import paris
from tourplanner import demo
from tourplanner.demo_impact import load_impact_demo
from tourplanner.impact.figures import BilanFilter
from tourplanner.impact.models import Outcome, PerceptionAnswer
from tourplanner.impact.queries import compute_bilan
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour


def test_two_years_of_past_tours_with_attendance_answers_and_outcomes(db):
    """Loaded on 10 March 2027: ~two tours a month before that day; figures in every part of the bilan; again:
    nothing."""
    with time_machine.travel(paris(2027, 3, 10, 10), tick=False):
        demo.load_demo()
        db.session.commit()
        past = db.session.scalars(select(Tour).where(Tour.title.like("% – bilan n°%"))).all()
        days = sorted(to_local(t.start_at).date() for t in past)
        assert len(past) >= 44 and days[0] >= paris(2025, 3, 1).date() and days[-1] < paris(2027, 3, 10).date()
        assert all(demo.is_working_day(day) for day in days)
        assert sum(t.status is TourStatus.CANCELLED for t in past) == 2
        figures = compute_bilan(BilanFilter(days[0], days[-1]))
        # The demo's programme also held tours of its own in those weeks (tourplanner.demo's past tours).
        held = db.session.scalars(
            select(Tour).where(Tour.title.not_like("% – bilan n°%"), Tour.status == TourStatus.DONE)
        ).all()
        held = [t for t in held if days[0] <= to_local(t.start_at).date() <= days[-1]]
        assert figures.actions == len(past) - 2 + len(held)
        assert figures.participants > 200 and figures.companies >= 10 and figures.prescribers >= 5
        assert figures.recruitments > 0 and figures.trainings > 0 and figures.internships > 0
        assert all(p.answered > 0 for p in figures.perception.values())
        counts = (
            db.session.scalar(select(func.count(Outcome.id))),
            db.session.scalar(select(func.count(PerceptionAnswer.id))),
        )
    with time_machine.travel(paris(2027, 3, 10, 10) + timedelta(days=75), tick=False):
        assert load_impact_demo() == 0  # weeks later: same anchor, nothing added
        db.session.commit()
        assert (
            db.session.scalar(select(func.count(Outcome.id))),
            db.session.scalar(select(func.count(PerceptionAnswer.id))),
        ) == counts
