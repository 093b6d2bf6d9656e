"""Travel times and distances between places, behind a small Protocol.

A provider turns a list of (lat, lon) points (WGS84 decimal degrees) into two square
integer matrices: durations in seconds and distances in metres, row = from, column = to.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

Point = tuple[float, float]


@runtime_checkable
class TravelTimeProvider(Protocol):
    """Anything that gives road durations (s) and distances (m) between points."""

    def matrix(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """(durations_s, distances_m): square int64 arrays indexed like ``points``."""
        ...


class HaversineProvider:
    """Great-circle distance times a circuity factor, driven at a constant speed."""

    def __init__(self, circuity: float = 1.3, speed_kmh: float = 50.0) -> None:
        if not circuity >= 1.0:
            raise ValueError(f"circuity must be at least 1 (roads are not shorter), got {circuity}")
        if not speed_kmh > 0:
            raise ValueError(f"speed_kmh must be positive, got {speed_kmh}")
        self.circuity = circuity
        self.speed_kmh = speed_kmh

    def __repr__(self) -> str:
        return f"HaversineProvider(circuity={self.circuity}, speed_kmh={self.speed_kmh})"

    def matrix(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised haversine matrix (200 points take a few milliseconds)."""
        coords = _as_coords(points)
        lat = np.radians(coords[:, 0])
        lon = np.radians(coords[:, 1])
        dlat = lat[None, :] - lat[:, None]
        dlon = lon[None, :] - lon[:, None]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        great_circle_m = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        road_m = great_circle_m * self.circuity
        seconds = road_m / (self.speed_kmh / 3.6)
        return np.rint(seconds).astype(np.int64), np.rint(road_m).astype(np.int64)


class OsrmTableProvider:
    """Durations and distances from an OSRM-compatible ``/table`` service.

    Any failure (network, HTTP status, unexpected JSON, missing cell) falls back to
    ``fallback`` with a logged warning, so an optimisation never fails because the
    routing server is down.
    """

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 10.0,
        fallback: TravelTimeProvider | None = None,
        profile: str = "driving",
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if not timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.fallback = fallback if fallback is not None else HaversineProvider()
        self.profile = profile

    def url(self, points: Sequence[Point]) -> str:
        """The table request URL (OSRM wants lon,lat pairs)."""
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        return f"{self.base_url}/table/v1/{self.profile}/{coords}?annotations=duration,distance"

    def matrix(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """Ask the server; on any error use the fallback provider."""
        coords = _as_coords(points)
        try:
            return self._fetch(coords)
        except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as error:
            log.warning("OSRM table request failed (%s); using %r", error, self.fallback)
            return self.fallback.matrix(points)

    def _fetch(self, coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        request = urllib.request.Request(self.url(coords.tolist()), headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            body = json.loads(response.read().decode("utf-8"))
        if body.get("code") != "Ok":
            raise ValueError(f"OSRM answered code {body.get('code')!r}: {body.get('message', '')}")
        n = len(coords)
        durations = np.asarray(body["durations"], dtype=float)
        distances = np.asarray(body["distances"], dtype=float)
        if durations.shape != (n, n) or distances.shape != (n, n):
            raise ValueError(f"OSRM table has shape {durations.shape}, expected {(n, n)}")
        if np.isnan(durations).any() or np.isnan(distances).any():
            raise ValueError("OSRM table has unreachable pairs (null cells)")
        return np.rint(durations).astype(np.int64), np.rint(distances).astype(np.int64)


def _as_coords(points: Sequence[Point]) -> np.ndarray:
    coords = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(coords) and (np.abs(coords[:, 0]).max() > 90 or np.abs(coords[:, 1]).max() > 180):
        raise ValueError("points must be (lat, lon) in decimal degrees")
    return coords
