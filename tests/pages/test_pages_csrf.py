"""CSRF protection on every page form: a POST without its token is refused in French."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.pages.helpers import csrf_from, text_of
from tests.pages.test_pages_tours import tour_form
from tourplanner.accounts.enums import Role
from tourplanner.mail.models import OutboxMail
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """CSRF on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


def assert_refused(response) -> None:
    """A French 400 page saying the form was refused."""
    html = text_of(response)
    assert response.status_code == 400
    assert "Formulaire refusé" in html and "rien n'a été enregistré" in html


def test_login_without_token_is_refused_in_french(client, db, make_user):
    """Asking for a sign-in link without the form's token queues no mail."""
    user = make_user(Role.ORGANISER)
    assert_refused(client.post("/connexion", data={"email": user.email}))
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_forms_carry_their_token_and_work(client, db, make_user, sign_in):
    """With CSRF on, the real forms (sign-in by link, new tour) carry a token and go through."""
    sign_in(make_user(Role.ORGANISER))
    page = text_of(client.get("/tours/nouveau"))
    response = client.post("/tours/nouveau", data=tour_form(csrf_token=csrf_from(page)))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Tour)) == 1


def test_tour_form_without_token_writes_nothing(client, db, make_user, sign_in):
    """A signed-in organiser's tour form posted without its token is refused; no tour is stored."""
    sign_in(make_user(Role.ORGANISER))
    assert_refused(client.post("/tours/nouveau", data=tour_form()))
    assert_refused(client.post("/tours/nouveau", data=tour_form(csrf_token="forged")))
    assert db.session.scalar(select(func.count()).select_from(Tour)) == 0


@pytest.mark.parametrize("action", ["publier", "annuler"])
def test_tour_actions_without_token_change_nothing(client, db, make_user, sign_in, make_tour, action):
    """Publish and cancel without a token are refused; the tour stays a draft."""
    organiser = make_user(Role.ORGANISER)
    tour = make_tour(organiser=organiser)
    sign_in(organiser)
    assert_refused(client.post(f"/tours/{tour.id}/{action}"))
    assert db.session.get(Tour, tour.id, populate_existing=True).status is TourStatus.DRAFT


def test_sign_out_without_token_keeps_the_session(client, make_user, sign_in):
    """A forged sign-out (no token) is refused and the person stays signed in."""
    sign_in(make_user(Role.PRESCRIBER))
    assert_refused(client.post("/deconnexion"))
    assert client.get("/").status_code == 200
