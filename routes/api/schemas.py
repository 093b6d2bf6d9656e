"""Request bodies of the API, as pydantic models: they validate input and document it."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tourplanner.tours.enums import TourKind


class Body(BaseModel):
    """Base of request bodies."""

    model_config = ConfigDict(extra="ignore")


class MeetingPoint(Body):
    """Where the participants meet the coach."""

    name: str = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class BusIn(Body):
    """A coach and its seats."""

    seats: int = Field(ge=1, le=100)
    label: str | None = Field(default=None, max_length=100)


class LunchIn(Body):
    """A lunch break that starts between `earliest` and `latest` and lasts `minutes`."""

    earliest: AwareDatetime
    latest: AwareDatetime
    minutes: int = Field(ge=1, le=240)


class TourIn(Body):
    """A tour as the organiser describes it."""

    title: str = Field(min_length=1, max_length=200)
    start: AwareDatetime
    end: AwareDatetime
    meeting_point: MeetingPoint
    buses: list[BusIn] = Field(min_length=1, max_length=20)
    booking_deadline: AwareDatetime
    lunch: LunchIn | None = None
    kind: TourKind = TourKind.ZI_TOUR
    description: str | None = Field(default=None, max_length=5000)
    max_seats_per_booking: int | None = Field(default=None, ge=1)


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
    """A coach in an answer."""

    bus: int
    seats: int
    label: str | None = None


class TourOut(BaseModel):
    """A tour in an answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    kind: TourKind
    status: str
    title: str
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


class TourList(BaseModel):
    """A list of tours."""

    tours: list[TourOut]
