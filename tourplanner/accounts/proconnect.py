"""Sign-in with ProConnect, the State's OpenID Connect federation for professionals.

Configured by TOURPLANNER_PROCONNECT_ISSUER (the base of the discovery URL), _CLIENT_ID and
_CLIENT_SECRET; without all three, ProConnect is off: no button, and its pages answer 404.

Who may sign in this way: an active *prescriber* whose account already exists, found by the
e-mail address ProConnect vouches for. ProConnect never creates an account and never grants
a role: an unknown address, or the address of an organiser, a company contact or an ambassador,
is refused with a French message pointing to the e-mail link (an identity provider of the
federation must not be able to open an organiser's account, and anyone with a SIRET can hold
a ProConnect identity, so it does not make them a counsellor).

The flow is the authorization code flow with PKCE (S256), state and nonce kept in the
session, an RS256-signed id_token checked against the provider's keys (issuer, audience,
expiry, nonce, at_hash), and the userinfo answer, a signed JWT, checked the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.accounts.operations import find_user_by_email
from tourplanner.errors import DomainError, NotFound, PermissionDenied

log = logging.getLogger(__name__)

#: What tourplanner asks ProConnect for: who the person is, their address and their organisation.
SCOPES = "openid email given_name usual_name siret"
#: The registry name of the client, and the key of its state in the session.
NAME = "proconnect"
#: Where the id_token of a ProConnect sign-in is kept, to end that session at sign-out.
SESSION_ID_TOKEN = "proconnect_id_token"


class ProConnectError(DomainError):
    """The ProConnect sign-in could not complete (interrupted, refused, provider unavailable)."""

    status = 400
    title = "Connexion ProConnect impossible"


class ProConnectUnavailable(ProConnectError):
    """ProConnect did not answer, or answered something that cannot be trusted."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        # The person sees the French page; the operator sees why in the log.
        log.warning("ProConnect sign-in failed", exc_info=True)


#: The messages shown; each ends with the way out (the e-mail link).
INTERRUPTED = "la connexion avec ProConnect a expiré ou a été interrompue : recommencez depuis la page de connexion"
DENIED = (
    "la connexion avec ProConnect a été annulée ou refusée : recommencez, ou demandez un lien de connexion par e-mail"
)
UNAVAILABLE = (
    "ProConnect ne répond pas pour le moment : réessayez dans quelques minutes, ou demandez un "
    "lien de connexion par e-mail"
)
NO_EMAIL = "ProConnect n'a pas transmis d'adresse e-mail vérifiée : demandez un lien de connexion par e-mail"
UNKNOWN_ACCOUNT = (
    "aucun compte prescripteur tourplanner n'existe pour {email} : demandez à l'équipe qui "
    "organise les tours de votre territoire de vous inscrire avec cette adresse, puis "
    "reconnectez-vous"
)
NOT_A_PRESCRIBER = (
    "la connexion avec ProConnect est réservée aux prescripteurs : pour votre compte, "
    "demandez un lien de connexion par e-mail"
)


@dataclass(frozen=True)
class ProConnectIdentity:
    """What ProConnect told us about the person, once every signature and claim is checked."""

    sub: str
    email: str | None
    given_name: str | None
    usual_name: str | None
    siret: str | None
    acr: str | None
    #: Sent back as id_token_hint to end the ProConnect session at sign-out.
    id_token: str


def is_configured(config: Any) -> bool:
    """Whether the issuer, the client id and its secret are all set."""
    return all(config.get(key) for key in ("PROCONNECT_ISSUER", "PROCONNECT_CLIENT_ID", "PROCONNECT_CLIENT_SECRET"))


def init_app(app: Flask) -> None:
    """Register the ProConnect client on `app` when it is configured."""
    if not is_configured(app.config):
        return
    oauth = OAuth(app)
    issuer = str(app.config["PROCONNECT_ISSUER"]).rstrip("/")
    oauth.register(
        NAME,
        client_id=app.config["PROCONNECT_CLIENT_ID"],
        client_secret=app.config["PROCONNECT_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": float(app.config.get("PROCONNECT_TIMEOUT_SECONDS", 10)),
            # ProConnect's access tokens live 60 seconds: with authlib's default 60-second
            # margin, the token would count as expired before userinfo is even asked.
            "leeway": 5,
        },
    )
    app.extensions["proconnect"] = oauth


def _client() -> Any:
    """The app's ProConnect client; NotFound (404) when ProConnect is not configured."""
    oauth = current_app.extensions.get("proconnect")
    if oauth is None:
        raise NotFound("la connexion avec ProConnect n'est pas proposée sur ce site")
    return oauth.create_client(NAME)


def start_sign_in(redirect_uri: str) -> Response:
    """The redirect to ProConnect's authorization endpoint; state, nonce and PKCE verifier go in the session."""
    client = _client()
    extra = {}
    if current_app.config.get("PROCONNECT_ACR_VALUES"):
        extra["acr_values"] = current_app.config["PROCONNECT_ACR_VALUES"]
    try:
        return client.authorize_redirect(redirect_uri, **extra)
    except (requests.RequestException, ValueError, KeyError, AuthlibBaseError) as error:
        raise ProConnectUnavailable(UNAVAILABLE) from error


def finish_sign_in(args: Any) -> ProConnectIdentity:
    """Check ProConnect's answer on the callback (`args`: its query) and return whom it identifies."""
    client = _client()
    if args.get("error"):
        raise ProConnectError(DENIED)
    try:
        token = client.authorize_access_token()
    except MismatchingStateError as error:  # no sign-in started in this browser, or already used
        raise ProConnectError(INTERRUPTED) from error
    except (AuthlibBaseError, requests.RequestException, JoseError, ValueError, KeyError) as error:
        raise ProConnectUnavailable(UNAVAILABLE) from error
    id_claims = token.get("userinfo")
    if not id_claims or not token.get("id_token"):
        raise ProConnectUnavailable(UNAVAILABLE)
    try:
        info = _userinfo(client, token, str(id_claims["sub"]))
    except (requests.RequestException, JoseError, ValueError, KeyError, AuthlibBaseError) as error:
        raise ProConnectUnavailable(UNAVAILABLE) from error
    email = info.get("email")
    if info.get("email_verified") is False:
        email = None
    return ProConnectIdentity(
        sub=str(id_claims["sub"]),
        email=str(email) if email else None,
        given_name=info.get("given_name"),
        usual_name=info.get("usual_name"),
        siret=info.get("siret"),
        acr=id_claims.get("acr"),
        id_token=token["id_token"],
    )


def _userinfo(client: Any, token: dict[str, Any], sub: str) -> dict[str, Any]:
    """The userinfo claims: ProConnect answers a JWT signed like the id_token; plain JSON is accepted too."""
    metadata = client.load_server_metadata()
    response = client.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if not response.headers.get("Content-Type", "").startswith("application/jwt"):
        claims = response.json()
    else:
        keys = KeySet.import_key_set(client.fetch_jwk_set())
        algorithms = metadata.get("userinfo_signing_alg_values_supported") or ["RS256", "ES256"]
        decoded = jwt.decode(response.text.strip(), keys, algorithms=algorithms)
        claims = decoded.claims
        JWTClaimsRegistry(
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": client.client_id},
        ).validate(claims)
    if str(claims.get("sub")) != sub:  # OpenID Connect Core 5.3.2: never mix two people's claims
        raise ValueError("userinfo sub differs from the id_token's")
    return dict(claims)


def account_for(identity: ProConnectIdentity) -> User:
    """The existing, active prescriber ProConnect identifies; refuses anyone else (never creates, never grants)."""
    if not identity.email:
        raise PermissionDenied(NO_EMAIL)
    user = find_user_by_email(identity.email)
    if user is None or not user.is_active:
        raise PermissionDenied(UNKNOWN_ACCOUNT.format(email=identity.email.strip().lower()))
    if user.role is not Role.PRESCRIBER:
        raise PermissionDenied(NOT_A_PRESCRIBER)
    return user


def end_session_redirect(id_token: str, post_logout_redirect_uri: str) -> Response | None:
    """The redirect that ends the ProConnect session too, or None when ProConnect is off or unreachable."""
    oauth = current_app.extensions.get("proconnect")
    if oauth is None:
        return None
    client = oauth.create_client(NAME)
    try:
        return client.logout_redirect(post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token)
    except (requests.RequestException, ValueError, KeyError, RuntimeError, AuthlibBaseError):
        return None  # signed out of tourplanner all the same


def check_end_session_return() -> bool:
    """Whether ProConnect came back from ending a session with the state we sent (which is then spent)."""
    client = _client()
    try:
        client.validate_logout_response()
    except AuthlibBaseError:
        return False
    return True
