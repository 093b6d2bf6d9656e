"""Who has which event in their calendar and what their copy says: from rows to events.

The one adapter between the database and the pure iCalendar builder: invitations and
feeds both take their events from here, so a mail and a feed never disagree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.bookings.models import Booking
from tourplanner.calendar import ical
from tourplanner.calendar.enums import Audience
from tourplanner.calendar.tour_data import TourData
from tourplanner.extensions import db
from tourplanner.formatting import counted, hm, long_date
from tourplanner.tours.models import AmbassadorAssignment, Bus, Tour


def whole_minute(value: datetime) -> datetime:
    """The time without its seconds: invitations and feeds speak in whole minutes."""
    return value.replace(second=0, microsecond=0)


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def tour_uid(tour_id: int) -> str:
    """The UID of a tour's event, the same for every person and every version."""
    return f"tour-{tour_id}@{_host()}"


def visit_uid(tour_id: int, slot_id: int) -> str:
    """The UID of a company's visit within a tour: it survives re-optimisation of the itinerary."""
    return f"visit-{tour_id}-{slot_id}@{_host()}"


def tour_url(tour_id: int) -> str:
    """The tour's page."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/tours/{tour_id}"


def road_book_url(tour_id: int) -> str:
    """The printable road book of the tour, for its ambassadors."""
    return f"{tour_url(tour_id)}/feuille-de-route"


def organizer() -> ical.Person:
    """The ORGANIZER of every event: the configured sender address."""
    return ical.Person(current_app.config["MAIL_FROM"], "tourplanner")


@dataclass(frozen=True)
class PersonalEvent:
    """One person's copy of an event: what their invitation and their feed show."""

    uid: str
    tour_id: int
    recipient: str
    name: str | None
    audience: Audience
    title: str
    summary: str
    start: datetime
    end: datetime
    location: str
    geo: tuple[float, float]
    #: The schedule in French, as DESCRIPTION and in the mail's text.
    schedule: str
    url: str
    #: When the data behind this copy last changed (the feed's DTSTAMP).
    changed_at: datetime
    #: Whatever else, besides times and place, deserves an update (an ambassador's bus).
    extra_key: str = ""
    seats: int | None = None
    site_name: str | None = None
    #: A weekly cohort's rule, exceptions and overrides: the copy is then one recurring event.
    recurrence: ical.Recurrence | None = None

    @property
    def fingerprint(self) -> str:
        """A digest of what the person is told: times, place and programme (companies, their
        times, the bus, the group); when it changes, the person gets an update.

        The schedule's first line, which names the tour, is left out: a new title alone
        is no reason to mail everyone.
        """
        programme = self.schedule.split("\n", 1)[1] if "\n" in self.schedule else ""
        parts = [
            whole_minute(self.start).isoformat(),
            whole_minute(self.end).isoformat(),
            self.location,
            f"{self.geo[0]:.6f},{self.geo[1]:.6f}",
            self.extra_key,
            programme,
            self.recurrence.key() if self.recurrence is not None else "",
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    @property
    def partstat(self) -> str:
        """ACCEPTED for booked seats; the others have not been asked."""
        return "ACCEPTED" if self.audience in (Audience.BOOKER, Audience.PARTICIPANT) else "NEEDS-ACTION"

    def calendar_event(
        self, sequence: int, stamp: datetime, *, is_cancelled: bool = False, with_attendee: bool = True
    ) -> ical.CalendarEvent:
        """The VEVENT of this copy at `sequence`."""
        return ical.CalendarEvent(
            uid=self.uid,
            summary=self.summary,
            start=self.start,
            end=self.end,
            stamp=stamp,
            sequence=sequence,
            is_cancelled=is_cancelled,
            location=self.location,
            geo=self.geo,
            description=self.schedule,
            url=self.url,
            last_modified=self.changed_at,
            attendee=ical.Attendee(self.recipient, self.name, self.partstat) if with_attendee else None,
            recurrence=self.recurrence,
        )


def tour_events(
    tour: Tour,
    exclude_booking: Booking | None = None,
    exclude_assignment: AmbassadorAssignment | None = None,
    recipients: set[str] | None = None,
    data: TourData | None = None,
) -> list[PersonalEvent]:
    """Everyone's copy of the tour's own event: ambassadors, then bookers, then participants.

    Whatever the tour's status: the caller decides what a cancelled or draft tour means.
    `recipients` (lower-case addresses) limits the copies built to those people.
    """
    data = data or TourData.load(tour, exclude_booking, exclude_assignment)
    events: dict[str, PersonalEvent] = {}

    def wanted(email: str) -> bool:
        return recipients is None or email.strip().lower() in recipients

    for assignment in data.assignments:
        user = assignment.user
        if not wanted(user.email):
            continue
        lines = [f"Votre car : {assignment.bus.name}", ""]
        lines += data.schedule([assignment.bus])
        lines += ["", f"Feuille de route : {road_book_url(tour.id)}"]
        _put(
            events,
            data,
            user.email,
            user.name,
            Audience.AMBASSADOR,
            f"{tour.title} — ambassadeur ({assignment.bus.name})",
            lines,
            data.changed_at(assignment.created_at),
            [assignment.bus],
            extra_key=f"bus:{assignment.bus_id}",
        )
    seats_by_booker: dict[int, int] = {}
    buses_by_booker: dict[int, list[Bus] | None] = {}
    for booking in data.bookings:
        seats_by_booker[booking.prescriber_id] = seats_by_booker.get(booking.prescriber_id, 0) + booking.seats
        known = buses_by_booker.get(booking.prescriber_id, [])
        if booking.bus is None or known is None:
            buses_by_booker[booking.prescriber_id] = None
        elif booking.bus not in known:
            buses_by_booker[booking.prescriber_id] = [*known, booking.bus]
    for booking in data.bookings:
        if not wanted(booking.prescriber.email):
            continue
        buses = buses_by_booker[booking.prescriber_id] or list(tour.buses)
        seats = seats_by_booker[booking.prescriber_id]
        lines = data.schedule(sorted(buses, key=lambda bus: bus.position))
        lines += ["", f"Places réservées : {seats}", f"Détails : {tour_url(tour.id)}"]
        _put(
            events,
            data,
            booking.prescriber.email,
            booking.prescriber.name,
            Audience.BOOKER,
            tour.title,
            lines,
            data.changed_at(booking.confirmed_at),
            buses,
            seats=seats,
        )
    for booking in data.bookings:
        if not any(p.email and wanted(p.email) for p in booking.participants):
            continue
        buses = [booking.bus] if booking.bus is not None else list(tour.buses)
        lines = data.schedule(buses)
        lines += ["", f"Inscription par {booking.prescriber.name}", f"Détails : {tour_url(tour.id)}"]
        for participant in booking.participants:
            if participant.email:
                _put(
                    events,
                    data,
                    participant.email,
                    participant.name,
                    Audience.PARTICIPANT,
                    tour.title,
                    lines,
                    data.changed_at(booking.confirmed_at),
                    buses,
                )
    return list(events.values())


def _put(
    events: dict[str, PersonalEvent],
    data: TourData,
    email: str,
    name: str | None,
    audience: Audience,
    summary: str,
    lines: list[str],
    changed_at: datetime,
    buses: list[Bus],
    extra_key: str = "",
    seats: int | None = None,
) -> None:
    """Add a person's copy of the tour unless they already have one (one event per UID each).

    It starts at the meeting time and ends when the person's bus is back (the last of
    their buses), per the itinerary; before there is one, at the tour's end.
    """
    recipient = email.strip().lower()
    if recipient in events:
        return
    tour = data.tour
    # A weekly cohort: the first week's session, repeated by the rule.
    start, end = (data.cohort.start, data.cohort.end) if data.cohort else (tour.meeting_at, data.return_of(buses))
    events[recipient] = PersonalEvent(
        uid=tour_uid(tour.id),
        tour_id=tour.id,
        recipient=recipient,
        name=name,
        audience=audience,
        title=tour.title,
        summary=summary,
        start=start,
        end=end,
        location=tour.meeting_point_name,
        geo=(tour.meeting_lat, tour.meeting_lon),
        schedule="\n".join(lines),
        url=tour_url(tour.id),
        changed_at=changed_at,
        extra_key=extra_key,
        seats=seats,
        recurrence=data.cohort.recurrence if data.cohort else None,
    )


def visit_events(tour: Tour, slot_id: int | None = None, data: TourData | None = None) -> list[PersonalEvent]:
    """Each company contact's copy of each visit (or the one of `slot_id`) in the tour."""
    data = data or TourData.load(tour)
    events = []
    for bus in tour.buses:
        for stop in data.stops_by_bus.get(bus.id, []):
            if slot_id is not None and stop.slot_id != slot_id:
                continue
            site = stop.slot.site
            size = data.group_size(bus)
            lines = [
                f"Visite du site « {site.name} » — tour « {tour.title} »",
                long_date(stop.arrival_at).capitalize(),
                "",
                f"Arrivée du car : {hm(stop.arrival_at)}",
                f"Visite : {hm(stop.start_at)}–{hm(stop.end_at)}",
                f"Départ du car : {hm(stop.departure_at)}",
                f"Groupe : {counted(size, 'personne inscrite')} à ce jour ({bus.name}, {bus.seats} places)",
            ]
            contacts = db.session.scalars(
                select(User)
                .where(
                    User.role == Role.COMPANY, User.organisation_id == site.organisation_id, User.is_active.is_(True)
                )
                .order_by(User.id)
            )
            for contact in contacts:
                events.append(
                    PersonalEvent(
                        uid=visit_uid(tour.id, stop.slot_id),
                        tour_id=tour.id,
                        recipient=contact.email.lower(),
                        name=contact.name,
                        audience=Audience.COMPANY,
                        title=tour.title,
                        summary=f"Visite du groupe « {tour.title} »",
                        start=stop.arrival_at,
                        end=stop.departure_at,
                        location=f"{site.name}, {site.address}",
                        geo=(site.lat, site.lon),
                        schedule="\n".join(lines),
                        url=tour_url(tour.id),
                        changed_at=data.changed_at(),
                        site_name=site.name,
                    )
                )
    return events
