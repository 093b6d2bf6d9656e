"""The bilan: the figures programmes are judged on, computed by aggregate SQL.

Definitions (written the same way on the bilan page, for funders to audit):

- An **action** is a tour that was not cancelled whose start lies in [from, to] (local
  days, both included), optionally of one kind, in one territory, or with one
  organisation taking part.
- A tour's **territory** is the territory of the industrial zones of the sites it visits
  (its itinerary's stops and its candidate slots): a tour visiting two territories counts
  in both.
- **Participants** are the people marked present on an action; on an action whose
  attendance was not taken at all, its confirmed seats.
- **Companies** are the distinct organisations whose sites an action visited (a visit
  the company declined does not count); **prescribers** the distinct prescribers with a
  counted participant. Each counts once however many actions.
- An **outcome** (recruitment, training, internship) counts a person (a counted
  participant) once per kind, however many times it was recorded.
- **Perception** counts the people who answered both before and after the same action
  (`answered`) and, among them, those whose score rose (`improved`) from their first
  "before" to their last "after" over the period; a person counts once.
- **Fill rate** = confirmed seats ÷ seats offered on the actions; **no-show rate** =
  absent ÷ (present + absent) among the seats whose attendance was recorded.

Every figure is one aggregate query (COUNT, COUNT DISTINCT, SUM with GROUP BY): no row of a
participant is loaded into Python, so the bilan stays fast over years of activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, literal, or_, select, union
from sqlalchemy.orm import aliased

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.extensions import db
from tourplanner.impact.enums import Moment, OutcomeKind, Respondent
from tourplanner.impact.models import Outcome, PerceptionAnswer
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import IndustrialZone, Site, Slot
from tourplanner.timeutil import local_zone
from tourplanner.tours.enums import TourKind, TourStatus
from tourplanner.tours.models import Bus, Stop, Tour, TourCandidate
from tourplanner.tours.queries import managed_by

#: Outcomes the bilan reports (still searching is recorded but is not a result).
REPORTED_OUTCOMES = (OutcomeKind.RECRUITMENT, OutcomeKind.TRAINING, OutcomeKind.INTERNSHIP)


@dataclass(frozen=True)
class BilanFilter:
    """The slice of activity a bilan covers."""

    start: date
    end: date
    territory: str | None = None
    kind: TourKind | None = None
    organisation_id: int | None = None
    #: Count only the tours this organiser manages (their territory's); none = the whole instance.
    organiser: User | None = None


@dataclass(frozen=True)
class PerceptionFigures:
    """Perception change for one kind of respondent."""

    answered: int = 0
    improved: int = 0
    #: People concerned (asked): prescribers with a confirmed booking, contacts of visited companies.
    concerned: int = 0
    mean_before: float | None = None
    mean_after: float | None = None

    @property
    def improved_rate(self) -> float | None:
        """Share of those who answered both whose score rose."""
        return self.improved / self.answered if self.answered else None

    @property
    def response_rate(self) -> float | None:
        """Share of the people concerned who answered both before and after."""
        return min(1.0, self.answered / self.concerned) if self.concerned else None


@dataclass(frozen=True)
class SliceCount:
    """Participants of one role and kind of organisation."""

    role: Role
    kind: OrganisationKind | None
    participants: int


@dataclass(frozen=True)
class MonthCount:
    """Actions and participants in one month ("YYYY-MM")."""

    month: str
    actions: int
    participants: int


@dataclass(frozen=True)
class Bilan:
    """Every figure of the bilan for one slice."""

    filter: BilanFilter
    actions: int
    companies: int
    prescribers: int
    participants: int
    outcomes: dict[OutcomeKind, int]
    perception: dict[Respondent, PerceptionFigures]
    seats_offered: int
    seats_confirmed: int
    present: int
    absent: int
    by_slice: list[SliceCount] = field(default_factory=list)
    by_month: list[MonthCount] = field(default_factory=list)

    @property
    def recruitments(self) -> int:
        """People recruited (once per person)."""
        return self.outcomes.get(OutcomeKind.RECRUITMENT, 0)

    @property
    def trainings(self) -> int:
        """People who entered training."""
        return self.outcomes.get(OutcomeKind.TRAINING, 0)

    @property
    def internships(self) -> int:
        """People who did an internship or immersion (PMSMP)."""
        return self.outcomes.get(OutcomeKind.INTERNSHIP, 0)

    @property
    def fill_rate(self) -> float | None:
        """Confirmed seats ÷ seats offered."""
        return self.seats_confirmed / self.seats_offered if self.seats_offered else None

    @property
    def no_show_rate(self) -> float | None:
        """Absent ÷ recorded attendance."""
        recorded = self.present + self.absent
        return self.absent / recorded if recorded else None

    def contract_json(self) -> dict[str, Any]:
        """The figures as GET /api/v1/bilan gives them (the contract's fields first)."""
        def perception(respondent: Respondent) -> dict[str, Any]:
            figures = self.perception[respondent]
            return {"answered": figures.answered, "improved": figures.improved, "concerned": figures.concerned,
                    "response_rate": _rounded(figures.response_rate),
                    "mean_before": _rounded(figures.mean_before), "mean_after": _rounded(figures.mean_after)}

        return {
            "actions": self.actions,
            "companies": self.companies,
            "prescribers": self.prescribers,
            "participants": self.participants,
            "recruitments": self.recruitments,
            "trainings": self.trainings,
            "internships": self.internships,
            "perception": {"prescribers": perception(Respondent.PRESCRIBER),
                           "companies": perception(Respondent.COMPANY)},
            "searching": self.outcomes.get(OutcomeKind.SEARCHING, 0),
            "seats_offered": self.seats_offered,
            "seats_confirmed": self.seats_confirmed,
            "fill_rate": _rounded(self.fill_rate),
            "no_show_rate": _rounded(self.no_show_rate),
            "participants_by": [{"role": s.role.value, "organisation_kind": s.kind.value if s.kind else None,
                                 "participants": s.participants} for s in self.by_slice],
            "months": [{"month": m.month, "actions": m.actions, "participants": m.participants}
                       for m in self.by_month],
        }


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in local time: the instants of the local days start…end."""
    zone = local_zone()
    return datetime.combine(start, time(0), tzinfo=zone), datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)


def month_of(column: Any) -> Any:
    """SQL for "YYYY-MM" of a UTC timestamp, the same on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM")


# --- the building blocks ---------------------------------------------------------------


def territory_tours(territory: str) -> Select:
    """Ids of the tours visiting a site in one of the territory's industrial zones."""
    by_stop = (select(Stop.tour_id).join(Slot, Stop.slot_id == Slot.id).join(Site, Slot.site_id == Site.id)
               .join(IndustrialZone, Site.zone_id == IndustrialZone.id).where(IndustrialZone.territory == territory))
    by_candidate = (select(TourCandidate.tour_id).join(Slot, TourCandidate.slot_id == Slot.id)
                    .join(Site, Slot.site_id == Site.id).join(IndustrialZone, Site.zone_id == IndustrialZone.id)
                    .where(IndustrialZone.territory == territory))
    return select(union(by_stop, by_candidate).subquery().c[0])


def _organisation_tours(organisation_id: int) -> Select:
    """Ids of the tours an organisation took part in: a confirmed booking of it, or a visit at its site."""
    booked = select(Booking.tour_id).where(Booking.organisation_id == organisation_id,
                                           Booking.status == BookingStatus.CONFIRMED)
    visited = (select(Stop.tour_id).join(Slot, Stop.slot_id == Slot.id).join(Site, Slot.site_id == Site.id)
               .where(Site.organisation_id == organisation_id))
    return select(union(booked, visited).subquery().c[0])


def action_ids(slice_: BilanFilter) -> Select:
    """Ids of the actions: tours not cancelled starting in the period, in the slice."""
    low, high = local_bounds(slice_.start, slice_.end)
    query = select(Tour.id).where(Tour.status != TourStatus.CANCELLED, Tour.start_at >= low, Tour.start_at < high)
    if slice_.kind is not None:
        query = query.where(Tour.kind == slice_.kind)
    if slice_.territory:
        query = query.where(Tour.id.in_(territory_tours(slice_.territory)))
    if slice_.organisation_id is not None:
        query = query.where(Tour.id.in_(_organisation_tours(slice_.organisation_id)))
    if slice_.organiser is not None:
        query = query.where(managed_by(slice_.organiser))
    return query


def _people_of(slice_: BilanFilter, organisation_column: Any = Booking.organisation_id) -> Any:
    """Condition on bookings: the organisation's own people when an organisation is chosen (not a company)."""
    if slice_.organisation_id is None:
        return literal(True)
    kind = db.session.scalar(select(Organisation.kind).where(Organisation.id == slice_.organisation_id))
    if kind is OrganisationKind.COMPANY:  # a company's slice: the people it received
        return literal(True)
    return organisation_column == slice_.organisation_id


def plain_actions(slice_: BilanFilter) -> Any:
    """The actions as a materialised common table: id and start_at."""
    return action_ids(slice_).add_columns(Tour.start_at.label("start_at")).cte("actions").prefix_with("MATERIALIZED")


def booking_facts(actions: Any) -> Any:
    """One row per confirmed booking of an action: its seats, present and absent people, and `tour_recorded`,
    the most attendance recorded on one booking of its tour (0: attendance was not taken on that tour).

    Participants are counted per booking, the way each database does it fastest.
    """
    columns = (Booking.id.label("id"), Booking.tour_id.label("tour_id"), Booking.seats.label("seats"),
               Booking.prescriber_id.label("prescriber_id"), Booking.organisation_id.label("organisation_id"),
               actions.c.start_at.label("start_at"))
    confirmed = and_(Booking.tour_id == actions.c.id, Booking.status == BookingStatus.CONFIRMED)
    if db.engine.dialect.name == "sqlite":
        # SQLite: a count per booking through the covering index (booking_id, attendance), no grouping.
        def recorded(attendance: Attendance) -> Any:
            return (select(func.count()).select_from(Participant)
                    .where(Participant.booking_id == Booking.id, Participant.attendance == attendance)
                    .correlate(Booking).scalar_subquery())

        per_booking = (select(*columns, recorded(Attendance.PRESENT).label("present"),
                              recorded(Attendance.ABSENT).label("absent"))
                       .select_from(actions).join(Booking, confirmed).subquery("per_booking"))
    else:
        # PostgreSQL: one hash join and aggregate over the recorded participants.
        present = func.count(case((Participant.attendance == Attendance.PRESENT, 1)))
        absent = func.count(case((Participant.attendance == Attendance.ABSENT, 1)))
        per_booking = (select(*columns, present.label("present"), absent.label("absent"))
                       .select_from(actions).join(Booking, confirmed)
                       .outerjoin(Participant, and_(Participant.booking_id == Booking.id,
                                                    Participant.attendance.is_not(None)))
                       .group_by(*columns).subquery("per_booking"))
    return select(
        *per_booking.c,
        func.max(per_booking.c.present + per_booking.c.absent).over(partition_by=per_booking.c.tour_id)
        .label("tour_recorded"),
    ).subquery("facts")


@dataclass(frozen=True)
class _BookingFigures:
    """What the bookings of the actions give: participants per month and slice, seats, prescribers."""

    by_month: dict[str, int]
    by_slice: dict[tuple[Role, OrganisationKind | None], int]
    seats_confirmed: int
    present: int
    absent: int
    prescribers: int
    prescribers_concerned: int


def booking_figures(slice_: BilanFilter, actions: Any) -> _BookingFigures:
    """Participants (present, or confirmed seats where attendance was not taken), seats and prescribers."""
    facts = booking_facts(actions)
    people = _people_of(slice_, facts.c.organisation_id)
    counted = case((facts.c.tour_recorded > 0, facts.c.present), else_=facts.c.seats)
    month = month_of(facts.c.start_at)
    rows = db.session.execute(
        select(month, User.role, Organisation.kind, func.sum(counted), func.sum(facts.c.seats),
               func.sum(facts.c.present), func.sum(facts.c.absent))
        .select_from(facts).join(User, User.id == facts.c.prescriber_id)
        .outerjoin(Organisation, Organisation.id == facts.c.organisation_id)
        .where(people).group_by(month, User.role, Organisation.kind)
    ).all()
    by_month: dict[str, int] = {}
    by_slice: dict[tuple[Role, OrganisationKind | None], int] = {}
    seats = present = absent = 0
    for month_text, role, kind, participants, confirmed, present_n, absent_n in rows:
        by_month[str(month_text)] = by_month.get(str(month_text), 0) + int(participants or 0)
        key = (Role(role), OrganisationKind(kind) if kind else None)
        by_slice[key] = by_slice.get(key, 0) + int(participants or 0)
        seats, present, absent = seats + int(confirmed or 0), present + int(present_n or 0), absent + int(absent_n or 0)
    reached, concerned = db.session.execute(
        select(func.count(distinct(case((or_(facts.c.tour_recorded == 0, facts.c.present > 0),
                                          facts.c.prescriber_id)))),
               func.count(distinct(facts.c.prescriber_id)))
        .select_from(facts).where(people)
    ).one()
    return _BookingFigures(by_month, by_slice, seats, present, absent, int(reached or 0), int(concerned or 0))


def count_companies(slice_: BilanFilter, actions: Any) -> int:
    """Distinct organisations whose sites the actions visited (declined visits left out)."""
    return db.session.scalar(
        select(func.count(distinct(Site.organisation_id))).select_from(actions)
        .join(Stop, Stop.tour_id == actions.c.id)
        .join(Slot, Stop.slot_id == Slot.id).join(Site, Slot.site_id == Site.id)
        .where(Stop.company_response != VisitResponse.DECLINED)
    ) or 0


def count_outcomes(slice_: BilanFilter, actions: Any) -> dict[OutcomeKind, int]:
    """Per kind, distinct counted participants with such an outcome."""
    facts = booking_facts(actions)
    rows = db.session.execute(
        select(Outcome.kind, func.count(distinct(Outcome.participant_id)))
        .select_from(facts)
        .join(Participant, Participant.booking_id == facts.c.id)
        .join(Outcome, Outcome.participant_id == Participant.id)
        .where(_people_of(slice_, facts.c.organisation_id),
               or_(facts.c.tour_recorded == 0, Participant.attendance == Attendance.PRESENT))
        .group_by(Outcome.kind)
    )
    return {OutcomeKind(kind): int(count) for kind, count in rows}


def perception_figures(slice_: BilanFilter, actions: Any, prescribers_concerned: int
                       ) -> dict[Respondent, PerceptionFigures]:
    """Per kind of respondent: people who answered before and after an action, and whose score rose."""
    before, after = aliased(PerceptionAnswer), aliased(PerceptionAnswer)
    # Each (person, action) answered before and after; a person's change runs from their first
    # "before" to their last "after" over the period's actions.
    pairs = (
        select(before.user_id.label("user_id"), before.respondent.label("respondent"),
               before.score.label("before"), after.score.label("after"),
               func.row_number().over(partition_by=before.user_id,
                                      order_by=(actions.c.start_at, actions.c.id)).label("first"),
               func.row_number().over(partition_by=before.user_id,
                                      order_by=(actions.c.start_at.desc(), actions.c.id.desc())).label("last"))
        .select_from(actions)
        .join(before, and_(before.tour_id == actions.c.id, before.moment == Moment.BEFORE))
        .join(after, and_(after.tour_id == before.tour_id, after.user_id == before.user_id,
                          after.moment == Moment.AFTER))
    )
    if slice_.organisation_id is not None:
        pairs = pairs.join(User, before.user_id == User.id).where(User.organisation_id == slice_.organisation_id)
    pairs_table = pairs.subquery("pairs")
    people = (
        select(pairs_table.c.respondent,
               func.max(case((pairs_table.c.first == 1, pairs_table.c.before))).label("before"),
               func.max(case((pairs_table.c.last == 1, pairs_table.c.after))).label("after"))
        .group_by(pairs_table.c.user_id, pairs_table.c.respondent)
        .subquery("people")
    )
    query = (
        select(people.c.respondent, func.count(), func.sum(case((people.c.after > people.c.before, 1), else_=0)),
               func.avg(people.c.before), func.avg(people.c.after))
        .group_by(people.c.respondent)
    )
    figures = {respondent: [0, 0, None, None] for respondent in Respondent}
    for respondent, answered, improved, mean_before, mean_after in db.session.execute(query):
        figures[Respondent(respondent)] = [int(answered), int(improved or 0), mean_before, mean_after]
    concerned = {Respondent.PRESCRIBER: prescribers_concerned, Respondent.COMPANY: _contacts_concerned(slice_, actions)}
    return {
        respondent: PerceptionFigures(
            answered=values[0], improved=values[1], concerned=concerned[respondent],
            mean_before=float(values[2]) if values[2] is not None else None,
            mean_after=float(values[3]) if values[3] is not None else None,
        )
        for respondent, values in figures.items()
    }


def _contacts_concerned(slice_: BilanFilter, actions: Any) -> int:
    """Contacts of the companies an action visited (people asked for their perception)."""
    visited = (select(Site.organisation_id).select_from(actions).join(Stop, Stop.tour_id == actions.c.id)
               .join(Slot, Stop.slot_id == Slot.id).join(Site, Slot.site_id == Site.id)
               .where(Stop.company_response != VisitResponse.DECLINED))
    contacts = select(func.count(User.id)).where(User.role == Role.COMPANY, User.organisation_id.in_(visited))
    if slice_.organisation_id is not None:
        contacts = contacts.where(User.organisation_id == slice_.organisation_id)
    return db.session.scalar(contacts) or 0


def action_figures(actions: Any) -> tuple[dict[str, int], int]:
    """Actions per month of their start, and the seats they offered."""
    month = month_of(actions.c.start_at)
    months = {str(m): int(n) for m, n in db.session.execute(select(month, func.count(actions.c.id)).group_by(month))}
    offered = db.session.scalar(select(func.coalesce(func.sum(Bus.seats), 0)).select_from(actions)
                                .join(Bus, Bus.tour_id == actions.c.id)) or 0
    return months, int(offered)


def compute_bilan(slice_: BilanFilter) -> Bilan:
    """Every figure of the bilan for the slice (a handful of aggregate queries)."""
    actions = plain_actions(slice_)
    months, offered = action_figures(actions)
    bookings = booking_figures(slice_, actions)
    by_month = [MonthCount(m, months.get(m, 0), bookings.by_month.get(m, 0))
                for m in sorted(set(months) | set(bookings.by_month))]
    by_slice = sorted((SliceCount(role, kind, n) for (role, kind), n in bookings.by_slice.items()),
                      key=lambda s: (s.role.label, s.kind.label if s.kind else ""))
    return Bilan(
        filter=slice_,
        actions=sum(months.values()),
        companies=count_companies(slice_, actions),
        prescribers=bookings.prescribers,
        participants=sum(bookings.by_month.values()),
        outcomes=count_outcomes(slice_, actions),
        perception=perception_figures(slice_, actions, bookings.prescribers_concerned),
        seats_offered=offered,
        seats_confirmed=bookings.seats_confirmed,
        present=bookings.present,
        absent=bookings.absent,
        by_slice=by_slice,
        by_month=by_month,
    )
