"""With CSRF on, as in production: the catalogue's and the ambassadors' forms need their token."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pages.helpers import csrf_from, text_of
from tourplanner.accounts.enums import Role
from tourplanner.extensions import db
from tourplanner.sites.enums import SlotStatus


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF protection on."""
    return {"WTF_CSRF_ENABLED": True}


def test_accepting_without_the_token_is_refused_then_works_with_it(client, offer, sign_in):
    """A POST without the page's token: 400 French page, nothing changed; with it, the slot is accepted."""
    sign_in(offer.organiser)
    slot = offer.plastics
    refused = client.post(f"/organisateur/creneaux/{slot.id}/accepter")
    assert refused.status_code == 400 and "Formulaire refusé" in text_of(refused)
    db.session.refresh(slot)
    assert slot.status is SlotStatus.OFFERED
    token = csrf_from(client.get("/organisateur/creneaux").get_data(as_text=True))
    assert token
    assert client.post(f"/organisateur/creneaux/{slot.id}/accepter", data={"csrf_token": token}).status_code == 302
    db.session.refresh(slot)
    assert slot.status is SlotStatus.ACCEPTED


def test_the_filter_form_carries_no_token(client, offer, sign_in):
    """Filtering is a GET: no CSRF token in the form, so none ends up in the URL."""
    sign_in(offer.organiser)
    page = client.get("/organisateur/creneaux").get_data(as_text=True)
    filters = page.split('class="card slot-filters"')[1].split("</form>")[0]
    assert "csrf_token" not in filters


def test_assigning_an_ambassador_needs_the_token(client, make_user, make_tour, sign_in):
    """Without the token the assignment is refused; with the page's token it is made."""
    organiser = make_user(Role.ORGANISER)
    ambassador = make_user(Role.AMBASSADOR)
    tour = make_tour(published=True, organiser=organiser)
    sign_in(organiser)
    path = f"/tours/{tour.id}/ambassadeurs"
    assert client.post(path, data={"ambassador": ambassador.id, "bus": 0}).status_code == 400
    db.session.refresh(tour)
    assert tour.ambassadors == []
    token = csrf_from(client.get(path).get_data(as_text=True))
    assert client.post(path, data={"ambassador": ambassador.id, "bus": 0, "csrf_token": token}).status_code == 302
    db.session.refresh(tour)
    assert [a.user_id for a in tour.ambassadors] == [ambassador.id]
