"""Configuration defaults; every key can be set as TOURPLANNER_<KEY> in the environment."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

#: Former names of configuration keys, still read (deprecated): former name -> current name.
DEPRECATED_KEYS = {"ROUTING_COACH_SPEED_KMH": "ROUTING_BUS_SPEED_KMH"}


class DefaultConfig:
    """Defaults from the outside contract (../shared/CONTRACT.md)."""

    DATABASE_URL: str | None = None  # SQLite file in the instance folder
    SECRET_KEY: str | None = None  # random per instance folder, persisted there
    BASE_URL = "http://127.0.0.1:5000"
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_TIMEOUT_SECONDS = 10
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    #: When queued mail leaves: "thread" (right after the request, in the background),
    #: "sync" (before the answer; for tests) or "off" (only the scheduler's retries).
    MAIL_DELIVERY = "thread"
    MAIL_FROM = "tourplanner@localhost"
    #: A tour's update leaves once no change has followed for this many seconds...
    NOTIFY_DELAY_SECONDS = 30
    #: ...or this many seconds after the burst's first change, whichever comes first.
    NOTIFY_MAX_DELAY_SECONDS = 50
    TIMEZONE = "Europe/Paris"
    #: Largest request body accepted, in bytes (a 413 problem beyond).
    MAX_CONTENT_LENGTH = 1024 * 1024
    #: Lifetime of a one-time sign-in link.
    LOGIN_LINK_MINUTES = 20
    #: ProConnect sign-in (OpenID Connect) for prescribers: off unless all three are set.
    #: ISSUER is the base of the discovery URL (…/.well-known/openid-configuration is appended).
    PROCONNECT_ISSUER: str | None = None
    PROCONNECT_CLIENT_ID: str | None = None
    PROCONNECT_CLIENT_SECRET: str | None = None
    #: Level of assurance asked for (acr_values); empty = the provider's default.
    PROCONNECT_ACR_VALUES = "eidas1"
    PROCONNECT_TIMEOUT_SECONDS = 10
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    #: Travel-time model of the default provider.
    ROUTING_CIRCUITY = 1.3
    ROUTING_BUS_SPEED_KMH = 45.0
    #: An OSRM-compatible server (its /table service); unset = the default provider only.
    OSRM_URL: str | None = None
    #: Address geocoder: "ban" (France's national address base, through geopy) or "none".
    GEOCODER = "ban"
    GEOCODER_BAN_DOMAIN = "api-adresse.data.gouv.fr"
    GEOCODER_BAN_SCHEME = "https"
    GEOCODER_TIMEOUT_SECONDS = 5
    #: How far ahead a recurring availability is turned into slots, in weeks.
    SLOT_SERIES_WEEKS = 12
    #: Rows on one page of a long list on the pages (tours, catalogues); the API takes its own `limit`.
    LIST_PAGE_SIZE = 50
    #: Rate limits (Flask-Limiter): "false" turns them all off (a benchmark, a trusted batch import).
    RATELIMIT_ENABLED = True
    #: Where the counters live: in each process's memory by default (so each web worker counts
    #: on its own; tourplanner-memory is `limits`' memory:// without a thread started per
    #: request); any storage URI of the `limits` library, e.g. redis://host:6379, shares them.
    RATELIMIT_STORAGE_URI = "tourplanner-memory://"
    #: Sign-in link requests per address typed, and per client address (IP).
    RATELIMIT_LOGIN_PER_ADDRESS = "5 per hour"
    RATELIMIT_LOGIN_PER_CLIENT = "20 per hour"
    #: API calls per bearer token (per client address for calls without a token).
    RATELIMIT_API_PER_TOKEN = "300 per minute"
    #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (werkzeug ProxyFix);
    #: 0 trusts no such header.
    PROXY_COUNT = 0
    #: Map tiles for the pages; markers and routes still show when tiles cannot load.
    TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    TILE_ATTRIBUTION = "© les contributeurs d'OpenStreetMap"


def load_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (owner-only) on first use."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def read_deprecated_keys(config: MutableMapping[str, Any], test_config: Mapping[str, Any] | None = None) -> None:
    """Give a value set under a key's former name to its current name, unless the current name is set too.

    The former name may come from the environment (TOURPLANNER_<former name>) or the test settings; when both
    names are set, the current one wins.
    """
    for former, current in DEPRECATED_KEYS.items():
        if former not in config:
            continue
        value = config.pop(former)
        if f"TOURPLANNER_{current}" in os.environ or current in (test_config or {}):
            continue
        logging.getLogger(__name__).warning("%s is a former name of %s: rename it", former, current)
        config[current] = value
