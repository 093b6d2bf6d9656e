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
loaded into Python, so the bilan stays fast over years of activity. The slice and the figures
are dataclasses of `tourplanner.impact.figures`, the SQL building blocks in `tourplanner.impact.actions`;
the organisations the bilan's filter offers are read here too.
"""

from __future__ import annotations

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
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import Organisation, User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.bookings.enums import Attendance
from tourplanner.bookings.models import Participant
from tourplanner.company_visits.enums import Interest
from tourplanner.company_visits.models import ParticipantInterest
from tourplanner.extensions import db
from tourplanner.impact.actions import facts_select, month_of, people_of, plain_actions
from tourplanner.impact.enums import Moment, OutcomeKind, Respondent
from tourplanner.impact.figures import Bilan, BilanFilter, MonthCount, PerceptionFigures, SliceCount
from tourplanner.impact.models import Outcome, PerceptionAnswer
from tourplanner.sites.enums import VisitResponse
from tourplanner.sites.models import Site, Slot
from tourplanner.tours.models import Bus, Stop

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
    people = people_of(slice_, facts.c.organisation_id)
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


def organisation_choices() -> list[Organisation]:
    """Organisations that took part in something, for the bilan's filter."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def is_organisation_choice(organisation_id: int) -> bool:
    """Whether the bilan's filter offers this organisation (one of `organisation_choices`)."""
    return db.session.get(Organisation, organisation_id) is not None
