"""Travel-time providers: haversine against geodesic, OSRM table and its fall-back."""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
from geopy.distance import geodesic

from tourplanner.routing import HaversineProvider, OsrmTableProvider, TravelTimeProvider

POINTS = [(45.7485, 4.8467), (45.7050, 4.9480), (45.7610, 5.0200), (48.8566, 2.3522), (43.2965, 5.3698)]


def test_haversine_within_one_percent_of_geodesic():
    """With circuity 1 the haversine distance is within 1 % of geopy's geodesic one."""
    _, distances = HaversineProvider(circuity=1.0).matrix(POINTS)
    for i, a in enumerate(POINTS):
        for j, b in enumerate(POINTS):
            if i != j:
                assert distances[i, j] == pytest.approx(geodesic(a, b).meters, rel=0.01)


def test_haversine_circuity_and_speed():
    """Road metres = circuity x great circle; seconds = metres at the given speed."""
    straight = HaversineProvider(circuity=1.0).matrix(POINTS)[1]
    durations, distances = HaversineProvider(circuity=1.3, speed_kmh=36).matrix(POINTS)
    assert np.allclose(distances, straight * 1.3, atol=1)
    assert np.allclose(durations, distances / 10, atol=1)  # 36 km/h = 10 m/s
    assert durations.dtype == np.int64 and (np.diag(durations) == 0).all()


def test_haversine_rejects_bad_settings():
    """A circuity below 1 or a non-positive speed is refused."""
    with pytest.raises(ValueError, match="circuity"):
        HaversineProvider(circuity=0.9)
    with pytest.raises(ValueError, match="speed_kmh"):
        HaversineProvider(speed_kmh=0)


def test_providers_satisfy_the_protocol():
    """Both providers are TravelTimeProviders."""
    assert isinstance(HaversineProvider(), TravelTimeProvider)
    assert isinstance(OsrmTableProvider("http://127.0.0.1:1"), TravelTimeProvider)


@pytest.fixture
def osrm_server():
    """A local OSRM look-alike answering a canned /table; yields (base_url, requested paths)."""
    requested = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            body = json.dumps(
                {
                    "code": "Ok",
                    "durations": [[0, 120.4], [130.6, 0]],
                    "distances": [[0, 1500.2], [1600.7, 0]],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requested
    server.shutdown()
    server.server_close()
    thread.join()


def test_osrm_table_read(osrm_server):
    """The OSRM table is asked with lon,lat pairs and read into rounded integer matrices."""
    base_url, requested = osrm_server
    durations, distances = OsrmTableProvider(base_url, timeout_s=5).matrix(POINTS[:2])
    assert durations.tolist() == [[0, 120], [131, 0]]
    assert distances.tolist() == [[0, 1500], [1601, 0]]
    assert requested == ["/table/v1/driving/4.846700,45.748500;4.948000,45.705000?annotations=duration,distance"]


def test_osrm_falls_back_when_server_is_down(caplog):
    """A closed port gives the fall-back provider's matrices and a logged warning."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fallback = HaversineProvider(circuity=1.2)
    with caplog.at_level(logging.WARNING, logger="tourplanner.routing.travel"):
        durations, distances = OsrmTableProvider(f"http://127.0.0.1:{port}", 2, fallback).matrix(POINTS)
    expected = fallback.matrix(POINTS)
    assert (durations == expected[0]).all() and (distances == expected[1]).all()
    assert "OSRM table request failed" in caplog.text


def test_osrm_falls_back_on_an_error_answer(osrm_server):
    """A wrong-shaped answer (here: 2x2 for 3 points) also falls back."""
    base_url, _ = osrm_server
    durations, _ = OsrmTableProvider(base_url, 5).matrix(POINTS[:3])
    assert durations.shape == (3, 3)
    assert (durations == HaversineProvider().matrix(POINTS[:3])[0]).all()
