"""Fixtures for reverse visits: a clock frozen in winter 2027 and a SIAE hosting a visit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.reverse_visits.helpers import paris
from tourplanner.accounts.enums import OrganisationKind, Role


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """Every test here runs from Monday 1 February 2027, 10:00 in Paris (the clock ticks from there)."""
    with time_machine.travel(paris(1, 10, month=2), tick=True):
        yield


@pytest.fixture
def host(api_as):
    """An API client for a counsellor of the insertion structure that hosts the visit."""
    return api_as(Role.PRESCRIBER, organisation="Atelier chantier d'insertion du Gier", kind=OrganisationKind.SIAE)


@pytest.fixture
def organiser(api_as):
    """An API client for an organiser."""
    return api_as(Role.ORGANISER)


@pytest.fixture
def published_visit(organiser, host):
    """A published reverse visit with 4 seats hosted by the SIAE: its JSON."""
    from tests.reverse_visits.helpers import visit_body

    created = organiser.post("/tours", json=visit_body(host.user.organisation_id))
    assert created.status_code == 201, created.get_json()
    tour = created.get_json()
    assert organiser.post(f"/tours/{tour['id']}/publish").status_code == 200
    return tour
