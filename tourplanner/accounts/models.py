"""Organisations, users and their credentials."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.db import Base, utcnow
from tourplanner.enums import enum_column

if TYPE_CHECKING:
    from tourplanner.sites.models import Site


class Organisation(Base):
    """A company, an agency or any body whose people use tourplanner."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    city: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")
    sites: Mapped[list[Site]] = relationship(back_populates="organisation")


class User(UserMixin, Base):
    """A person who signs in: organiser, prescriber, company contact or ambassador."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case: the sign-in identifier.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: A session is valid only while it carries this value: a new one ends every session at once.
    session_stamp: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the current stamp (see session_stamp)."""
        return f"{self.id}:{self.session_stamp}"

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds one of `roles`."""
        return self.role in roles


class ApiToken(Base):
    """A bearer token for the HTTP API; only its SHA-256 digest is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginLink(Base):
    """A one-time sign-in link sent by mail; only its digest is kept."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: When it was spent, or voided by a newer link or a sign-in: a link with a value never works again.
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginRequest(Base):
    """A sign-in link asked for, waiting to be sent after the answer.

    The page records the address and answers at once, the same way whether an account
    exists or not; looking the person up and writing their mail happen afterwards
    (tourplanner.jobs.send_login_links). The row is deleted when it is handled.
    """

    __tablename__ = "login_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The address as typed, trimmed and lower-case; maybe nobody's.
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
