"""Geocoding: the BAN wrapper against a local stand-in, the cache, the configuration."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.sites.conftest import BanStandIn, FakeGeocoder, ban_feature, feature_collection
from tourplanner.errors import GeocodingError
from tourplanner.sites.geocoding import (
    BanGeocoder,
    DisabledGeocoder,
    build_geocoder,
    configured_geocoder,
    locate,
    normalise_address,
)
from tourplanner.sites.models import GeocodeCache


def ban_at(server: BanStandIn, **kw) -> BanGeocoder:
    """A BAN geocoder pointed at the stand-in, bypassing any proxy."""
    return BanGeocoder(domain=server.domain, scheme="http", timeout_seconds=2, proxies={}, **kw)


def test_ban_answer_gives_lat_lon(ban_server: BanStandIn) -> None:
    """BAN's GeoJSON [lon, lat] becomes (lat, lon), and the address is sent as q."""
    address = "10 rue de la République, 42000 Saint-Étienne"
    ban_server.answers[address] = (
        200,
        feature_collection(ban_feature("10 Rue de la République 42000 Saint-Étienne", 45.4397, 4.3872)),
    )
    assert ban_at(ban_server).geocode(address) == pytest.approx((45.4397, 4.3872))
    assert ban_server.queries == [address]


def test_ban_without_match_is_address_not_found(ban_server: BanStandIn) -> None:
    """No feature: "adresse introuvable", as a GeocodingError."""
    ban_server.answers["nulle part"] = (200, feature_collection())
    with pytest.raises(GeocodingError, match="^adresse introuvable : nulle part"):
        ban_at(ban_server).geocode("nulle part")


def test_ban_doubtful_match_is_address_not_found(ban_server: BanStandIn) -> None:
    """A match scored below the threshold is refused rather than placing a site at random."""
    ban_server.answers["zzz lyon"] = (200, feature_collection(ban_feature("Lyon", 45.75, 4.85, score=0.3)))
    with pytest.raises(GeocodingError, match="adresse introuvable.*incertaine"):
        ban_at(ban_server).geocode("zzz lyon")
    assert ban_at(ban_server, min_score=0.2).geocode("zzz lyon") == pytest.approx((45.75, 4.85))


def test_ban_refused_query_is_address_not_found(ban_server: BanStandIn) -> None:
    """BAN's 400 (query too short…) means the address cannot be found."""
    ban_server.answers["ab"] = (400, {"code": 400, "message": "q must contain between 3 and 200 chars"})
    with pytest.raises(GeocodingError, match="^adresse introuvable : ab"):
        ban_at(ban_server).geocode("ab")


@pytest.mark.parametrize(
    "status, body", [(500, {"message": "boom"}), (503, {"message": "busy"}), (200, b"<html>not json")]
)
def test_ban_failure_is_service_not_answering(ban_server: BanStandIn, status: int, body) -> None:
    """Server errors and unreadable answers: "le service de géocodage ne répond pas"."""
    ban_server.answers["1 place Bellecour, Lyon"] = (status, body)
    with pytest.raises(GeocodingError, match="^le service de géocodage ne répond pas : "):
        ban_at(ban_server).geocode("1 place Bellecour, Lyon")


def test_ban_malformed_feature_is_service_not_answering(ban_server: BanStandIn) -> None:
    """A feature without coordinates is an unexpected answer, not a crash."""
    ban_server.answers["1 place Bellecour, Lyon"] = (
        200,
        feature_collection({"type": "Feature", "geometry": {}, "properties": {}}),
    )
    with pytest.raises(GeocodingError, match="^le service de géocodage ne répond pas : "):
        ban_at(ban_server).geocode("1 place Bellecour, Lyon")


def test_unreachable_ban_is_service_not_answering(closed_port: int) -> None:
    """Nothing listening: a GeocodingError in French saying what to do, never a raw network exception's text."""
    geocoder = BanGeocoder(domain=f"127.0.0.1:{closed_port}", scheme="http", timeout_seconds=2, proxies={})
    with pytest.raises(GeocodingError, match="^le service de géocodage ne répond pas : ") as caught:
        geocoder.geocode("1 place Bellecour, Lyon")
    message = caught.value.detail
    assert "réessayez" in message and "carte" in message
    for system_text in (str(closed_port), "127.0.0.1", "Connection", "Errno", "HTTP", "Error"):
        assert system_text not in message


def test_refused_query_message_has_no_system_text(ban_server: BanStandIn) -> None:
    """BAN's own English message is logged, not shown: people read what to change in the address."""
    ban_server.answers["ab"] = (400, {"code": 400, "message": "q must contain between 3 and 200 chars"})
    with pytest.raises(GeocodingError) as caught:
        ban_at(ban_server).geocode("ab")
    assert "must contain" not in caught.value.detail
    assert "précisez" in caught.value.detail


def test_disabled_geocoder_asks_for_coordinates() -> None:
    """GEOCODER = "none" refuses every address, telling to give lat and lon."""
    with pytest.raises(GeocodingError, match="indiquez lat et lon"):
        DisabledGeocoder().geocode("1 place Bellecour, Lyon")


def test_configuration_chooses_the_geocoder() -> None:
    """ "ban" is the default and takes its domain from the configuration; "none" disables; typos fail loudly."""
    default = build_geocoder({})
    assert isinstance(default, BanGeocoder)
    assert default._ban.geocode_api == "https://api-adresse.data.gouv.fr/search"
    custom = build_geocoder({"GEOCODER": "ban", "GEOCODER_BAN_DOMAIN": "ban.example.fr", "GEOCODER_BAN_SCHEME": "http"})
    assert custom._ban.geocode_api == "http://ban.example.fr/search"
    assert isinstance(build_geocoder({"GEOCODER": "none"}), DisabledGeocoder)
    with pytest.raises(ValueError, match="GEOCODER"):
        build_geocoder({"GEOCODER": "google"})


def test_app_geocoder_comes_from_config_unless_injected(app) -> None:
    """Without injection the app builds its geocoder from GEOCODER, once."""
    app.config["GEOCODER"] = "none"
    first = configured_geocoder()
    assert isinstance(first, DisabledGeocoder)
    assert configured_geocoder() is first


def test_normalised_address_ignores_case_accents_punctuation_and_spaces() -> None:
    """Two spellings of one address share a cache entry; different addresses do not."""
    assert normalise_address("  12, Rue de l'Étang   69330 MEYZIEU ") == normalise_address(
        "12 rue de l etang 69330 Meyzieu"
    )
    assert normalise_address("12 rue de l'Étang") != normalise_address("14 rue de l'Étang")


def test_locate_asks_once_then_uses_the_cache(db) -> None:
    """The second lookup of an address (even spelt differently) does not call the geocoder."""
    fake = FakeGeocoder({"3 rue Ampère, Meyzieu": (45.78, 5.01)})
    assert locate("3 rue Ampère, Meyzieu", fake) == (45.78, 5.01)
    assert locate("3 RUE AMPERE MEYZIEU", fake) == (45.78, 5.01)
    assert fake.calls == ["3 rue Ampère, Meyzieu"]
    entry = db.session.scalar(select(GeocodeCache))
    assert (entry.address_key, entry.lat, entry.lon) == ("3 rue ampere meyzieu", 45.78, 5.01)
    assert entry.created_at is not None


def test_failed_lookups_are_not_cached(db) -> None:
    """An address not found is asked again next time (the base may have learnt it)."""
    fake = FakeGeocoder()
    for _ in range(2):
        with pytest.raises(GeocodingError):
            locate("rue inconnue", fake)
    assert fake.calls == ["rue inconnue", "rue inconnue"]
    assert db.session.scalar(select(func.count()).select_from(GeocodeCache)) == 0


def test_caching_twice_is_no_error(db) -> None:
    """Two requests caching the same address (a race) keep one entry and fail neither."""
    from tourplanner.sites.geocoding import _store

    _store("1 place bellecour lyon", 45.757, 4.832)
    _store("1 place bellecour lyon", 45.757, 4.832)
    assert db.session.scalar(select(func.count()).select_from(GeocodeCache)) == 1
