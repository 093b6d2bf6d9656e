"""Read queries that serve one role check their reader themselves, without any route."""

from __future__ import annotations

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.errors import PermissionDenied
from tourplanner.tours.catalogue import my_bookings
from tourplanner.tours.queries import reverse_visits_to_come


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.PRESCRIBER, Role.AMBASSADOR])
def test_the_reverse_visits_list_is_for_company_contacts(make_user, role: Role) -> None:
    """reverse_visits_to_come refuses anyone but a company contact, who gets a list."""
    with pytest.raises(PermissionDenied):
        reverse_visits_to_come(make_user(role))
    assert reverse_visits_to_come(make_user(Role.COMPANY)) == []


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COMPANY, Role.AMBASSADOR])
def test_my_bookings_is_for_prescribers(make_user, role: Role) -> None:
    """my_bookings refuses anyone but a prescriber, who gets their (here empty) bookings."""
    with pytest.raises(PermissionDenied):
        my_bookings(make_user(role))
    mine = my_bookings(make_user(Role.PRESCRIBER))
    assert (mine.upcoming, mine.past) == ([], [])
