"""Impact in the API: perception answers, outcomes, the bilan, one person's data.

- POST /tours/{id}/perception {"moment", "score", "comment"?}: a prescriber with a booking on
  the tour or a contact of a company it visits; once per moment (409 the second time).
- POST /participants/{id}/outcomes {"kind", "date", "contract"?}: its prescriber, organisers.
- GET /bilan?from=DATE&to=DATE[&territory][&kind][&organisation_id]: organisers; exact figures.
- GET and DELETE /people/personal-data?email=…: what is held about one person (GDPR), organisers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Problem, ValidationProblem
from routes.api.tours import load_tour
from tourplanner.errors import InvalidInput
from tourplanner.extensions import db
from tourplanner.impact import operations
from tourplanner.impact.enums import Contract, Moment, OutcomeKind
from tourplanner.impact.figures import BilanFilter
from tourplanner.impact.queries import compute_bilan
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourKind

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem}


def _plausible_date(value: date) -> date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("doit être une date entre l'an 2000 et l'an 2100")
    return value


def _read_date(value: Any) -> Any:
    """A date "YYYY-MM-DD", or an ISO date and time whose local day is taken."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "+")
        if len(text) > 10:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError("doit être une date AAAA-MM-JJ, ex. 2027-03-09") from None
            return to_local(moment).date() if moment.tzinfo else moment.date()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("doit être une date AAAA-MM-JJ, ex. 2027-03-09") from None
    return value


class PerceptionIn(Body):
    """An answer to the perception questionnaire: the headline statement's score, 1 to 5."""

    moment: Moment
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=5000)
    #: The other statements' scores (1–5), by key; optional.
    scores: dict[str, int] | None = Field(default=None, max_length=10)


class PerceptionOut(BaseModel):
    """A recorded perception answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    tour_id: int
    moment: Moment
    score: int
    respondent: str


class OutcomeIn(Body):
    """What followed the visit for a participant; `contract` only for a recruitment."""

    kind: OutcomeKind
    date: date
    contract: Contract | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _read_date(value)

    @field_validator("date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        return _plausible_date(value)


class OutcomeOut(BaseModel):
    """A recorded outcome."""

    model_config = ConfigDict(extra="allow")

    id: int
    participant_id: int
    kind: OutcomeKind
    date: str
    contract: Contract | None = None


class BilanQuery(BaseModel):
    """The slice of the bilan: a period (local days, both included), a territory, a kind, an organisation."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    territory: str | None = Field(default=None, max_length=120)
    kind: TourKind | None = None
    organisation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return _read_date(value)

    @field_validator("from_", "to")
    @classmethod
    def _plausible(cls, value: date) -> date:
        return _plausible_date(value)

    @model_validator(mode="after")
    def _order(self) -> BilanQuery:
        if self.to < self.from_:
            raise ValueError("la date de fin (to) doit suivre la date de début (from)")
        return self


class PerceptionCounts(BaseModel):
    """People who answered before and after an action, and those whose score rose."""

    model_config = ConfigDict(extra="allow")

    answered: int
    improved: int
    concerned: int = Field(default=0, description="people asked (a booking's prescriber, a visited company's contacts)")
    response_rate: float | None = Field(default=None, description="answered before and after / concerned")
    mean_before: float | None = None
    mean_after: float | None = None


class SliceOut(BaseModel):
    """Participants of one role and kind of organisation."""

    role: str
    organisation_kind: str | None = None
    participants: int


class MonthOut(BaseModel):
    """Actions held and participants in one month (YYYY-MM)."""

    month: str
    actions: int
    participants: int


class PerceptionByRespondent(BaseModel):
    """Perception change for prescribers and for companies."""

    prescribers: PerceptionCounts
    companies: PerceptionCounts


class InterestCounts(BaseModel):
    """Counted participants per answer recorded at a company visit's debriefing (Ambassadeurs des métiers)."""

    yes: int = Field(description="want to go further with the trade seen")
    maybe: int
    no: int


class BilanOut(BaseModel):
    """The bilan's figures (see the definitions in the README and on the bilan page)."""

    model_config = ConfigDict(extra="allow")

    actions: int
    companies: int
    prescribers: int
    participants: int
    recruitments: int
    trainings: int
    internships: int
    perception: PerceptionByRespondent
    searching: int = Field(default=0, description="people still searching (an outcome)")
    seats_offered: int = 0
    seats_confirmed: int = 0
    fill_rate: float | None = Field(default=None, description="confirmed seats / seats offered")
    no_show_rate: float | None = Field(default=None, description="absent / (present + absent)")
    participants_by: list[SliceOut] = Field(default_factory=list)
    months: list[MonthOut] = Field(default_factory=list)
    interest: InterestCounts | None = Field(
        default=None,
        description="counted participants per answer recorded at a company visit's debriefing "
        "(one answer per participation; people without an answer are not counted)",
    )
    from_: str | None = Field(default=None, alias="from", description="the period's first day")
    to: str | None = Field(default=None, description="the period's last day")
    territory: str | None = None
    kind: str | None = None


class PersonQuery(BaseModel):
    """One person, by e-mail address."""

    model_config = ConfigDict(extra="ignore")

    email: str = Field(min_length=3, max_length=254)


@api.post("/tours/<int:tour_id>/perception")
@spec.validate(
    resp=Response(HTTP_201=PerceptionOut, HTTP_409=Problem, HTTP_422=ValidationProblem, **ERRORS), tags=["impact"]
)
def answer_perception(tour_id: int, json: PerceptionIn):
    """Answer the perception questionnaire of a tour, before or after it (once per moment: else 409)."""
    tour = load_tour(tour_id)
    answer = operations.answer_perception(tour, current_user(), json.moment, json.score, json.comment, json.scores)
    db.session.commit()
    return jsonify(
        {
            "id": answer.id,
            "tour_id": tour.id,
            "moment": answer.moment.value,
            "score": answer.score,
            "respondent": answer.respondent.value,
            "comment": answer.comment,
        }
    ), 201


@api.post("/participants/<int:participant_id>/outcomes")
@spec.validate(resp=Response(HTTP_201=OutcomeOut, HTTP_422=ValidationProblem, **ERRORS), tags=["impact"])
def record_outcome(participant_id: int, json: OutcomeIn):
    """Record what followed the visit for a participant (its prescriber, organisers)."""
    user = current_user()
    participant = operations.get_participant(participant_id, user)
    outcome = operations.record_outcome(participant, user, json.kind, json.date, json.contract)
    db.session.commit()
    return jsonify(
        {
            "id": outcome.id,
            "participant_id": participant.id,
            "kind": outcome.kind.value,
            "date": outcome.occurred_on.isoformat(),
            "contract": outcome.contract.value if outcome.contract else None,
        }
    ), 201


@api.get("/bilan")
@spec.validate(
    query=BilanQuery, resp=Response(HTTP_200=BilanOut, HTTP_422=ValidationProblem, **ERRORS), tags=["impact"]
)
def bilan(query: BilanQuery):
    """The bilan of a period over the tours the organiser manages (their territory's): exact figures, by aggregate
    SQL."""
    user = current_user()
    result = compute_bilan(
        BilanFilter(query.from_, query.to, query.territory or None, query.kind, query.organisation_id, organiser=user)
    )
    body = result.contract_json()
    body.update(
        {
            "from": query.from_.isoformat(),
            "to": query.to.isoformat(),
            "territory": query.territory,
            "kind": query.kind.value if query.kind else None,
        }
    )
    return jsonify(body)


@api.get("/people/personal-data")
@spec.validate(query=PersonQuery, resp=Response(HTTP_200=None, HTTP_422=ValidationProblem, **ERRORS), tags=["impact"])
def person_export(query: PersonQuery):
    """Everything held about one person, by e-mail (GDPR article 15; organisers; audited)."""
    user = current_user()
    people = operations.find_person(query.email, user)
    if not people:
        raise InvalidInput.one("email", "aucune personne enregistrée avec cette adresse")
    data = operations.person_export(people, user)
    db.session.commit()
    return jsonify(data)


@api.delete("/people/personal-data")
@spec.validate(query=PersonQuery, resp=Response(HTTP_200=None, HTTP_422=ValidationProblem, **ERRORS), tags=["impact"])
def person_erase(query: PersonQuery):
    """Erase one person's personal data, keeping the figures (GDPR article 17; organisers; audited)."""
    user = current_user()
    people = operations.find_person(query.email, user)
    if not people:
        raise InvalidInput.one("email", "aucune personne enregistrée avec cette adresse")
    erased = operations.erase_person(people, user)
    db.session.commit()
    return jsonify({"erased": erased})
