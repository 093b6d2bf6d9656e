"""Tour templates: a tour's shape without its date, ready to be run again here or in another territory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tourplanner.db import Base, utcnow


class TourTemplate(Base):
    """A reusable tour of an organisation: kind, meeting point, buses and hours, but no day."""

    __tablename__ = "tour_templates"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation (territory) whose organisers use it; none = organisers without one.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The template as the kit file carries it (see tourplanner.kit.queries.template_of).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
