"""The tour form's host choices come from one domain query."""

from __future__ import annotations

from tourplanner.accounts.enums import OrganisationKind
from tourplanner.accounts.operations import get_or_create_organisation
from tourplanner.extensions import db
from tourplanner.tours.queries import reverse_visit_hosts


def test_reverse_visit_hosts_are_the_insertion_structures_by_name(app) -> None:
    """Only SIAE organisations are offered as hosts, alphabetically; companies and agencies are not."""
    get_or_create_organisation("Tremplin Est", OrganisationKind.SIAE)
    get_or_create_organisation("Ateliers du Couzon", OrganisationKind.SIAE)
    get_or_create_organisation("Forges de Meyzieu", OrganisationKind.COMPANY)
    db.session.commit()
    assert [host.name for host in reverse_visit_hosts()] == ["Ateliers du Couzon", "Tremplin Est"]
