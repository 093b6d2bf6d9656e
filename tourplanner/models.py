"""Imports every domain's models so that the metadata knows all tables."""

from tourplanner.accounts.models import ApiToken, LoginLink, LoginRequest, Organisation, User
from tourplanner.audit.models import AuditEntry
from tourplanner.bookings.models import Booking, Participant
from tourplanner.calendar.feed_stamp import install_on
from tourplanner.calendar.models import CalendarEventState, CalendarToken, FeedChange
from tourplanner.cohorts.models import (  # noqa: F401  (weekly cohorts)
    AbsenceAlert,
    CohortSeries,
    CohortSession,
    SessionAttendance,
)
from tourplanner.company_visits.models import AgendaItem, ParticipantInterest
from tourplanner.db import Base
from tourplanner.impact.models import (  # noqa: F401  (impact tables)
    CompanyAssessment,
    ImpactSettings,
    Outcome,
    OutcomeRequest,
    PerceptionAnswer,
    PerceptionRequest,
    Questionnaire,
    QuestionnaireQuestion,
)
from tourplanner.jobs_models import SchedulerLease  # noqa: F401  (the scheduler's table)
from tourplanner.kit.models import TourTemplate  # noqa: F401  (the kit's tour templates)
from tourplanner.mail.models import OutboxMail, TourMailRound
from tourplanner.sites.models import GeocodeCache, IndustrialZone, Site, Slot
from tourplanner.tours.models import AmbassadorAssignment, Bus, Stop, Tour, TourCandidate
from tourplanner.trades.models import SiteTrade, TourTrade
from tourplanner.workshops.models import Workshop, WorkshopRegistration

__all__ = [
    "AgendaItem",
    "AmbassadorAssignment",
    "ApiToken",
    "AuditEntry",
    "Booking",
    "Bus",
    "CalendarEventState",
    "CalendarToken",
    "FeedChange",
    "GeocodeCache",
    "IndustrialZone",
    "LoginLink",
    "LoginRequest",
    "Organisation",
    "OutboxMail",
    "Participant",
    "ParticipantInterest",
    "Site",
    "SiteTrade",
    "Slot",
    "Stop",
    "Tour",
    "TourCandidate",
    "TourMailRound",
    "TourTrade",
    "User",
    "Workshop",
    "WorkshopRegistration",
]

# The feed stamp's triggers come with the tables wherever metadata.create_all makes them (see feed_stamp).
install_on(Base.metadata)
