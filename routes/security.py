"""What every answer carries and how far to trust the network: security headers, cookies, proxies, 429s."""

from __future__ import annotations

import math
import re
import time
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from routes.errors import problem, wants_problem
from tourplanner.accounts import proconnect
from tourplanner.extensions import db, limiter

#: Answers from other sites may not frame ours, scripts and styles come from /static only
#: (no inline script or style attribute in any template), forms post to this site only (the
#: sign-out form may go on to ProConnect's origin when it is configured, to end that session too).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'{sign_out}; "
    "frame-ancestors 'none'"
)
#: Sign-in links carry their secret in the path: other sites see at most our origin.
REFERRER_POLICY = "strict-origin-when-cross-origin"
#: Under an https BASE_URL: a year of https only.
HSTS = "max-age=31536000"
#: How long, at least, a client over a limit is asked to wait, in seconds.
MIN_RETRY_AFTER_SECONDS = 1


def init_security(app: Flask) -> None:
    """Install the proxy fix, secure cookies, the headers on every answer and the 429 answer."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        # Only then are X-Forwarded-For/-Proto believed, from that many proxies and no more.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    is_https = str(app.config["BASE_URL"]).lower().startswith("https://")
    if is_https:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    policy = CONTENT_SECURITY_POLICY.format(
        tiles=_tile_source(app.config.get("TILE_URL")), sign_out=_proconnect_source(app.config)
    )

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = REFERRER_POLICY
        response.headers["X-Frame-Options"] = "DENY"
        if is_https:  # browsers then never try plain http for this host again
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    @app.errorhandler(TooManyRequests)  # Flask-Limiter's RateLimitExceeded, the API's ApiRateLimited
    def too_many_requests(error: TooManyRequests):
        db.session.rollback()
        wait = getattr(error, "retry_after", None) or retry_after_seconds()
        minutes = max(1, math.ceil(wait / 60))
        when = "dans une minute" if minutes == 1 else f"dans {minutes} minutes"
        if wants_problem():
            response = problem(429, f"trop de requêtes en peu de temps : réessayez {when}", title="Trop de requêtes")
        else:
            detail = f"Vous avez fait trop de demandes en peu de temps. Réessayez {when}."
            response = current_app.make_response(
                (render_template("error.html", status=429, title="Trop de demandes", detail=detail), 429)
            )
        response.headers["Retry-After"] = str(wait)
        return response


def retry_after_seconds() -> int:
    """Seconds until the limit just exceeded lets a request through again."""
    current = limiter.current_limit
    if current is None:
        return 60
    # The window's own reset time (a float): Flask-Limiter's `reset_at` is int(reset) + 1, which
    # can announce 61 s for a 60 s window when the calls came within the same second.
    reset_time = current.window[0]
    return max(MIN_RETRY_AFTER_SECONDS, min(current.limit.get_expiry(), math.ceil(reset_time - time.time())))


def _proconnect_source(config: dict) -> str:
    """The ProConnect origin, when configured: signing out redirects the sign-out form there (end_session)."""
    if not proconnect.is_configured(config):
        return ""
    parts = urlsplit(str(config["PROCONNECT_ISSUER"]))
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def _tile_source(tile_url: str | None) -> str:
    """The map tile server's origin for img-src ('' when tiles come from this site or none are set)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)  # {s}.tile.example.org → *.tile.example.org
    return f" {parts.scheme}://{host}"
