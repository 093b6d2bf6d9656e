"""Read-only queries of tours, and who may see which: one rule for the API and the pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.db import utcnow
from tourplanner.errors import NotFound
from tourplanner.extensions import db
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import AmbassadorAssignment, Stop, Tour


def is_tour_visible(user: User, tour: Tour) -> bool:
    """Whether `user` may see `tour` at all: a draft is the organisers' alone."""
    return user.role is Role.ORGANISER or tour.status is not TourStatus.DRAFT


def get_visible_tour(user: User, tour_id: int) -> Tour:
    """The tour with this id as `user` may read it; NotFound when unknown or invisible to them."""
    tour = db.session.get(Tour, tour_id)
    if tour is None or not is_tour_visible(user, tour):
        raise NotFound("ce tour n'existe pas")
    return tour


def visible_tours(user: User, upcoming_only: bool = True) -> list[Tour]:
    """Tours `user` may list: every tour for organisers; for others the visible ones still running
    (published, closed or done: a cancelled tour is read through its bookings, not listed)."""
    query = select(Tour).order_by(Tour.start_at, Tour.id)
    if upcoming_only:
        query = query.where(Tour.end_at >= utcnow() - timedelta(days=1))
    if user.role is not Role.ORGANISER:
        query = query.where(Tour.status.in_([TourStatus.PUBLISHED, TourStatus.CLOSED, TourStatus.DONE]))
    return list(db.session.scalars(query))


def home_tours(user: User) -> list[Tour]:
    """The tours shown on a person's home page, by role."""
    upcoming = Tour.end_at >= utcnow() - timedelta(days=1)
    query = select(Tour).where(upcoming).order_by(Tour.start_at, Tour.id)
    if user.role is Role.ORGANISER:
        pass
    elif user.role is Role.PRESCRIBER:
        booked = select(Booking.tour_id).where(
            Booking.prescriber_id == user.id, Booking.status != BookingStatus.CANCELLED
        )
        query = query.where((Tour.status == TourStatus.PUBLISHED) | Tour.id.in_(booked))
    elif user.role is Role.AMBASSADOR:
        query = query.where(Tour.id.in_(select(AmbassadorAssignment.tour_id).where(AmbassadorAssignment.user_id == user.id)))
    else:
        visited = (
            select(Stop.tour_id)
            .join(Slot, Stop.slot_id == Slot.id)
            .join(Site, Slot.site_id == Site.id)
            .where(Site.organisation_id == user.organisation_id)
        )
        query = query.where(Tour.id.in_(visited), Tour.status != TourStatus.DRAFT)
    return list(db.session.scalars(query))
