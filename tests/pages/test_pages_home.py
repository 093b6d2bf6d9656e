"""The base layout and the home page of each role."""

from __future__ import annotations

import pytest

from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role

HEADINGS = {
    Role.ORGANISER: "Tours à venir",
    Role.PRESCRIBER: "Tours ouverts et vos inscriptions",
    Role.COMPANY: "Visites prévues chez vous",
    Role.AMBASSADOR: "Vos tours",
}


@pytest.mark.parametrize("role", list(Role))
def test_home_per_role_shows_the_person_and_their_menu(client, make_user, sign_in, role):
    """Each role has its home page; the layout names the signed-in person and menus by role."""
    user = make_user(role, name="Camille Martin", organisation="Mission locale de Lyon")
    sign_in(user)
    response = client.get("/")
    html = text_of(response)
    assert response.status_code == 200
    assert f"<h2>{HEADINGS[role]}</h2>" in html
    assert "<strong>Camille Martin</strong>" in html
    assert f"{role.label} · Mission locale de Lyon" in html
    assert 'aria-current="page">Accueil</a>' in html
    assert ("Nouveau tour" in html) is (role is Role.ORGANISER)


def test_prescriber_home_lists_published_tours_not_drafts(client, make_user, sign_in, make_tour):
    """A prescriber's home shows the tours open to bookings and hides drafts."""
    make_tour(title="Tour en préparation")
    make_tour(published=True, title="Tour de Meyzieu")
    sign_in(make_user(Role.PRESCRIBER))
    html = text_of(client.get("/"))
    assert "Tour de Meyzieu" in html and "Tour en préparation" not in html


def test_ambassador_home_is_sparse_but_says_so(client, make_user, sign_in, make_tour):
    """An ambassador with no assignment sees a French sentence saying there is nothing yet."""
    make_tour(published=True, title="Tour de Meyzieu")
    sign_in(make_user(Role.AMBASSADOR))
    html = text_of(client.get("/"))
    assert "Aucun tour ne vous est confié pour l'instant." in html and "Tour de Meyzieu" not in html
