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
- **Interest at the debriefing** (company visits, Ambassadeurs des métiers): per answer (yes,
  maybe, no), the counted participants whose answer was recorded; one answer per participation.

The whole bilan is one aggregate statement (COUNT, COUNT DISTINCT, SUM with GROUP BY, one
branch of a UNION ALL per figure over tables materialised once): no row of a participant is
loaded into Python, so the bilan stays fast over years of activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.bookings.enums import Attendance, BookingStatus
from tourplanner.bookings.models import Booking, Participant
from tourplanner.company_visits.enums import Interest
from tourplanner.company_visits.models import ParticipantInterest
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
    #: Counted participants per answer recorded at a company visit's debriefing (one answer each).
    interest: dict[Interest, int] = field(default_factory=dict)

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
            return {
                "answered": figures.answered,
                "improved": figures.improved,
                "concerned": figures.concerned,
                "response_rate": _rounded(figures.response_rate),
                "mean_before": _rounded(figures.mean_before),
                "mean_after": _rounded(figures.mean_after),
            }

        return {
            "actions": self.actions,
            "companies": self.companies,
            "prescribers": self.prescribers,
            "participants": self.participants,
            "recruitments": self.recruitments,
            "trainings": self.trainings,
            "internships": self.internships,
            "perception": {
                "prescribers": perception(Respondent.PRESCRIBER),
                "companies": perception(Respondent.COMPANY),
            },
            "searching": self.outcomes.get(OutcomeKind.SEARCHING, 0),
            "seats_offered": self.seats_offered,
            "seats_confirmed": self.seats_confirmed,
            "fill_rate": _rounded(self.fill_rate),
            "no_show_rate": _rounded(self.no_show_rate),
            "participants_by": [
                {
                    "role": s.role.value,
                    "organisation_kind": s.kind.value if s.kind else None,
                    "participants": s.participants,
                }
                for s in self.by_slice
            ],
            "months": [{"month": m.month, "actions": m.actions, "participants": m.participants} for m in self.by_month],
            "interest": {interest.value: self.interest.get(interest, 0) for interest in Interest},
        }


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in local time: the instants of the local days start…end."""
    zone = local_zone()
    return datetime.combine(start, time(0), tzinfo=zone), datetime.combine(
        end + timedelta(days=1), time(0), tzinfo=zone
    )


def month_of(column: Any) -> Any:
    """SQL for "YYYY-MM" of a UTC timestamp, the same on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM")


# --- the building blocks ---------------------------------------------------------------


def territory_tours(territory: str) -> Select:
    """Ids of the tours visiting a site in one of the territory's industrial zones."""
    by_stop = (
        select(Stop.tour_id)
        .join(Slot, Stop.slot_id == Slot.id)
        .join(Site, Slot.site_id == Site.id)
        .join(IndustrialZone, Site.zone_id == IndustrialZone.id)
        .where(IndustrialZone.territory == territory)
    )
    by_candidate = (
        select(TourCandidate.tour_id)
        .join(Slot, TourCandidate.slot_id == Slot.id)
        .join(Site, Slot.site_id == Site.id)
        .join(IndustrialZone, Site.zone_id == IndustrialZone.id)
        .where(IndustrialZone.territory == territory)
    )
    return select(union(by_stop, by_candidate).subquery().c[0])


def _organisation_tours(organisation_id: int) -> Select:
    """Ids of the tours an organisation took part in: a confirmed booking of it, or a visit at its site."""
    booked = select(Booking.tour_id).where(
        Booking.organisation_id == organisation_id, Booking.status == BookingStatus.CONFIRMED
    )
    visited = (
        select(Stop.tour_id)
        .join(Slot, Stop.slot_id == Slot.id)
        .join(Site, Slot.site_id == Site.id)
        .where(Site.organisation_id == organisation_id)
    )
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


def facts_select(actions: Any) -> Select:
    """One row per confirmed booking of an action: its seats, present and absent people, and `tour_recorded`,
    the most attendance recorded on one booking of its tour (0: attendance was not taken on that tour).

    Participants are counted per booking, the way each database does it fastest.
    """
    columns = (
        Booking.id.label("id"),
        Booking.tour_id.label("tour_id"),
        Booking.seats.label("seats"),
        Booking.prescriber_id.label("prescriber_id"),
        Booking.organisation_id.label("organisation_id"),
        actions.c.start_at.label("start_at"),
    )
    confirmed = and_(Booking.tour_id == actions.c.id, Booking.status == BookingStatus.CONFIRMED)
    if db.engine.dialect.name == "sqlite":
        # SQLite: a count per booking through the covering index (booking_id, attendance), no grouping.
        def recorded(attendance: Attendance) -> Any:
            return (
                select(func.count())
                .select_from(Participant)
                .where(Participant.booking_id == Booking.id, Participant.attendance == attendance)
                .correlate(Booking)
                .scalar_subquery()
            )

        per_booking = (
            select(*columns, recorded(Attendance.PRESENT).label("present"), recorded(Attendance.ABSENT).label("absent"))
            .select_from(actions)
            .join(Booking, confirmed)
            .subquery("per_booking")
        )
    else:
        # PostgreSQL: the recorded participants of the actions' bookings counted per booking first (a
        # narrow grouping: one pass over the table for years, the (booking_id, attendance) index for a
        # narrow slice), then one hash join with those bookings — faster than grouping the joined rows
        # by booking (EXPLAIN ANALYZE, five years: ~40 %).
        recorded = (
            select(
                Participant.booking_id.label("booking_id"),
                func.count(case((Participant.attendance == Attendance.PRESENT, 1))).label("present"),
                func.count(case((Participant.attendance == Attendance.ABSENT, 1))).label("absent"),
            )
            .where(
                Participant.attendance.is_not(None),
                Participant.booking_id.in_(select(Booking.id).select_from(actions).join(Booking, confirmed)),
            )
            .group_by(Participant.booking_id)
            .subquery("recorded")
        )
        per_booking = (
            select(
                *columns,
                func.coalesce(recorded.c.present, 0).label("present"),
                func.coalesce(recorded.c.absent, 0).label("absent"),
            )
            .select_from(actions)
            .join(Booking, confirmed)
            .outerjoin(recorded, recorded.c.booking_id == Booking.id)
            .subquery("per_booking")
        )
    return select(
        *per_booking.c,
        func.max(per_booking.c.present + per_booking.c.absent)
        .over(partition_by=per_booking.c.tour_id)
        .label("tour_recorded"),
    )


def booking_facts(actions: Any) -> Any:
    """The booking facts of the actions as a subquery (see `facts_select`)."""
    return facts_select(actions).subquery("facts")


# --- the one statement ------------------------------------------------------------------
#
# Every figure comes from one statement: the actions and the booking facts are computed once
# (materialised common tables) and each figure is one branch of a UNION ALL, a row of the same
# shape — what it counts (`tag`), up to three keys, up to four numbers. One round trip, and the
# participants are read once, however many figures use them.

_KEYS, _NUMBERS = 3, 4


def _branch(tag: str, keys: tuple[Any, ...] = (), numbers: tuple[Any, ...] = ()) -> list[Any]:
    """The columns of one branch: its tag, its keys as text, its numbers; NULLs typed for PostgreSQL."""
    columns: list[Any] = [literal_column(f"'{tag}'", String).label("tag")]
    for i in range(_KEYS):
        key = type_coerce(keys[i], String) if i < len(keys) else cast(null(), String)
        columns.append(key.label(f"k{i}"))
    for i in range(_NUMBERS):
        number = numbers[i] if i < len(numbers) else cast(null(), Integer)
        columns.append(number.label(f"n{i}"))
    return columns


def _counted(facts: Any) -> Any:
    """Condition on a participant of a booking fact: present, or on an action whose attendance was not taken."""
    return or_(facts.c.tour_recorded == 0, Participant.attendance == Attendance.PRESENT)


def _visited(actions: Any) -> Select:
    """Organisations whose sites the actions visited (declined visits left out), one row per visit."""
    return (
        select(Site.organisation_id)
        .select_from(actions)
        .join(Stop, Stop.tour_id == actions.c.id)
        .join(Slot, Stop.slot_id == Slot.id)
        .join(Site, Slot.site_id == Site.id)
        .where(Stop.company_response != VisitResponse.DECLINED)
    )


def _perception_branch(slice_: BilanFilter, actions: Any) -> Select:
    """Per respondent: people who answered before and after, those whose score rose, sums of both scores."""
    before, after = aliased(PerceptionAnswer), aliased(PerceptionAnswer)
    # Each (person, action) answered before and after; a person's change runs from their first
    # "before" to their last "after" over the period's actions.
    order = (actions.c.start_at, actions.c.id)
    whole = (None, None)  # the frame: every action of the person
    pairs = (
        select(
            before.user_id.label("user_id"),
            before.respondent.label("respondent"),
            func.first_value(before.score)
            .over(partition_by=before.user_id, order_by=order, rows=whole)
            .label("before"),
            func.last_value(after.score).over(partition_by=before.user_id, order_by=order, rows=whole).label("after"),
        )
        .select_from(actions)
        .join(before, and_(before.tour_id == actions.c.id, before.moment == Moment.BEFORE))
        .join(
            after, and_(after.tour_id == before.tour_id, after.user_id == before.user_id, after.moment == Moment.AFTER)
        )
    )
    if slice_.organisation_id is not None:
        pairs = pairs.join(User, before.user_id == User.id).where(User.organisation_id == slice_.organisation_id)
    pairs_table = pairs.subquery("pairs")
    people = (
        select(
            pairs_table.c.respondent,
            func.max(pairs_table.c.before).label("before"),
            func.max(pairs_table.c.after).label("after"),
        )
        .group_by(pairs_table.c.user_id, pairs_table.c.respondent)
        .subquery("people")
    )
    improved = func.sum(case((people.c.after > people.c.before, 1), else_=0))
    return select(
        *_branch(
            "perception",
            (people.c.respondent,),
            (func.count(), improved, func.sum(people.c.before), func.sum(people.c.after)),
        )
    ).group_by(people.c.respondent)


def bilan_statement(slice_: BilanFilter) -> Any:
    """The bilan's one statement (a UNION ALL of aggregate branches over two materialised tables)."""
    actions = plain_actions(slice_)
    facts = facts_select(actions).cte("facts").prefix_with("MATERIALIZED")
    people = _people_of(slice_, facts.c.organisation_id)
    action_month, fact_month = month_of(actions.c.start_at), month_of(facts.c.start_at)
    counted = case((facts.c.tour_recorded > 0, facts.c.present), else_=facts.c.seats)
    visited = _visited(actions).cte("visited").prefix_with("MATERIALIZED")
    contacts = select(User.id).where(
        User.role == Role.COMPANY, User.organisation_id.in_(select(visited.c.organisation_id))
    )
    if slice_.organisation_id is not None:
        contacts = contacts.where(User.organisation_id == slice_.organisation_id)
    contacts_table = contacts.subquery("contacts")
    labels = union_all(
        select(
            Outcome.participant_id.label("participant_id"),
            literal_column("'outcome'", String).label("what"),
            type_coerce(Outcome.kind, String).label("value"),
        ),
        select(
            ParticipantInterest.participant_id,
            literal_column("'interest'", String),
            type_coerce(ParticipantInterest.interest, String),
        ),
    ).subquery("labels")
    branches = [
        # Actions per month of their start.
        select(*_branch("actions", (action_month,), (func.count(),))).select_from(actions).group_by(action_month),
        # Seats the actions offered.
        select(*_branch("offered", (), (func.coalesce(func.sum(Bus.seats), 0),)))
        .select_from(actions)
        .join(Bus, Bus.tour_id == actions.c.id),
        # Participants, confirmed seats, present and absent, per month, role and kind of organisation.
        select(
            *_branch(
                "bookings",
                (fact_month, User.role, Organisation.kind),
                (func.sum(counted), func.sum(facts.c.seats), func.sum(facts.c.present), func.sum(facts.c.absent)),
            )
        )
        .select_from(facts)
        .join(User, User.id == facts.c.prescriber_id)
        .outerjoin(Organisation, Organisation.id == facts.c.organisation_id)
        .where(people)
        .group_by(fact_month, User.role, Organisation.kind),
        # Prescribers reached (a counted participant) and concerned (a confirmed booking).
        select(
            *_branch(
                "prescribers",
                (),
                (
                    func.count(
                        distinct(case((or_(facts.c.tour_recorded == 0, facts.c.present > 0), facts.c.prescriber_id)))
                    ),
                    func.count(distinct(facts.c.prescriber_id)),
                ),
            )
        )
        .select_from(facts)
        .where(people),
        # Distinct companies visited; their contacts (asked for their perception).
        select(*_branch("companies", (), (func.count(distinct(visited.c.organisation_id)),))).select_from(visited),
        select(*_branch("contacts", (), (func.count(),))).select_from(contacts_table),
        # Outcomes (distinct counted participants per kind) and the interest voiced at the debriefing
        # (counted participants per answer, one answer each): one pass over the participants for both.
        select(*_branch("labels", (labels.c.what, labels.c.value), (func.count(distinct(labels.c.participant_id)),)))
        .select_from(facts)
        .join(Participant, Participant.booking_id == facts.c.id)
        .join(labels, labels.c.participant_id == Participant.id)
        .where(people, _counted(facts))
        .group_by(labels.c.what, labels.c.value),
        _perception_branch(slice_, actions),
    ]
    return union_all(*branches)


def _int(value: Any) -> int:
    return int(value or 0)


def compute_bilan(slice_: BilanFilter) -> Bilan:
    """Every figure of the bilan for the slice, in one aggregate statement (one round trip).

    A slice for an organiser's territory is theirs alone to read: anyone else is refused (PermissionDenied).
    """
    if slice_.organiser is not None:
        require_organiser(slice_.organiser)
    months: dict[str, int] = {}
    participants_by_month: dict[str, int] = {}
    slices: dict[tuple[Role, OrganisationKind | None], int] = {}
    outcomes: dict[OutcomeKind, int] = {}
    interest: dict[Interest, int] = {}
    answers: dict[Respondent, tuple[int, int, int, int]] = {}
    scalars: dict[str, tuple[int, int]] = {}
    seats = present = absent = 0
    for tag, k0, k1, k2, n0, n1, n2, n3 in db.session.execute(bilan_statement(slice_)):
        if tag == "actions":
            months[str(k0)] = _int(n0)
        elif tag == "bookings":
            participants_by_month[str(k0)] = participants_by_month.get(str(k0), 0) + _int(n0)
            key = (Role(k1), OrganisationKind(k2) if k2 else None)
            slices[key] = slices.get(key, 0) + _int(n0)
            seats, present, absent = seats + _int(n1), present + _int(n2), absent + _int(n3)
        elif tag == "labels" and k0 == "outcome":
            outcomes[OutcomeKind(k1)] = _int(n0)
        elif tag == "labels":
            interest[Interest(k1)] = _int(n0)
        elif tag == "perception":
            answers[Respondent(k0)] = (_int(n0), _int(n1), _int(n2), _int(n3))
        else:
            scalars[tag] = (_int(n0), _int(n1))
    concerned = {
        Respondent.PRESCRIBER: scalars.get("prescribers", (0, 0))[1],
        Respondent.COMPANY: scalars.get("contacts", (0, 0))[0],
    }
    perception = {}
    for respondent in Respondent:
        answered, improved, sum_before, sum_after = answers.get(respondent, (0, 0, 0, 0))
        perception[respondent] = PerceptionFigures(
            answered=answered,
            improved=improved,
            concerned=concerned[respondent],
            mean_before=sum_before / answered if answered else None,
            mean_after=sum_after / answered if answered else None,
        )
    by_month = [
        MonthCount(m, months.get(m, 0), participants_by_month.get(m, 0))
        for m in sorted(set(months) | set(participants_by_month))
    ]
    by_slice = sorted(
        (SliceCount(role, kind, n) for (role, kind), n in slices.items()),
        key=lambda s: (s.role.label, s.kind.label if s.kind else ""),
    )
    return Bilan(
        filter=slice_,
        actions=sum(months.values()),
        companies=scalars.get("companies", (0, 0))[0],
        prescribers=scalars.get("prescribers", (0, 0))[0],
        participants=sum(participants_by_month.values()),
        outcomes=outcomes,
        perception=perception,
        seats_offered=scalars.get("offered", (0, 0))[0],
        seats_confirmed=seats,
        present=present,
        absent=absent,
        by_slice=by_slice,
        by_month=by_month,
        interest=interest,
    )
