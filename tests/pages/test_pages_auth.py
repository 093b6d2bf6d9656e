"""Sign-in by one-time link, sign-out, and what signed-out visitors get."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.pages.helpers import login_link_path, text_of
from tourplanner.accounts.enums import Role
from tourplanner.mail.models import OutboxMail


def mail_count(db) -> int:
    """How many mails the outbox holds."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail))


def test_login_page_is_a_french_form(client):
    """The sign-in page is in French and asks for an e-mail address."""
    response = client.get("/connexion")
    html = text_of(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Adresse e-mail" in html and "Recevoir mon lien de connexion" in html


def test_known_address_gets_a_link_in_the_outbox(client, db, make_user):
    """Once the answer has left, a known address gets one mail holding a link to /connexion/<token>."""
    user = make_user(Role.PRESCRIBER, email="claire@example.fr")
    with client.post("/connexion", data={"email": "Claire@Example.fr "}) as response:
        assert response.status_code == 200
        assert "Consultez votre messagerie" in text_of(response)
        assert mail_count(db) == 0  # nothing looked up nor written before the answer is sent
    assert mail_count(db) == 1  # the server closed the answer: the queued request was handled
    assert login_link_path(user.email).startswith("/connexion/")


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    """An unknown address sees the same page, so the page tells nobody who has an account."""
    with client.post("/connexion", data={"email": "personne@example.fr"}) as response:
        assert response.status_code == 200
        assert "Consultez votre messagerie" in text_of(response)
    assert mail_count(db) == 0


@pytest.mark.parametrize(
    ("email", "message"), [("", "Ce champ est obligatoire."), ("pas-une-adresse", "Adresse e-mail invalide.")]
)
def test_bad_address_is_refused_beside_the_field(client, db, email, message):
    """A missing or malformed address gets a French message beside the field and no mail."""
    response = client.post("/connexion", data={"email": email})
    html = text_of(response)
    assert response.status_code == 422
    assert f'<p class="field-error" id="email-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html
    assert mail_count(db) == 0


def test_opening_the_link_does_not_sign_in_until_the_button_is_pressed(client, make_user):
    """GET on the link shows a button (mail scanners only GET); only the POST signs in."""
    user = make_user(Role.ORGANISER, name="Nadia Benali")
    client.post("/connexion", data={"email": user.email})
    path = login_link_path(user.email)
    page = client.get(path)
    assert page.status_code == 200
    assert "Me connecter" in text_of(page) and "Nadia Benali" in text_of(page)
    assert client.get("/").status_code == 302
    signed_in = client.post(path)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Bonjour Nadia Benali" in text_of(home)


def test_a_link_works_once(client, make_user):
    """A used link answers a French 404 page and signs nobody in."""
    user = make_user(Role.PRESCRIBER)
    client.post("/connexion", data={"email": user.email})
    path = login_link_path(user.email)
    client.post(path)
    client.post("/deconnexion")
    again = client.post(path)
    assert again.status_code == 404
    assert "plus valable" in text_of(again)
    assert client.get("/").status_code == 302


def test_an_unknown_link_is_a_french_404(client):
    """A made-up token is answered by the French error page, not a stack trace."""
    response = client.get("/connexion/nimporte-quoi")
    assert response.status_code == 404
    assert "Ce lien de connexion n'est plus valable" in text_of(response)


def test_sign_out(client, make_user, sign_in):
    """Signing out ends the session: the home page sends back to /connexion."""
    sign_in(make_user(Role.COMPANY))
    assert client.get("/").status_code == 200
    response = client.post("/deconnexion", follow_redirects=True)
    assert "Vous êtes déconnecté" in text_of(response)
    assert client.get("/").headers["Location"] == "/connexion"


@pytest.mark.parametrize("path", ["/", "/tours", "/tours/nouveau", "/tours/1", "/tours/1/modifier"])
def test_signed_out_visitor_is_sent_to_the_login_page(client, path):
    """Every page but the sign-in ones redirects a signed-out visitor to /connexion."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("path", ["/tours/1/publier", "/tours/1/annuler"])
def test_signed_out_post_is_sent_to_the_login_page(client, path):
    """A signed-out POST is redirected to /connexion too, doing nothing."""
    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_signed_in_person_skips_the_login_page(client, make_user, sign_in):
    """A signed-in person opening /connexion lands on their home page."""
    sign_in(make_user(Role.AMBASSADOR))
    response = client.get("/connexion")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_pages_load_no_outside_asset(client, make_user, sign_in, app):
    """Every stylesheet, script and image comes from /static: the pages work on an offline intranet."""
    sign_in(make_user(Role.ORGANISER))
    for path in ["/", "/tours", "/tours/nouveau"]:
        html = text_of(client.get(path))
        assets = re.findall(r'<(?:link|script|img)[^>]*(?:href|src)="([^"]+)"', html)
        assert assets, path
        for asset in assets:
            assert asset.startswith("/static/"), (path, asset)
            with client.get(asset) as response:  # a file response: close it
                assert response.status_code == 200, asset


def test_after_sign_in_the_visitor_lands_where_they_were_going(client, make_user):
    """A visitor sent to /connexion from /tours is taken back to /tours once signed in."""
    user = make_user(Role.PRESCRIBER)
    login = client.get("/tours").headers["Location"]
    client.get(login)
    client.post("/connexion", data={"email": user.email})
    response = client.post(login_link_path(user.email))
    assert response.status_code == 302 and response.headers["Location"] == "/tours"


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/"])
def test_sign_in_never_redirects_to_another_site(client, make_user, target):
    """A forged ?next= pointing to another host is ignored: the person lands home."""
    user = make_user(Role.PRESCRIBER)
    client.get("/connexion", query_string={"next": target})
    client.post("/connexion", data={"email": user.email})
    response = client.post(login_link_path(user.email))
    assert response.headers["Location"] == "/"
