"""Participants' personal data is anonymised after the retention period; every figure stays."""

from __future__ import annotations

from datetime import date

import time_machine

from tests.impact.conftest import paris
from tourplanner.bookings.models import Participant
from tourplanner.extensions import db
from tourplanner.impact import jobs
from tourplanner.impact.figures import BilanFilter
from tourplanner.impact.models import PerceptionAnswer
from tourplanner.impact.operations import ANONYMISED_NAME, set_retention
from tourplanner.impact.queries import compute_bilan


def _names() -> dict[str, str | None]:
    db.session.expire_all()
    return {p.name: p.email for p in db.session.query(Participant)}


def test_anonymised_after_24_months_by_default_keeping_the_bilan(seeded):
    """T1 (10 February 2027) ends up anonymised on 11 February 2029, not the day before; the bilan is unchanged."""
    db.session.query(PerceptionAnswer).filter_by(tour_id=seeded.tours["T1"].id).update({"comment": "Nom cité"})
    db.session.commit()
    figures = compute_bilan(BilanFilter(date(2027, 1, 1), date(2027, 6, 30)))
    with time_machine.travel(paris(2029, 2, 10, 12), tick=False):
        assert jobs.anonymise_personal_data() == 1  # Zoé, of T0 (31 December 2026)
    assert "Alice" in _names() and "Zoé" not in _names()
    with time_machine.travel(paris(2029, 2, 11, 12), tick=False):
        count = jobs.anonymise_personal_data()
    names = _names()
    assert "Alice" not in names and "Chloé" not in names and "Zoé" not in names  # T0 and T1
    assert "Farid" in names  # T2, a month later
    assert names[ANONYMISED_NAME] is None
    assert count == 5  # T1's five people
    assert all(a.comment is None for a in db.session.query(PerceptionAnswer).filter_by(tour_id=seeded.tours["T1"].id))
    assert compute_bilan(BilanFilter(date(2027, 1, 1), date(2027, 6, 30))) == figures
    with time_machine.travel(paris(2029, 2, 12, 12), tick=False):
        assert jobs.anonymise_personal_data() == 0  # nothing left to do


def test_the_organiser_sets_a_shorter_retention(seeded):
    """With 6 months, T2's people (15 March 2027) are anonymised by mid-September 2027."""
    set_retention(6, seeded.organiser)
    db.session.commit()
    with time_machine.travel(paris(2027, 9, 16, 12), tick=False):
        jobs.anonymise_personal_data()
    names = _names()
    assert "Farid" not in names and "Hugo" in names
