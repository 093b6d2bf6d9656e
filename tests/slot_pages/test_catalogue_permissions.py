"""The organisers' slot catalogue queries check their reader themselves, without any route."""

from __future__ import annotations

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.errors import PermissionDenied
from tourplanner.pagination import PageRequest
from tourplanner.sites import catalogue


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_the_slot_catalogue_is_for_organisers(make_user, make_slot, role: Role) -> None:
    """catalogue_slots, its pages and filter_territories refuse anyone but an organiser, who sees the slots."""
    slot = make_slot()
    reader = make_user(role)
    filters = catalogue.SlotFilters()
    for query in (
        lambda: catalogue.catalogue_slots(filters, reader),
        lambda: catalogue.catalogue_slots_page(filters, PageRequest(limit=20), reader),
        lambda: catalogue.filter_territories(reader),
    ):
        with pytest.raises(PermissionDenied):
            query()
    organiser = make_user(Role.ORGANISER)
    assert [row.slot.id for row in catalogue.catalogue_slots(filters, organiser)] == [slot.id]
    assert [row.slot.id for row in catalogue.catalogue_slots_page(filters, PageRequest(limit=20), organiser).items] == [
        slot.id
    ]
    catalogue.filter_territories(organiser)  # no refusal for an organiser
