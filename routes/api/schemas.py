"""Request bodies of the API, as pydantic models: they validate input and document it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, Strict, field_validator

from tourplanner.accounts.enums import OrganisationKind
from tourplanner.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from tourplanner.tours.enums import TourKind

#: The largest integer the database stores in an INTEGER column (PostgreSQL's limit;
#: SQLite would take more): bounds checked here so both accept and refuse the same input.
INT_MAX = 2**31 - 1

#: An id in a body: a JSON integer (not a boolean, not a string) the database can hold.
Id = Annotated[int, Strict(), Field(ge=1, le=INT_MAX)]
#: A whole number in a body: a JSON integer, never true/false nor "3"; each field gives its range
#: (at most INT_MAX: a range given here would override the field's own).
Int = Annotated[int, Strict()]
#: A number in a body: a JSON number, never true/false nor "3.5".
Number = Annotated[float, Strict()]
#: A yes/no in a body: true or false only.
Flag = Annotated[bool, Strict()]


def _plausible(value: datetime) -> datetime:
    """Refuse times no tour can have (and whose historical offsets no client expects)."""
    if not 2000 <= value.year <= 2100:
        raise ValueError("doit être une date entre l'an 2000 et l'an 2100")
    return value


#: A time as the API takes it: ISO 8601 with its offset, within a plausible range.
Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]


#: The `next` field of a paginated list: the cursor of the following page, absent on the last page.
NEXT_FIELD = Field(
    default=None,
    description="cursor of the next page (pass it as `cursor`); absent on the last page",
)


class Body(BaseModel):
    """Base of request bodies."""

    model_config = ConfigDict(extra="ignore")


class MeetingPoint(Body):
    """Where the participants meet the bus."""

    name: str = Field(min_length=1, max_length=200)
    lat: Number | None = Field(default=None, ge=-90, le=90, description="optional where `address` can be geocoded")
    lon: Number | None = Field(default=None, ge=-180, le=180, description="optional where `address` can be geocoded")
    address: str | None = Field(default=None, max_length=300, description="postal address, geocoded without lat/lon")


class BusIn(Body):
    """A bus and its seats."""

    seats: Int = Field(ge=1, le=100)
    label: str | None = Field(default=None, max_length=100)


class LunchIn(Body):
    """A lunch break that starts between `earliest` and `latest` and lasts `minutes`."""

    earliest: Moment
    latest: Moment
    minutes: Int = Field(ge=1, le=240)
    place: str | None = Field(default=None, max_length=300, description="where the group has lunch (road book)")


class QuotaIn(Body):
    """Seats one organisation (`organisation_id`) or one kind of organisation (`organisation_kind`) may hold.

    Until `released_at` (none: until bookings close) the organisation — or all the
    organisations of the kind together — cannot hold more confirmed and waiting seats than
    `seats`; a booking beyond that is refused with 409. Quotas only limit the organisations
    and kinds they name. Give exactly one of `organisation_id` and `organisation_kind`.
    """

    organisation_id: Id | None = None
    organisation_kind: OrganisationKind | None = None
    seats: Int = Field(ge=0, le=2000)
    released_at: Moment | None = None


class PickupPointIn(Body):
    """A place where participants board a bus; a booking on the tour then names one (`pickup_point`: its index)."""

    name: str = Field(min_length=1, max_length=200)
    lat: Number = Field(ge=-90, le=90)
    lon: Number = Field(ge=-180, le=180)


class TourIn(Body):
    """A tour as the organiser describes it."""

    title: str = Field(min_length=1, max_length=200)
    start: Moment
    end: Moment
    meeting_point: MeetingPoint
    buses: list[BusIn] = Field(min_length=1, max_length=20)
    booking_deadline: Moment
    lunch: LunchIn | None = None
    kind: TourKind = TourKind.ZI_TOUR
    description: str | None = Field(default=None, max_length=5000)
    max_seats_per_booking: Int | None = Field(default=None, ge=1, le=2000)
    #: The buses leave this many minutes after the group meets at `start` (0–30; kept when absent).
    boarding_minutes: Int | None = Field(default=None, ge=0, le=30)
    #: Fewer confirmed seats than this at `go_no_go_at` and the tour is cancelled (everyone is told).
    min_participants: Int | None = Field(
        default=None,
        ge=1,
        le=2000,
        description="Minimum de participants : en dessous à la date go_no_go_at, le tour est annulé. Avec go_no_go_at.",
    )
    go_no_go_at: Moment | None = Field(
        default=None,
        description="Date de décision (avant le début du tour), avec min_participants.",
    )
    quotas: list[QuotaIn] | None = Field(default=None, max_length=100)
    pickup_points: list[PickupPointIn] | None = Field(default=None, max_length=20)
    host_organisation_id: Id | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="Reverse visit (kind siae_visit): the insertion structure (organisation of kind siae) hosting it.",
    )

    @field_validator("kind")
    @classmethod
    def _not_a_cohort(cls, kind: TourKind) -> TourKind:
        # A cohort needs its weekly rule: POST /api/v1/cohorts creates both.
        if kind is TourKind.COHORT:
            raise ValueError("une cohorte se crée avec POST /api/v1/cohorts (sa règle hebdomadaire)")
        return kind


class CancelIn(Body):
    """Why a tour is cancelled (told to everyone concerned)."""

    reason: str | None = Field(default=None, max_length=500)


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    status: int
    title: str
    detail: str


class FieldProblem(BaseModel):
    """One faulty field."""

    field: str
    message: str


class ValidationProblem(Problem):
    """A 422 problem naming every faulty field."""

    errors: list[FieldProblem]


class BusOut(BaseModel):
    """A bus in an answer."""

    bus: int
    seats: int
    label: str | None = None


class QuotaOut(BaseModel):
    """A quota in an answer."""

    organisation_id: int | None = None
    organisation_kind: OrganisationKind | None = None
    organisation: str | None = Field(default=None, description="the organisation's name")
    seats: int
    released_at: AwareDatetime | None = None


class PickupPointOut(BaseModel):
    """A pickup point in an answer; `pickup_point` is its index, as in bookings."""

    pickup_point: int
    name: str
    lat: float
    lon: float


class TourOut(BaseModel):
    """A tour in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    kind: TourKind
    status: str
    title: str
    description: str | None = None
    start: AwareDatetime
    end: AwareDatetime
    meeting_point: MeetingPoint
    buses: list[BusOut]
    booking_deadline: AwareDatetime
    lunch: LunchIn | None = None
    seats_total: int
    seats_confirmed: int
    seats_waitlisted: int
    seats_left: int
    max_seats_per_booking: int | None = None
    min_participants: int | None = None
    go_no_go_at: AwareDatetime | None = None
    quotas: list[QuotaOut] = Field(default_factory=list)
    pickup_points: list[PickupPointOut] = Field(default_factory=list)
    boarding_minutes: int = Field(default=0, description="the buses leave this many minutes after the meeting time")
    meeting_at: AwareDatetime | None = Field(default=None, description="when the group meets: the tour's start")
    return_: AwareDatetime | None = Field(
        default=None, alias="return", description="when the buses are back: the itinerary's, else the tour's end"
    )
    host_organisation_id: int | None = Field(default=None, description="a reverse visit's insertion structure")
    host_organisation: str | None = Field(default=None, description="its name")


class TourList(BaseModel):
    """A page of tours."""

    tours: list[TourOut]
    next: str | None = NEXT_FIELD


class PageQuery(BaseModel):
    """Which page of a list: `limit` rows (1–200, 50 by default) after `cursor`, the `next` of the page before."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="rows per page (at most 200)")
    cursor: str | None = Field(
        default=None,
        max_length=1000,
        description="opaque: the `next` of the previous page; leave it out for the first page",
    )

    def page(self) -> PageRequest:
        """The domain's view of this query."""
        return PageRequest(limit=self.limit, cursor=self.cursor)


def page_json(key: str, items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    """A paginated list as the API answers it: the rows under `key`, `next` only when more follow."""
    body: dict[str, Any] = {key: items}
    if next_cursor is not None:
        body["next"] = next_cursor
    return body
