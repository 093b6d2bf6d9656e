"""A tour read with the rows its events are made of (bookings, stops, ambassadors, agenda), and the
programme it gives each person: what `events` builds everyone's copy from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload, selectinload

from tourplanner.bookings.enums import BookingStatus
from tourplanner.bookings.models import Booking
from tourplanner.calendar.cohorts import SeriesCalendar, series_calendar
from tourplanner.cohorts.models import CohortSeries
from tourplanner.company_visits.models import AgendaItem
from tourplanner.company_visits.operations import agenda_lines
from tourplanner.extensions import db
from tourplanner.formatting import hm, long_date
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import Slot
from tourplanner.tours.enums import TourKind
from tourplanner.tours.models import AmbassadorAssignment, Bus, Stop, Tour


@dataclass(frozen=True)
class RowsPresent:
    """Which kinds of rows some of the tours being read have (all of them when not known)."""

    stops: bool = True
    assignments: bool = True
    agenda: bool = True

    @staticmethod
    def columns() -> tuple:
        """Whether a tour has stops, ambassadors, agenda rows: three columns to select with the tour (each an
        indexed lookup), so that `load_many` queries only the kinds that some of its tours have."""
        return tuple(
            exists().where(model.tour_id == Tour.id).correlate(Tour)
            for model in (Stop, AmbassadorAssignment, AgendaItem)
        )

    @classmethod
    def of(cls, rows: list) -> RowsPresent:
        """From rows of (tour, *`columns()`)."""
        return cls(*(any(row[n] for row in rows) for n in (1, 2, 3)))


@dataclass
class TourData:
    """A tour with its rows, read once (queried, so that rows flushed by the caller count)."""

    tour: Tour
    bookings: list[Booking]
    stops_by_bus: dict[int, list[Stop]]
    assignments: list[AmbassadorAssignment]
    #: A weekly cohort as one recurring event; none for the other kinds.
    cohort: SeriesCalendar | None = None
    #: The tour's agenda rows when read with the rest (`load_many`); None = read when needed.
    agenda: list[AgendaItem] | None = None

    @classmethod
    def load(
        cls, tour: Tour, exclude_booking: Booking | None = None, exclude_assignment: AmbassadorAssignment | None = None
    ) -> TourData:
        """Read the tour's confirmed bookings, stops and ambassadors, leaving out those being removed."""
        bookings = [
            booking
            for booking in db.session.scalars(
                select(Booking)
                .where(Booking.tour_id == tour.id, Booking.status == BookingStatus.CONFIRMED)
                .options(selectinload(Booking.prescriber), selectinload(Booking.participants))
                .order_by(Booking.id)
            )
            if booking is not exclude_booking
        ]
        stops_by_bus: dict[int, list[Stop]] = {}
        for stop in db.session.scalars(select(Stop).where(Stop.tour_id == tour.id).order_by(Stop.position)):
            if stop.company_response is VisitResponse.DECLINED:
                continue  # the company said no: nobody is told it will happen
            stops_by_bus.setdefault(stop.bus_id, []).append(stop)
        assignments = [
            assignment
            for assignment in db.session.scalars(
                select(AmbassadorAssignment)
                .where(AmbassadorAssignment.tour_id == tour.id)
                .order_by(AmbassadorAssignment.id)
            )
            if assignment is not exclude_assignment
        ]
        return cls(tour, bookings, stops_by_bus, assignments, _cohort_of(tour))

    @classmethod
    def load_many(cls, tours: list[Tour], present: RowsPresent | None = None) -> dict[int, TourData]:
        """The same for many tours at once, in a few queries whatever their number (a feed).

        The rows each row needs one of (a booking's prescriber, a stop's slot and site, an
        ambassador's user) and a booking's participants come joined to it: a statement less for
        each, which is most of the cost when one tour changed and is read again.

        The tours' buses are expected loaded with them (`joinedload(Tour.buses)`): bookings' and
        ambassadors' buses are then found among them, without a query. With `present` (read with
        the tours, see `RowsPresent.columns`), the kinds of rows none of them has are not queried.
        """
        ids = [tour.id for tour in tours]
        data = {tour.id: cls(tour, [], {}, [], agenda=[]) for tour in tours}
        if not ids:
            return data
        bookings, stops, assignments, agenda = _many_statements()
        given = {"ids": ids}
        for booking in db.session.scalars(bookings, given).unique():
            data[booking.tour_id].bookings.append(booking)
        present = present or RowsPresent()
        for stop in db.session.scalars(stops, given) if present.stops else ():
            if stop.company_response is not VisitResponse.DECLINED:
                data[stop.tour_id].stops_by_bus.setdefault(stop.bus_id, []).append(stop)
        for assignment in db.session.scalars(assignments, given) if present.assignments else ():
            data[assignment.tour_id].assignments.append(assignment)
        for tour in tours:
            data[tour.id].cohort = _cohort_of(tour)
        for item in db.session.scalars(agenda, given) if present.agenda else ():
            data[item.tour_id].agenda.append(item)
        return data

    def changed_at(self, *more: datetime | None) -> datetime:
        """The latest change of the tour, or of `more` rows behind a person's copy.

        Every change that concerns people marks the tour (`notices.plan_changed` moves its
        `updated_at`), so this moves whenever a copy's content may have.
        """
        tour = self.tour
        moments = [tour.updated_at, tour.optimised_at, tour.cancelled_at, tour.published_at, *more]
        return max(moment for moment in moments if moment is not None)

    def has_itinerary(self, buses: list[Bus]) -> bool:
        """Whether one of these buses has visits planned."""
        return any(self.stops_by_bus.get(bus.id) for bus in buses)

    def return_of(self, buses: list[Bus]) -> datetime:
        """When the last of these buses is back: its itinerary's return, else the tour's end."""
        if not self.has_itinerary(buses):
            return self.tour.end_at
        return max(bus.return_at or self.tour.end_at for bus in buses if self.stops_by_bus.get(bus.id))

    def bus_schedule(self, bus: Bus, with_equipment: bool = True) -> list[str]:
        """The day of one bus, a line per step."""
        tour = self.tour
        lines = [f"{hm(tour.meeting_at)}  Rendez-vous : {tour.meeting_point_name}"]
        departure = bus.departure_at or tour.departure_at
        if departure != tour.meeting_at:
            lines.append(f"{hm(departure)}  Départ du car")
        for stop in self.stops_by_bus.get(bus.id, []):
            site = stop.slot.site
            line = f"{hm(stop.arrival_at)}  {site.name} (visite {hm(stop.start_at)}–{hm(stop.end_at)})"
            if with_equipment and site.protective_equipment:
                line += f" — équipement : {site.protective_equipment}"
            lines.append(line)
        if bus.return_at is not None and self.stops_by_bus.get(bus.id):
            lines.append(f"{hm(bus.return_at)}  Retour : {tour.meeting_point_name}")
        else:
            lines.append(f"{hm(tour.end_at)}  Fin du tour")
        return lines

    def schedule(self, buses: list[Bus]) -> list[str]:
        """The programme for a person on these buses (all of them when unknown)."""
        tour = self.tour
        if self.cohort is not None:
            return [tour.title, "", *self.cohort.lines]
        lines = [f"{tour.title}", long_date(tour.start_at).capitalize(), "", *agenda_lines(tour, self.agenda)]
        if not self.has_itinerary(buses):
            lines += [
                f"Rendez-vous à {hm(tour.meeting_at)} : {tour.meeting_point_name}",
                f"Fin prévue à {hm(tour.end_at)}",
                "Le programme des visites sera précisé prochainement.",
            ]
            return lines
        lines.append("Programme :")
        for bus in buses:
            if len(buses) > 1 or len(tour.buses) > 1:
                lines.append(f"{bus.name} :")
            lines += ["  " + line for line in self.bus_schedule(bus)]
        return lines

    def group_size(self, bus: Bus) -> int:
        """Seats confirmed on a bus (all confirmed seats when the tour has one bus)."""
        if len(self.tour.buses) == 1:
            return sum(booking.seats for booking in self.bookings)
        return sum(booking.seats for booking in self.bookings if booking.bus_id == bus.id)


@lru_cache(maxsize=1)
def _many_statements():
    """`load_many`'s statements, built once (a feed after a change runs them for one tour: building them
    cost as much as running them), the tours' ids bound as `ids`."""
    ids = bindparam("ids", expanding=True)
    bookings = (
        select(Booking)
        .where(Booking.tour_id.in_(ids), Booking.status == BookingStatus.CONFIRMED)
        .options(joinedload(Booking.prescriber), joinedload(Booking.participants))
        .order_by(Booking.id)
    )
    stops = (
        select(Stop)
        .where(Stop.tour_id.in_(ids))
        .order_by(Stop.position)
        .options(joinedload(Stop.slot).joinedload(Slot.site))
    )
    assignments = (
        select(AmbassadorAssignment)
        .where(AmbassadorAssignment.tour_id.in_(ids))
        .options(joinedload(AmbassadorAssignment.user))
        .order_by(AmbassadorAssignment.id)
    )
    agenda = select(AgendaItem).where(AgendaItem.tour_id.in_(ids)).order_by(AgendaItem.id)
    return bookings, stops, assignments, agenda


def _cohort_of(tour: Tour) -> SeriesCalendar | None:
    """A cohort's recurring event (its sessions queried, so that rows flushed by the caller count)."""
    if tour.kind is not TourKind.COHORT:
        return None
    series = db.session.scalar(select(CohortSeries).where(CohortSeries.tour_id == tour.id))
    if series is None or not series.sessions:
        return None
    return series_calendar(series, tour.meeting_point_name)
