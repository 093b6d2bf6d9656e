"""Who may register on a workshop and whose registrations each reader sees: rules of the workshops domain."""

from __future__ import annotations

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.errors import NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.workshops import operations


def test_ambassadors_may_not_register(make_workshop, make_user) -> None:
    """may_register offers the form to prescribers, company contacts and organisers, as register enforces."""
    workshop = make_workshop()
    for role in (Role.PRESCRIBER, Role.COMPANY, Role.ORGANISER):
        assert operations.may_register(make_user(role)) is True
    ambassador = make_user(Role.AMBASSADOR)
    assert operations.may_register(ambassador) is False
    with pytest.raises(PermissionDenied):
        operations.register(workshop, [operations.Person("Léa Martin", "lea.martin@example.fr")], ambassador)


def test_the_registrations_shown_are_all_for_the_organisers_and_ones_own_for_others(
    make_workshop, make_user, organiser
) -> None:
    """registrations_shown_to gives the tour's organiser every registration, a prescriber only theirs, and an
    organiser of another territory only their own (none)."""
    workshop = make_workshop()
    first, second = make_user(Role.PRESCRIBER), make_user(Role.PRESCRIBER)
    operations.register(workshop, [operations.Person("Léa Martin", "lea.martin@example.fr")], first)
    operations.register(workshop, [operations.Person("Yanis Benali", "yanis.benali@example.fr")], second)
    db.session.commit()
    assert {r.name for r in operations.registrations_shown_to(workshop, organiser.user)} == {
        "Léa Martin",
        "Yanis Benali",
    }
    assert [r.name for r in operations.registrations_shown_to(workshop, first)] == ["Léa Martin"]
    elsewhere = make_user(Role.ORGANISER, organisation="Territoire Loire")
    assert operations.registrations_shown_to(workshop, elsewhere) == []


def test_get_event_finds_a_workshop_event_and_nothing_else(event, make_tour, make_user) -> None:
    """get_event gives the workshop event to a reader and refuses a tour of another kind (404)."""
    prescriber = make_user(Role.PRESCRIBER)
    assert operations.get_event(prescriber, event.id) is event
    with pytest.raises(NotFound):
        operations.get_event(prescriber, make_tour(published=True).id)
