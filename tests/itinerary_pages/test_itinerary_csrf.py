"""The itinerary forms with CSRF protection on, as in production."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import login_path
from tourplanner.extensions import db
from tourplanner.tours.models import Stop


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on."""
    return {"WTF_CSRF_ENABLED": True}


def test_a_form_without_its_token_is_refused_and_changes_nothing(client, planned_tour):
    """Optimise and lock POSTs without a CSRF token get the French 400 page; nothing is stored."""
    link = login_path(planned_tour.organiser)
    page = client.get(link).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post(link, data={"csrf_token": token}).status_code == 302
    tour_id = planned_tour.tour.id
    optimised = client.post(f"/tours/{tour_id}/itineraire", data={"slot_ids": [s.id for s in planned_tour.slots]})
    locked = client.post(
        f"/tours/{tour_id}/itineraire/verrou", data={"slot_id": planned_tour.slots[0].id, "locked": "1"}
    )
    for response in (optimised, locked):
        assert response.status_code == 400
        assert "Formulaire refusé" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not planned_tour.tour.candidates and db.session.query(Stop).count() == 0
