"""Industrial zones, company sites and visit slots."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.models import Organisation
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column
from tourplanner.sites.enums import SlotStatus


class IndustrialZone(Base):
    """An industrial zone (ZI) of a territory, where tours go."""

    __tablename__ = "industrial_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    city: Mapped[str] = mapped_column(String(120))
    #: The programme's territory, e.g. "Lyon Est" or "Vallée du Gier".
    territory: Mapped[str] = mapped_column(String(120), index=True)
    lat: Mapped[float]
    lon: Mapped[float]

    sites: Mapped[list[Site]] = relationship(back_populates="zone")


class Site(Base):
    """A company's premises where visits take place."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("industrial_zones.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float]
    lon: Mapped[float]
    #: The industry sector shown to visitors (métallurgie, plasturgie…).
    sector: Mapped[str | None] = mapped_column(String(120))
    #: Trades and jobs shown during visits, one per line, with ROME codes where known.
    trades: Mapped[str | None] = mapped_column(Text)
    #: Whether a bus can park at the site (otherwise it drops the group and parks nearby).
    has_bus_parking: Mapped[bool] = mapped_column(default=True)
    #: Protective equipment visitors must wear (safety shoes, glasses…); empty when none.
    protective_equipment: Mapped[str | None] = mapped_column(String(300))
    #: Whether people with reduced mobility can follow the visit.
    is_accessible: Mapped[bool] = mapped_column(default=False)
    access_notes: Mapped[str | None] = mapped_column(Text)
    #: Whether and where visitors may take photos (e.g. "interdites dans les ateliers").
    photo_policy: Mapped[str | None] = mapped_column(String(300))
    #: What a newcomer earns, as the company says it (e.g. "1 900 à 2 300 € brut par mois").
    pay_range: Mapped[str | None] = mapped_column(String(300))
    #: Training given on the job to newcomers (tutoring, in-house school, qualification…).
    in_house_training: Mapped[str | None] = mapped_column(Text)
    #: Jobs open now or soon, free text.
    open_positions: Mapped[str | None] = mapped_column(Text)
    #: How to apply for a job here (whom to write to, where to post a CV…), for the passeport.
    how_to_apply: Mapped[str | None] = mapped_column(Text)
    #: Contacts the company gives visitors (name, role, telephone or address), free text.
    visitor_contacts: Mapped[str | None] = mapped_column(Text)
    #: Who welcomes the group on the day, and their phone: printed in the road book.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="sites")
    zone: Mapped[IndustrialZone | None] = relationship(back_populates="sites")
    slots: Mapped[list[Slot]] = relationship(back_populates="site", order_by="Slot.start_at")


class SlotSeries(Base):
    """A recurring availability of a site ("every Tuesday 9:00-12:00 from March to June").

    Its occurrences become Slot rows a few weeks ahead (tourplanner.sites.series): the
    optimiser only ever sees slots.
    """

    __tablename__ = "slot_series"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="window_order"),
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        CheckConstraint("visit_minutes > 0", name="visit_positive"),
        CheckConstraint("max_visitors > 0", name="visitors_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    #: An RFC 5545 recurrence rule without DTSTART, e.g. "FREQ=WEEKLY;BYDAY=TU".
    rrule: Mapped[str] = mapped_column(String(500))
    #: Local (Europe/Paris) wall-clock times of each occurrence's window.
    start_time: Mapped[time]
    end_time: Mapped[time]
    #: First and last days of the period, local dates, both included.
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    visit_minutes: Mapped[int]
    max_visitors: Mapped[int]
    #: Local dates (ISO "YYYY-MM-DD") on which the rule gives no slot.
    exdates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Paused for a busy period: its future slots are paused and new ones come paused.
    is_paused: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship()
    slots: Mapped[list[Slot]] = relationship(back_populates="series", order_by="Slot.start_at")


class Slot(Base):
    """A window in which a site can receive one visit of a given length and group size."""

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="window_order"),
        CheckConstraint("visit_minutes > 0", name="visit_positive"),
        CheckConstraint("max_visitors > 0", name="visitors_positive"),
        # One slot per occurrence of a series: expanding again creates no duplicate.
        UniqueConstraint("series_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    #: The recurring availability this slot is an occurrence of; none for a one-off slot.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("slot_series.id"), index=True)
    #: A visit may begin at or after this time…
    start_at: Mapped[datetime]
    #: …and must end by this one.
    end_at: Mapped[datetime]
    visit_minutes: Mapped[int]
    max_visitors: Mapped[int]
    status: Mapped[SlotStatus] = mapped_column(enum_column(SlotStatus), default=SlotStatus.OFFERED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship(back_populates="slots")
    series: Mapped[SlotSeries | None] = relationship(back_populates="slots")


class GeocodeCache(Base):
    """Coordinates once found for an address, so that each address is looked up only once."""

    __tablename__ = "geocode_cache"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The address normalised by geocoding.normalise_address (case, accents, punctuation, spaces).
    address_key: Mapped[str] = mapped_column(String(300), unique=True)
    lat: Mapped[float]
    lon: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
