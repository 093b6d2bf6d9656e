"""The demo's weekly cohort (Made in Métal): a Tuesday-morning series joined by two referents' groups.

Dates count from the demo's anchor day like the rest of the demo, so that the cohort is
always ahead, whatever today is; a second run finds the cohort by its title and adds nothing.
One session is moved to the Wednesday and another cancelled, so that calendars show an
override and an exception beside the holidays' EXDATEs.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from tourplanner.accounts.models import User
from tourplanner.bookings.operations import BookingRequest, ParticipantDetails, book_seats
from tourplanner.cohorts.days import first_on_or_after, school_calendar_last_day
from tourplanner.cohorts.operations import CohortDetails, cancel_session, create_cohort, move_session, series_of
from tourplanner.extensions import db
from tourplanner.tours.models import Tour
from tourplanner.tours.operations import publish_tour

TITLE = "Made in Métal — cohorte du mardi matin"
DESCRIPTION = (
    "Un parcours de découverte de la métallurgie, chaque mardi matin pendant quatre mois : "
    "visites d'ateliers, gestes professionnels au plateau technique, rencontres avec des salariés. "
    "Une même cohorte d'une dizaine de personnes suit toutes les séances."
)
PLACE = ("Plateau technique de l'UIMM Loire, Saint-Chamond", 45.4757, 4.5147)
ORGANISER = "julien.ferrand"
#: (referent, the people they accompany): one booking each.
GROUPS = (
    ("sophie.marchetti", ("Kevin Arnaud", "Lina Bensaïd", "Mathis Durand", "Océane Faure")),
    ("emilie.roux", ("Yanis Giraud", "Manon Lopez", "Théo Mercier")),
)
WEEKS = 16


def load_cohort_demo(anchor: date, users: dict[str, User]) -> int:
    """Create the demo cohort if missing (published, booked, one session moved, one cancelled); returns rows added."""
    if db.session.scalar(select(Tour.id).where(Tour.title == TITLE)) is not None:
        return 0
    first_day = first_on_or_after(anchor + timedelta(days=14), 1)
    last_day = first_day + timedelta(weeks=WEEKS - 1)
    if last_day > school_calendar_last_day():
        return 0  # the shipped school calendar does not reach that far: upgrade vacances-scolaires-france
    organiser = users[ORGANISER]
    tour = create_cohort(
        CohortDetails(
            title=TITLE,
            weekday=1,
            start_time=time(9),
            end_time=time(12),
            first_day=first_day,
            last_day=last_day,
            place_name=PLACE[0],
            lat=PLACE[1],
            lon=PLACE[2],
            seats=10,
            description=DESCRIPTION,
        ),
        organiser,
    )
    publish_tour(tour, organiser)
    for referent, people in GROUPS:
        book_seats(tour, users[referent], BookingRequest(len(people), [ParticipantDetails(n) for n in people]))
    held = [s for s in series_of(tour).sessions if s.is_held]
    moved = held[2]
    move_session(
        tour,
        moved,
        moved.start_at + timedelta(days=1),
        moved.end_at + timedelta(days=1),
        "Forge de Saint-Chamond, visite d'atelier",
        organiser,
    )
    cancel_session(tour, held[5], "plateau technique fermé pour inventaire", organiser)
    db.session.flush()
    return 1 + len(GROUPS) + len(held)
