"""A real, small OpenID Connect provider shaped like ProConnect, served on a free loopback port.

Discovery, JWKS, authorize (answers at once for the identity the test sets, or refuses),
token (one-time codes, client secret, PKCE S256, redirect_uri), userinfo (a signed JWT, as
ProConnect answers) and end_session. Signs RS256 with a key generated for the test run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "tourplanner-test"
CLIENT_SECRET = "secret-de-test"


def new_key(kid: str) -> RSAKey:
    """A fresh RSA signing key."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


@dataclass
class LocalProvider:
    """The provider's state: what it will answer, and what it was asked (for the tests to check)."""

    key: RSAKey
    #: Signs the tokens; a test sets another key to forge a signature the JWKS does not vouch for.
    signing_key: RSAKey | None = None
    #: Signs userinfo alone, when set (a forged userinfo behind a genuine id_token).
    userinfo_signing_key: RSAKey | None = None
    identity: dict[str, Any] = field(default_factory=dict)
    deny: bool = False
    #: Overrides of the id_token's claims (a wrong nonce, audience…) and of userinfo's.
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    userinfo_overrides: dict[str, Any] = field(default_factory=dict)
    issuer: str = ""
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    end_session_requests: list[dict[str, str]] = field(default_factory=list)
    issued_id_tokens: list[str] = field(default_factory=list)
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _access: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- WSGI

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
            "/userinfo": self.userinfo,
            "/session/end": self.end_session,
        }
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, request: Request) -> Response:
        """The OpenID configuration, as ProConnect publishes it."""
        base = self.issuer
        return _json(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/userinfo",
                "end_session_endpoint": f"{base}/session/end",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "scopes_supported": ["openid", "email", "given_name", "usual_name", "siret", "uid"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["RS256"],
                "acr_values_supported": ["eidas1"],
            }
        )

    def jwks(self, request: Request) -> Response:
        """The public key that signs the tokens."""
        return _json(KeySet([self.key]).as_dict(private=False))

    def authorize(self, request: Request) -> Response:
        """Authenticate at once (the test chose who) and send the browser back with a code, or a refusal."""
        args = request.args.to_dict()
        self.authorize_requests.append(args)
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            return Response("bad client", status=400)
        back = args["redirect_uri"]
        if self.deny:
            return _redirect(back, {"error": "access_denied", "error_description": "refus", "state": args["state"]})
        code = secrets.token_urlsafe(16)
        self._codes[code] = {
            "nonce": args.get("nonce"),
            "redirect_uri": back,
            "challenge": args.get("code_challenge"),
            "method": args.get("code_challenge_method"),
        }
        return _redirect(back, {"code": code, "state": args["state"]})

    def token(self, request: Request) -> Response:
        """Exchange a code once, for the client that asked for it, with the PKCE verifier that matches."""
        form = request.form.to_dict()
        self.token_requests.append(form)
        grant = self._codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
            or grant["method"] != "S256"
            or _s256(form.get("code_verifier", "")) != grant["challenge"]
        ):
            return _json({"error": "invalid_grant"}, status=400)
        access_token = secrets.token_urlsafe(24)
        self._access[access_token] = dict(self.identity)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.identity["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 60,
            "nonce": grant["nonce"],
            "acr": "eidas1",
            "amr": ["pwd"],
            "at_hash": create_half_hash(access_token, "RS256").decode(),
        }
        claims.update(self.id_token_overrides)
        id_token = self._sign(claims)
        self.issued_id_tokens.append(id_token)
        return _json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": id_token,
                "scope": "openid email given_name usual_name siret",
            }
        )

    def userinfo(self, request: Request) -> Response:
        """The person's claims for a valid access token, as a signed JWT (application/jwt)."""
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        identity = self._access.get(bearer)
        if identity is None:
            return Response(status=401)
        claims = {"iss": self.issuer, "aud": CLIENT_ID, **identity, **self.userinfo_overrides}
        return Response(self._sign(claims, self.userinfo_signing_key), content_type="application/jwt")

    def end_session(self, request: Request) -> Response:
        """End the session and send the browser back where the client asked, with its state."""
        args = request.args.to_dict()
        self.end_session_requests.append(args)
        return _redirect(args["post_logout_redirect_uri"], {"state": args.get("state", "")})

    def _sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.signing_key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


class RunningProvider:
    """A LocalProvider served by werkzeug on 127.0.0.1, on a port the system picks."""

    def __init__(self, provider: LocalProvider) -> None:
        self.provider = provider
        self.server = make_server("127.0.0.1", 0, provider, threaded=True)
        provider.issuer = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalProvider:
        self.thread.start()
        return self.provider

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _redirect(url: str, params: dict[str, str]) -> Response:
    return Response(status=302, headers={"Location": f"{url}?{urlencode(params)}"})


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
