"""The cohort pages' tour comes from one domain query that knows what a cohort is and who may read it."""

from __future__ import annotations

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.cohorts import operations
from tourplanner.errors import NotFound


def test_get_cohort_finds_a_cohort_and_nothing_else(make_cohort, make_tour, make_user, organiser) -> None:
    """get_cohort gives a cohort to a reader; another kind of tour and a draft cohort of its organiser are 404
    to others."""
    cohort = make_cohort()
    prescriber = make_user(Role.PRESCRIBER)
    assert operations.get_cohort(prescriber, cohort.id) is cohort
    with pytest.raises(NotFound):
        operations.get_cohort(organiser, make_tour(published=True, organiser=organiser).id)
    draft = make_cohort(published=False)
    assert operations.get_cohort(organiser, draft.id) is draft
    with pytest.raises(NotFound):
        operations.get_cohort(prescriber, draft.id)
