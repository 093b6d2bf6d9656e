"""The queries behind the company space (/entreprise) check their reader themselves, without any route:
organisers manage the same sites elsewhere, yet the company's own pages are its contacts' alone."""

from __future__ import annotations

from datetime import date, time

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.errors import NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.sites import operations, series, slots
from tourplanner.sites.models import Site, SlotSeries


@pytest.fixture
def a_series(site_a: Site) -> SlotSeries:
    """A weekly series at company A's site."""
    made = SlotSeries(
        site=site_a,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_time=time(9),
        end_time=time(12),
        starts_on=date(2030, 3, 5),
        ends_on=date(2030, 6, 25),
        visit_minutes=60,
        max_visitors=20,
    )
    db.session.add(made)
    db.session.commit()
    return made


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.PRESCRIBER, Role.AMBASSADOR])
def test_the_company_space_queries_are_for_company_contacts(
    make_user, make_slot, site_a: Site, a_series: SlotSeries, contact_a: User, role: Role
) -> None:
    """company_space, company_site, company_slot and company_series refuse every other role (an organiser
    too, who manages these sites from the organisers' pages), and give a contact their company's own."""
    slot = make_slot(site=site_a)
    reader = make_user(role)
    for query in (
        lambda: operations.company_space(reader),
        lambda: operations.company_site(reader, site_a.id),
        lambda: slots.company_slot(reader, slot.id),
        lambda: series.company_series(reader, a_series.id),
    ):
        with pytest.raises(PermissionDenied):
            query()
    assert operations.company_space(contact_a) is not None
    assert operations.company_space(contact_a).id == contact_a.organisation_id
    assert operations.company_site(contact_a, site_a.id) is site_a
    assert slots.company_slot(contact_a, slot.id) is slot
    assert series.company_series(contact_a, a_series.id) is a_series


def test_another_companys_contact_finds_nothing(make_slot, site_a: Site, a_series: SlotSeries, contact_b) -> None:
    """A contact of another company gets 404 for company A's site, slot and series."""
    slot = make_slot(site=site_a)
    for query in (
        lambda: operations.company_site(contact_b, site_a.id),
        lambda: slots.company_slot(contact_b, slot.id),
        lambda: series.company_series(contact_b, a_series.id),
    ):
        with pytest.raises(NotFound):
            query()
