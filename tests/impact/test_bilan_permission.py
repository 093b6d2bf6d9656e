"""compute_bilan checks its reader itself: a territory's bilan is for organisers, whatever the route."""

from __future__ import annotations

from datetime import date

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.errors import PermissionDenied
from tourplanner.impact.figures import BilanFilter
from tourplanner.impact.queries import compute_bilan

PERIOD = (date(2027, 1, 1), date(2027, 6, 30))


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_a_territory_bilan_refuses_anyone_but_an_organiser(make_user, role: Role) -> None:
    """Called without a route, compute_bilan refuses a prescriber, a company contact or an ambassador."""
    with pytest.raises(PermissionDenied):
        compute_bilan(BilanFilter(*PERIOD, organiser=make_user(role)))


def test_an_organiser_reads_their_territory_bilan(make_user) -> None:
    """An organiser's slice is computed (empty here)."""
    assert compute_bilan(BilanFilter(*PERIOD, organiser=make_user(Role.ORGANISER))).actions == 0
