"""Turning a site's address into coordinates: a small Geocoder protocol, the French
national address base (BAN, through geopy) behind it, and a cache of past answers.

Which geocoder runs is configuration: `GEOCODER = "ban"` (default) or `"none"` (no network:
every address needs its coordinates). Tests and other callers put any object with a
`geocode(address) -> (lat, lon)` method in `app.extensions["geocoder"]` (see `use_geocoder`).
Every failure is a GeocodingError with a French message, never a raw exception.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from flask import Flask, current_app
from geopy.exc import GeocoderQueryError, GeopyError
from geopy.geocoders import BANFrance
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from tourplanner.errors import FieldError, GeocodingError, InvalidInput
from tourplanner.extensions import db
from tourplanner.sites.models import GeocodeCache
from tourplanner.text import fold

log = logging.getLogger(__name__)

#: The public BAN API (https://adresse.data.gouv.fr/api-doc/adresse).
BAN_DOMAIN = "api-adresse.data.gouv.fr"
#: BAN scores each answer from 0 to 1; below this the match is too doubtful to place a bus.
BAN_MIN_SCORE = 0.5
DEFAULT_TIMEOUT_SECONDS = 5.0

#: What people read when the address service cannot be reached (the cause goes to the log, never to them).
UNREACHABLE = (
    "le service de géocodage ne répond pas : réessayez dans quelques minutes, "
    "ou placez le point sur la carte (latitude et longitude)"
)
#: What to change in an address BAN cannot read.
ADDRESS_ADVICE = "précisez le numéro, la rue et la commune, ou placez le point sur la carte"

#: app.extensions key of the geocoder in use.
EXTENSION_KEY = "geocoder"


class Geocoder(Protocol):
    """Anything that turns an address into (lat, lon), raising GeocodingError when it cannot."""

    def geocode(self, address: str) -> tuple[float, float]:
        """WGS84 (lat, lon) of `address`."""
        ...


class BanGeocoder:
    """The Base Adresse Nationale, through geopy's BANFrance."""

    def __init__(
        self,
        domain: str = BAN_DOMAIN,
        scheme: str = "https",
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        min_score: float = BAN_MIN_SCORE,
        proxies: dict[str, str] | None = None,
    ) -> None:
        self.min_score = min_score
        self._ban = BANFrance(
            domain=domain, scheme=scheme, timeout=timeout_seconds, proxies=proxies, user_agent="tourplanner"
        )

    def geocode(self, address: str) -> tuple[float, float]:
        """WGS84 (lat, lon) of the best BAN match for `address`."""
        try:
            location = self._ban.geocode(address, limit=1)
        except GeocoderQueryError as exc:  # BAN refuses the query itself (too short, too long…)
            log.info("BAN refused %r: %s", address, exc)
            raise GeocodingError(f"adresse introuvable : {address} ({ADDRESS_ADVICE})") from exc
        except GeopyError as exc:  # unreachable, timed out, server error, unreadable answer
            log.warning("BAN unreachable for %r: %r", address, exc)
            raise GeocodingError(UNREACHABLE) from exc
        except (IndexError, KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("BAN answered %r unexpectedly: %r", address, exc)
            raise GeocodingError(UNREACHABLE) from exc
        if location is None:
            raise GeocodingError(f"adresse introuvable : {address} ({ADDRESS_ADVICE})")
        properties = (location.raw or {}).get("properties") or {}
        score = properties.get("score")
        if isinstance(score, (int, float)) and score < self.min_score:
            raise GeocodingError(
                f"adresse introuvable : {address} (meilleure correspondance trop incertaine : "
                f"{properties.get('label', '?')})"
            )
        lat, lon = location.latitude, location.longitude
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            log.warning("BAN placed %r out of range: (%s, %s)", address, lat, lon)
            raise GeocodingError(UNREACHABLE)
        return lat, lon


class DisabledGeocoder:
    """Stands in when GEOCODER = "none": no network, so every address needs lat and lon."""

    def geocode(self, address: str) -> tuple[float, float]:
        """Always refuses, telling to give the coordinates."""
        raise GeocodingError(
            f"le géocodage automatique est désactivé sur ce serveur : indiquez lat et lon pour « {address} »"
        )


def build_geocoder(config: Mapping[str, Any]) -> Geocoder:
    """The geocoder named by the configuration (GEOCODER, GEOCODER_BAN_*)."""
    name = str(config.get("GEOCODER") or "ban").strip().lower()
    if name == "ban":
        return BanGeocoder(
            domain=config.get("GEOCODER_BAN_DOMAIN") or BAN_DOMAIN,
            scheme=config.get("GEOCODER_BAN_SCHEME") or "https",
            timeout_seconds=float(config.get("GEOCODER_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS),
        )
    if name == "none":
        return DisabledGeocoder()
    raise ValueError(f"TOURPLANNER_GEOCODER inconnu : {name!r} (valeurs possibles : ban, none)")


def use_geocoder(app: Flask, geocoder: Geocoder) -> None:
    """Make `app` use `geocoder` (tests inject fakes this way)."""
    app.extensions[EXTENSION_KEY] = geocoder


def configured_geocoder() -> Geocoder:
    """The current app's geocoder: the injected one, else the one its configuration names."""
    geocoder = current_app.extensions.get(EXTENSION_KEY)
    if geocoder is None:
        geocoder = build_geocoder(current_app.config)
        use_geocoder(current_app._get_current_object(), geocoder)  # type: ignore[attr-defined]
    return geocoder


def normalise_address(address: str) -> str:
    """The cache key of an address: folded (no accents, case, ligatures), no punctuation or repeated spaces."""
    cleaned = "".join(c if c.isalnum() else " " for c in fold(address))
    return " ".join(cleaned.split())[:300]


def locate(address: str, geocoder: Geocoder) -> tuple[float, float]:
    """(lat, lon) of `address`: from the cache, else from `geocoder` (then cached)."""
    key = normalise_address(address)
    if not key:
        raise GeocodingError("adresse introuvable : l'adresse est vide")
    cached = db.session.scalar(select(GeocodeCache).where(GeocodeCache.address_key == key))
    if cached is not None:
        return cached.lat, cached.lon
    lat, lon = geocoder.geocode(address)
    _store(key, lat, lon)
    return lat, lon


def _store(key: str, lat: float, lon: float) -> None:
    """Cache an answer; another request caching the same address meanwhile is no error."""
    dialect = db.session.get_bind().dialect.name
    values = {"address_key": key, "lat": lat, "lon": lon}
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        db.session.execute(insert(GeocodeCache).values(**values).on_conflict_do_nothing(index_elements=["address_key"]))
    else:
        db.session.add(GeocodeCache(**values))
        db.session.flush()


def resolve_place(
    address: str | None, lat: float | None, lon: float | None, geocoder: Geocoder, field: str
) -> tuple[float, float]:
    """(lat, lon) of a place given by coordinates (they win) or by address (geocoded, cached).

    Faults are InvalidInput naming `field`.address, `field`.lat and `field`.lon, in French,
    with what to do; coordinates are never asked for when the address resolves.
    """
    prefix = f"{field}." if field else ""
    if lat is not None and lon is not None:
        return lat, lon
    if lat is not None or lon is not None:
        missing = "lon" if lon is None else "lat"
        raise InvalidInput.one(
            prefix + missing, "indiquez la latitude et la longitude ensemble, ou seulement l'adresse"
        )
    if not (address or "").strip():
        raise InvalidInput(
            [
                FieldError(
                    prefix + "address", "indiquez l'adresse, ou placez le point sur la carte (latitude et longitude)"
                )
            ]
        )
    try:
        return locate(address.strip(), geocoder)  # type: ignore[union-attr]
    except GeocodingError as exc:
        raise InvalidInput(
            [
                FieldError(prefix + "address", exc.detail),
                FieldError(prefix + "lat", "obligatoire quand l'adresse ne peut pas être géocodée"),
                FieldError(prefix + "lon", "obligatoire quand l'adresse ne peut pas être géocodée"),
            ],
            detail=exc.detail,
        ) from exc
