"""Fixtures for sites, slots and assignments: a fake geocoder and a stand-in BAN server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask

from tests.conftest import future
from tourplanner.errors import GeocodingError
from tourplanner.sites.geocoding import use_geocoder


class FakeGeocoder:
    """Knows a few addresses; records every lookup; anything else is not found."""

    def __init__(self, known: dict[str, tuple[float, float]] | None = None) -> None:
        self.known = dict(known or {})
        self.calls: list[str] = []

    def geocode(self, address: str) -> tuple[float, float]:
        """The known coordinates of `address`, else GeocodingError."""
        self.calls.append(address)
        if address not in self.known:
            raise GeocodingError(f"adresse introuvable : {address}")
        return self.known[address]


#: An address the fake geocoder knows, and where it is.
KNOWN_ADDRESS = "3 rue Ampère, 69330 Meyzieu"
KNOWN_POINT = (45.7801, 5.0112)


@pytest.fixture
def geocoder(app: Flask) -> FakeGeocoder:
    """A fake geocoder installed in the app, knowing KNOWN_ADDRESS."""
    fake = FakeGeocoder({KNOWN_ADDRESS: KNOWN_POINT})
    use_geocoder(app, fake)
    return fake


def slot_body(site_id: int, **overrides: Any) -> dict[str, Any]:
    """A complete, valid POST /api/v1/slots body: 9:00–12:00 in a month, 90-minute visits."""
    body: dict[str, Any] = {
        "site_id": site_id,
        "start": future(30, 9, 0).isoformat(),
        "end": future(30, 12, 0).isoformat(),
        "visit_minutes": 90,
        "max_visitors": 20,
    }
    body.update(overrides)
    return body


class BanStandIn:
    """A local HTTP server answering /search like the BAN API; `answers` maps q to (status, body)."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, Any]] = {}
        self.queries: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query).get("q", [""])[0]
                stand_in.queries.append(query)
                status, body = stand_in.answers.get(query, (200, feature_collection()))
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.domain = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def close(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def feature_collection(*features: dict[str, Any]) -> dict[str, Any]:
    """A BAN answer with these features."""
    return {"type": "FeatureCollection", "version": "draft", "features": list(features)}


def ban_feature(label: str, lat: float, lon: float, score: float = 0.95) -> dict[str, Any]:
    """One BAN match, as the API shapes it (GeoJSON: lon before lat)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"label": label, "score": score, "type": "housenumber", "citycode": "69282"},
    }


@pytest.fixture
def ban_server() -> Iterator[BanStandIn]:
    """A BAN stand-in on 127.0.0.1, stopped after the test."""
    server = BanStandIn()
    server.thread.start()
    yield server
    server.close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
