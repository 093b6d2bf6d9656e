"""The trades a site shows and a tour is about, as ROME codes of the referential."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.db import Base
from tourplanner.sites.models import Site
from tourplanner.tours.models import Tour


class SiteTrade(Base):
    """A trade shown at a site, by its ROME code (read from the site's trade lines)."""

    __tablename__ = "site_trades"
    __table_args__ = (UniqueConstraint("site_id", "rome_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    #: A code of tourplanner/trades/data/rome.csv, e.g. "H2903".
    rome_code: Mapped[str] = mapped_column(String(5), index=True)

    site: Mapped[Site] = relationship()


class TourTrade(Base):
    """A trade a tour is about, set by its organiser (besides those of the sites it visits)."""

    __tablename__ = "tour_trades"
    __table_args__ = (UniqueConstraint("tour_id", "rome_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"), index=True)
    #: A code of tourplanner/trades/data/rome.csv.
    rome_code: Mapped[str] = mapped_column(String(5), index=True)

    tour: Mapped[Tour] = relationship()
