"""The tour verbs check their actor themselves: called without any route, a wrong actor is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.errors import NotFound, PermissionDenied
from tourplanner.tours import operations
from tourplanner.tours.details import TourDetails
from tourplanner.tours.enums import TourStatus


def _details(tour) -> TourDetails:
    """The tour's details as the verbs take them."""
    return TourDetails(
        title=tour.title,
        start=tour.start_at,
        end=tour.end_at,
        meeting_point_name=tour.meeting_point_name,
        meeting_lat=tour.meeting_lat,
        meeting_lon=tour.meeting_lon,
        bus_seats=[bus.seats for bus in tour.buses],
        booking_deadline=tour.booking_deadline_at,
    )


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.COMPANY, Role.AMBASSADOR])
def test_create_tour_refuses_anyone_but_an_organiser(make_tour, make_user, role) -> None:
    """create_tour raises PermissionDenied for a prescriber, a company contact, an ambassador."""
    details = _details(make_tour())
    with pytest.raises(PermissionDenied):
        operations.create_tour(details, make_user(role))


def test_update_publish_cancel_refuse_another_territorys_organiser(make_tour, make_user, db) -> None:
    """A published tour of another territory: 403 on update and cancel; its draft: 404 on publish; nothing changes."""
    neighbour = make_user(Role.ORGANISER, organisation="Territoire voisin")
    published, draft = make_tour(published=True), make_tour()
    with pytest.raises(PermissionDenied):
        operations.update_tour(published, replace(_details(published), title="Pris"), neighbour)
    with pytest.raises(PermissionDenied):
        operations.cancel_tour(published, neighbour, "pas à vous")
    with pytest.raises(NotFound):
        operations.publish_tour(draft, neighbour)
    assert (published.status, published.title, draft.status) == (
        TourStatus.PUBLISHED,
        "ZI Tour Vallée du Gier",
        TourStatus.DRAFT,
    )


def test_a_prescriber_cannot_cancel_a_tour(make_tour, make_user) -> None:
    """cancel_tour refuses a prescriber; the system (no actor) still cancels, e.g. under the minimum."""
    tour = make_tour(published=True)
    with pytest.raises(PermissionDenied):
        operations.cancel_tour(tour, make_user(Role.PRESCRIBER))
    assert operations.cancel_tour(tour, None).status is TourStatus.CANCELLED


def test_the_managing_organiser_may_act(make_tour) -> None:
    """The organiser who manages the tour updates and publishes it."""
    tour = make_tour()
    operations.update_tour(tour, replace(_details(tour), title="Nouveau titre"), tour.created_by)
    assert operations.publish_tour(tour, tour.created_by).status is TourStatus.PUBLISHED
