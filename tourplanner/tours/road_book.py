"""Who may read a tour's itinerary and road book, and how much of it each reader sees."""

from __future__ import annotations

from dataclasses import dataclass

from tourplanner.accounts.models import User
from tourplanner.errors import NotFound, PermissionDenied
from tourplanner.extensions import db
from tourplanner.tours.itinerary import user_may_see_itinerary
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import get_visible_tour, manages_tour


@dataclass(frozen=True)
class RoadBookReader:
    """A tour's road book as one reader may see it."""

    tour: Tour
    #: The buses the reader accompanies as an ambassador (their own pages first).
    my_bus_ids: frozenset[int]
    #: The crew (its organisers, its ambassadors) sees the names of the people on board; prescribers do not.
    is_crew: bool


def road_book_for(user: User, tour_id: int) -> RoadBookReader:
    """The tour's road book for `user`: its organisers, its ambassadors and prescribers with a live booking
    (403 for others; 404 unknown or a draft they do not manage)."""
    tour = get_visible_tour(user, tour_id)
    if not user_may_see_itinerary(tour, user):
        raise PermissionDenied("la feuille de route est réservée aux organisateurs et aux ambassadeurs de ce tour")
    mine = frozenset(a.bus_id for a in tour.ambassadors if a.user_id == user.id)
    return RoadBookReader(tour, mine, manages_tour(user, tour) or any(a.user_id == user.id for a in tour.ambassadors))


def itinerary_tour(user: User, tour_id: int) -> Tour:
    """The tour whose stored itinerary `user` reads: its organisers, prescribers with a live booking and its
    ambassadors (404 unknown, 403 others)."""
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        raise NotFound(f"aucun tour n°{tour_id}")
    if not user_may_see_itinerary(tour, user):
        raise PermissionDenied("l'itinéraire est réservé aux organisateurs, aux inscrits et aux ambassadeurs du tour")
    return tour
