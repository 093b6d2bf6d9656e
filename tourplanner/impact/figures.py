"""The bilan's figures: the slice of activity a bilan covers (`BilanFilter`) and what it finds (`Bilan`).

Plain dataclasses, read by the bilan page, its exports and GET /api/v1/bilan; the figures are
computed in `tourplanner.impact.queries` (their definitions are written there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import User
from tourplanner.company_visits.enums import Interest
from tourplanner.impact.enums import OutcomeKind, Respondent
from tourplanner.tours.enums import TourKind

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
