"""ProConnect sign-in, run end to end against a real local OpenID Connect provider.

The app redirects the test client to the provider; the test follows that redirect over
real HTTP (the provider runs on a free loopback port), then brings the provider's answer
back to the app, exactly as a browser would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import g
from sqlalchemy import func, select

from tests.accounts.proconnect_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider, RunningProvider, new_key
from tests.mail.smtp_sink import free_port
from tests.pages.helpers import text_of
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.operations import end_sessions

BASE = "http://tourplanner.test"


@pytest.fixture(scope="module")
def signing_key():
    """One RSA key for the module (generating one per test would cost time, not realism)."""
    return new_key("cle-1")


@pytest.fixture
def provider(signing_key) -> Iterator[LocalProvider]:
    """A running provider that identifies a prescriber unless the test says otherwise."""
    local = LocalProvider(
        key=signing_key,
        identity={
            "sub": "pc-123",
            "email": "marie.dupont@france-travail.fr",
            "given_name": "Marie",
            "usual_name": "Dupont",
            "siret": "13000548100010",
            "uid": "42",
        },
    )
    with RunningProvider(local) as running:
        yield running


@pytest.fixture
def config_overrides(provider: LocalProvider) -> dict[str, Any]:
    """ProConnect configured against the local provider."""
    return {
        "PROCONNECT_ISSUER": provider.issuer,
        "PROCONNECT_CLIENT_ID": CLIENT_ID,
        "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET,
    }


def home(client):
    """GET / as a fresh request sees it (no user cached in the shared app context)."""
    g.pop("_login_user", None)
    return client.get("/")


def is_signed_in(client) -> bool:
    """Whether the client's session signs someone in."""
    return home(client).status_code == 200


def follow_to_provider(client, start: str = "/connexion/proconnect"):
    """Press the button, let the provider answer over HTTP; returns the path+query it sends the browser back to."""
    response = client.get(start)
    assert response.status_code == 302, response.get_data(as_text=True)
    with requests.get(response.headers["Location"], allow_redirects=False, timeout=10) as answer:
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}" == BASE
    return f"{back.path}?{back.query}"


def sign_in_with_proconnect(client, **follow: Any):
    """The whole round trip; returns the app's answer to the callback."""
    g.pop("_login_user", None)
    return client.get(follow_to_provider(client, **follow))


def test_the_login_page_offers_proconnect_when_configured(client) -> None:
    """/connexion shows the official « S'identifier avec ProConnect » button, leading to the sign-in route."""
    page = client.get("/connexion").get_data(as_text=True)
    assert 'S\'identifier avec</span> <span class="proconnect-brand">ProConnect' in page
    assert 'href="/connexion/proconnect"' in page
    assert "css/proconnect.css" in page


class TestWithoutConfiguration:
    """Without the three settings, no button and no ProConnect route."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {"PROCONNECT_ISSUER": None, "PROCONNECT_CLIENT_ID": None, "PROCONNECT_CLIENT_SECRET": None}

    def test_no_button_and_404(self, client) -> None:
        """The login page has no ProConnect button; its routes answer 404 in French."""
        login = client.get("/connexion")
        assert "ProConnect" not in login.get_data(as_text=True)
        assert "form-action 'self';" in login.headers["Content-Security-Policy"]
        for path in (
            "/connexion/proconnect",
            "/connexion/proconnect/retour?code=x&state=y",
            "/deconnexion/proconnect?state=z",
        ):
            response = client.get(path)
            assert response.status_code == 404
            assert "ProConnect n'est pas proposée" in text_of(response)

    def test_the_secret_is_needed_too(self, app) -> None:
        """An issuer and a client id without the secret leave ProConnect off."""
        from tourplanner.accounts.proconnect import is_configured

        assert not is_configured({"PROCONNECT_ISSUER": "https://x", "PROCONNECT_CLIENT_ID": "y"})
        assert is_configured(
            {"PROCONNECT_ISSUER": "https://x", "PROCONNECT_CLIENT_ID": "y", "PROCONNECT_CLIENT_SECRET": "z"}
        )


def test_a_known_prescriber_signs_in(client, provider, make_user) -> None:
    """The full flow signs in the prescriber whose address ProConnect vouches for, and goes where they were going."""
    user = make_user(Role.PRESCRIBER, email="Marie.Dupont@france-travail.fr", name="Marie Dupont")
    client.get("/connexion?next=/mes-inscriptions")
    response = sign_in_with_proconnect(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/mes-inscriptions"
    assert "Marie Dupont" in home(client).get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["_user_id"] == user.get_id()  # same session mechanics as the e-mail link (stamp)


def test_the_request_follows_proconnect_rules(client, provider, make_user) -> None:
    """Scopes, state, nonce, PKCE S256, acr_values and our callback address are asked for; the secret goes by POST."""
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    sign_in_with_proconnect(client)
    asked = provider.authorize_requests[-1]
    assert set(asked["scope"].split()) >= {"openid", "email", "given_name", "usual_name", "siret"}
    assert asked["state"] and asked["nonce"] and asked["code_challenge"]
    assert asked["code_challenge_method"] == "S256"
    assert asked["acr_values"] == "eidas1"
    assert asked["redirect_uri"] == f"{BASE}/connexion/proconnect/retour"
    exchanged = provider.token_requests[-1]
    assert exchanged["client_secret"] == CLIENT_SECRET and exchanged["code_verifier"]
    assert is_signed_in(client)


def test_signing_out_elsewhere_ends_a_proconnect_session(app, db, client, provider, make_user) -> None:
    """A ProConnect session carries the session stamp: renewing it (sign-out elsewhere) ends it."""
    user = make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    sign_in_with_proconnect(client)
    assert is_signed_in(client)
    end_sessions(user)
    db.session.commit()
    assert not is_signed_in(client)


def test_an_unknown_address_is_refused_and_no_account_is_created(db, client, provider) -> None:
    """ProConnect never creates an account: an unknown address gets a French explanation, nobody is signed in."""
    before = db.session.scalar(select(func.count()).select_from(User))
    response = sign_in_with_proconnect(client)
    assert response.status_code == 403
    assert "Aucun compte prescripteur tourplanner n'existe pour marie.dupont@france-travail.fr" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert not is_signed_in(client)


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COMPANY, Role.AMBASSADOR])
def test_other_roles_are_refused(client, provider, make_user, role) -> None:
    """No privilege through ProConnect: only prescribers sign in this way, the others use the e-mail link."""
    make_user(role, email="marie.dupont@france-travail.fr")
    response = sign_in_with_proconnect(client)
    assert response.status_code == 403
    assert "réservée aux prescripteurs" in text_of(response)
    assert not is_signed_in(client)


def test_a_deactivated_prescriber_is_refused(db, client, provider, make_user) -> None:
    """An inactive account stays closed to ProConnect as to the e-mail link."""
    user = make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    user.is_active = False
    db.session.commit()
    assert sign_in_with_proconnect(client).status_code == 403
    assert not is_signed_in(client)


def test_an_unverified_address_is_refused(client, provider, make_user) -> None:
    """An address the provider says it has not verified signs nobody in."""
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    provider.userinfo_overrides = {"email_verified": False}
    response = sign_in_with_proconnect(client)
    assert response.status_code == 403
    assert "adresse e-mail vérifiée" in text_of(response)
    assert not is_signed_in(client)


def test_a_refused_consent_is_a_french_page(client, provider, make_user) -> None:
    """The person cancels at ProConnect: a French page, not a 500, nobody signed in."""
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    provider.deny = True
    response = sign_in_with_proconnect(client)
    assert response.status_code == 400
    assert "annulée ou refusée" in text_of(response)
    assert not is_signed_in(client)


def test_a_wrong_or_replayed_state_is_refused(client, provider, make_user) -> None:
    """A callback whose state this browser did not start (forged, or already used) signs nobody in."""
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    back = follow_to_provider(client)
    query = parse_qs(urlsplit(back).query)
    forged = client.get(f"/connexion/proconnect/retour?code={query['code'][0]}&state=autre")
    assert forged.status_code == 400
    assert "expiré ou a été interrompue" in text_of(forged)
    assert not is_signed_in(client)
    g.pop("_login_user", None)
    assert client.get(back).status_code == 302  # the real answer works once…
    replay = client.get(back)
    assert replay.status_code == 400  # …and not twice: its state is spent
    assert "expiré ou a été interrompue" in text_of(replay)


def test_a_callback_from_another_browser_is_refused(app, client, provider, make_user) -> None:
    """The answer meant for one browser signs nobody in in another (state and PKCE live in the session)."""
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    back = follow_to_provider(client)
    other = app.test_client()
    response = other.get(back)
    assert response.status_code == 400
    g.pop("_login_user", None)
    assert other.get("/").status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        "forged_signature",
        "wrong_nonce",
        "wrong_audience",
        "userinfo_of_another",
        "userinfo_forged",
        "userinfo_for_another_client",
    ],
)
def test_untrustworthy_tokens_sign_nobody_in(client, provider, make_user, tamper) -> None:
    """An id_token not signed by the provider's key, for another nonce or client, or mismatched claims: refused."""
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    if tamper == "forged_signature":
        provider.signing_key = new_key("cle-1")  # same kid, another key
    elif tamper == "wrong_nonce":
        provider.id_token_overrides = {"nonce": "autre"}
    elif tamper == "wrong_audience":
        provider.id_token_overrides = {"aud": "un-autre-service"}
    elif tamper == "userinfo_of_another":
        provider.userinfo_overrides = {"sub": "pc-999"}
    elif tamper == "userinfo_forged":
        provider.userinfo_signing_key = new_key("cle-1")
    else:
        provider.userinfo_overrides = {"aud": "un-autre-service"}
    response = sign_in_with_proconnect(client)
    assert response.status_code == 503
    assert "ProConnect ne répond pas" in text_of(response)
    assert not is_signed_in(client)


class TestProviderDown:
    """The provider cannot be reached."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        return {
            "PROCONNECT_ISSUER": f"http://127.0.0.1:{free_port()}",
            "PROCONNECT_CLIENT_ID": CLIENT_ID,
            "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET,
            "PROCONNECT_TIMEOUT_SECONDS": 2,
        }

    def test_a_french_page_not_a_500(self, client) -> None:
        """Pressing the button while ProConnect is down: 503 with a French way out (the e-mail link)."""
        response = client.get("/connexion/proconnect")
        assert response.status_code == 503
        assert "ProConnect ne répond pas" in text_of(response)
        assert "lien de connexion par e-mail" in text_of(response)


def test_signing_out_ends_the_proconnect_session(client, provider, make_user) -> None:
    """Sign-out sends the browser to end_session with the id_token and comes back to /connexion, signed out."""
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr")
    sign_in_with_proconnect(client)
    response = client.post("/deconnexion")
    assert response.status_code == 302
    ending = urlsplit(response.headers["Location"])
    assert f"{ending.scheme}://{ending.netloc}{ending.path}" == f"{provider.issuer}/session/end"
    params = parse_qs(ending.query)
    assert params["id_token_hint"] == [provider.issued_id_tokens[-1]]
    assert params["post_logout_redirect_uri"] == [f"{BASE}/deconnexion/proconnect"]
    assert not is_signed_in(client)
    with requests.get(response.headers["Location"], allow_redirects=False, timeout=10) as answer:
        back = urlsplit(answer.headers["Location"])
    assert provider.end_session_requests[-1]["id_token_hint"] == provider.issued_id_tokens[-1]
    returned = client.get(f"{back.path}?{back.query}")
    assert returned.status_code == 302 and returned.headers["Location"] == "/connexion"
    assert "Vous êtes déconnecté" in client.get("/connexion").get_data(as_text=True)


def test_an_email_link_session_signs_out_locally(client, provider, make_user, sign_in) -> None:
    """Someone who signed in by e-mail link is not sent to ProConnect at sign-out."""
    sign_in(make_user(Role.PRESCRIBER))
    response = client.post("/deconnexion")
    assert response.headers["Location"] == "/connexion"
    assert provider.end_session_requests == []


def test_forms_may_lead_to_proconnect(client, provider) -> None:
    """The CSP's form-action lets the sign-out form continue to ProConnect's origin, and no other."""
    policy = client.get("/connexion").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in policy


@pytest.mark.browser
def test_a_prescriber_signs_in_and_out_with_proconnect_on_a_narrow_phone(
    app, browser, live_server, provider, make_user
) -> None:
    """In chromium at 360 px: the button fits, passes axe-core, signs in, and signs out by ProConnect.

    Signing out goes through the sign-out form, then a redirect to ProConnect: this also pins
    the CSP's form-action, which chromium applies to that redirect.
    """
    from playwright.sync_api import expect

    from tests.browser.helpers import NARROW, assert_fits_narrow

    app.config["BASE_URL"] = live_server  # the address ProConnect sends the browser back to
    make_user(Role.PRESCRIBER, email="marie.dupont@france-travail.fr", name="Marie Dupont")
    context = browser.new_context(base_url=live_server, locale="fr-FR", timezone_id="Europe/Paris", viewport=NARROW)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/connexion")
        assert_fits_narrow(page, "la page de connexion avec ProConnect")
        page.get_by_role("link", name="S'identifier avec ProConnect").click()
        expect(page.get_by_role("heading", name="Bonjour Marie Dupont")).to_be_visible()
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.get_by_role("heading", name="Connexion", exact=True)).to_be_visible()
        expect(page.get_by_text("Vous êtes déconnecté")).to_be_visible()
        assert provider.end_session_requests[-1]["id_token_hint"] == provider.issued_id_tokens[-1]
    finally:
        context.close()
