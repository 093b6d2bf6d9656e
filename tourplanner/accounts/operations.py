"""Creating users, issuing and checking API tokens and sign-in links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import ApiToken, LoginLink, Organisation, User
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db

#: The organisation kind given to an organisation created along with a user of this role.
DEFAULT_KIND_FOR_ROLE = {
    Role.COMPANY: OrganisationKind.COMPANY,
    Role.PRESCRIBER: OrganisationKind.FRANCE_TRAVAIL,
    Role.ORGANISER: OrganisationKind.EMPLOYERS_ASSOCIATION,
    Role.AMBASSADOR: OrganisationKind.COMPANY,
}


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a secret token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """An e-mail address as stored: trimmed and lower-case; refuses what is not an address."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or not domain or " " in email or len(email) > 254:
        raise InvalidInput.one("email", "adresse e-mail invalide")
    return email


def find_user_by_email(email: str) -> User | None:
    """The user with this address, if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def get_or_create_organisation(name: str, kind: OrganisationKind) -> Organisation:
    """The organisation called `name`, created with `kind` if it does not exist yet."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def create_user(
    email: str,
    name: str,
    role: Role,
    organisation_name: str | None = None,
    organisation_kind: OrganisationKind | None = None,
) -> User:
    """Create a user, and their organisation if it is new."""
    email = normalise_email(email)
    if not name.strip():
        raise InvalidInput.one("name", "le nom est obligatoire")
    if find_user_by_email(email) is not None:
        raise Conflict(f"un compte existe déjà pour {email}")
    organisation = None
    if organisation_name:
        kind = organisation_kind or DEFAULT_KIND_FOR_ROLE[role]
        organisation = get_or_create_organisation(organisation_name.strip(), kind)
    user = User(email=email, name=name.strip(), role=role, organisation=organisation)
    db.session.add(user)
    db.session.flush()
    return user


def create_api_token(user: User) -> str:
    """Issue a new API token for `user`; returns the secret, which is not stored."""
    token = "tp_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=digest(token)))
    db.session.flush()
    return token


def authenticate_token(token: str) -> User | None:
    """The active user holding this API token, or None if it is unknown or revoked."""
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if api_token is None or api_token.revoked_at is not None or not api_token.user.is_active:
        return None
    return api_token.user


def revoke_api_tokens(user: User) -> int:
    """Revoke every active API token of `user`; returns how many were revoked."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for api_token in tokens:
        api_token.revoked_at = utcnow()
    db.session.flush()
    return len(tokens)


def create_login_link(user: User, lifetime: timedelta) -> str:
    """Issue a one-time sign-in token for `user`; returns the secret."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginLink(user_id=user.id, token_hash=digest(token), expires_at=utcnow() + lifetime)
    )
    db.session.flush()
    return token


def peek_login_link(token: str, now: datetime | None = None) -> LoginLink:
    """The valid, unused sign-in link for `token`; NotFound otherwise."""
    link = db.session.scalar(select(LoginLink).where(LoginLink.token_hash == digest(token)))
    now = now or utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now or not link.user.is_active:
        raise NotFound("ce lien de connexion n'est plus valable : demandez-en un nouveau")
    return link


def use_login_link(token: str) -> User:
    """Spend a sign-in link and return its user; a link works once."""
    link = peek_login_link(token)
    link.used_at = utcnow()
    db.session.flush()
    return link.user
