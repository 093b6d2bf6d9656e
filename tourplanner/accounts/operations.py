"""Creating users, issuing and checking API tokens and sign-in links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import ApiToken, LoginLink, LoginRequest, Organisation, User
from tourplanner.db import utcnow
from tourplanner.email_address import InvalidEmail, clean_email
from tourplanner.errors import Conflict, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.mail.compose import compose
from tourplanner.mail.operations import enqueue

#: Why a sign-in link does not work, whatever the reason (unknown, spent, voided, expired).
LINK_INVALID = "ce lien de connexion n'est plus valable : demandez-en un nouveau"

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
    try:
        return clean_email(email)
    except InvalidEmail as error:
        raise InvalidInput.one("email", str(error)) from None


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


@dataclass(frozen=True, slots=True)
class TokenOrganisation:
    """The organisation of an API token's holder, as plain values."""

    id: int
    name: str
    kind: OrganisationKind


@dataclass(frozen=True, slots=True)
class TokenUser:
    """The active holder of an API token, read as plain values in one Core statement.

    What a hot API call needs of its user (a booking: who, which role, which organisation)
    without building ORM objects; `as_user` gives the `User` to every other call."""

    id: int
    email: str
    name: str
    role: Role
    organisation_id: int | None
    organisation: TokenOrganisation | None
    #: Every column of the user's row and of its organisation's (None without one), for `as_user`.
    user_row: dict[str, Any]
    organisation_row: dict[str, Any] | None

    def as_user(self) -> User:
        """The ORM `User` (with its organisation), attached to the session as if loaded: no statement."""
        session = db.session
        user = session.identity_map.get(session.identity_key(User, self.id))  # type: ignore[attr-defined]
        if user is not None:
            return user
        organisation = None
        if self.organisation_row is not None:
            organisation = session.identity_map.get(session.identity_key(Organisation, self.organisation_id))  # type: ignore[attr-defined]
            if organisation is None:
                organisation = _as_loaded(Organisation(**self.organisation_row))
        user = _as_loaded(User(**self.user_row))
        # Without events: a backref would record the user in `organisation.users` as if that were all of them.
        set_committed_value(user, "organisation", organisation)
        return user


def _as_loaded(obj: Any) -> Any:
    """A new object with every column set, made persistent in the session as if read from the database."""
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj


def token_user(token: str) -> TokenUser | None:
    """The active user holding this API token, or None if it is unknown or revoked.

    One Core statement per API call (on the session's connection: no ORM entity to build):
    the token, its user and the user's organisation; a revoked token or a deactivated user
    finds nobody."""
    row = db.session.connection().execute(_USER_OF_TOKEN, {"token_hash": digest(token)}).first()
    if row is None:
        return None
    width = len(_USER_COLUMNS)
    user_row = dict(zip(_USER_COLUMNS, row[:width], strict=True))
    organisation_row = dict(zip(_ORGANISATION_COLUMNS, row[width:], strict=True))
    organisation = None
    if user_row["organisation_id"] is not None:
        organisation = TokenOrganisation(organisation_row["id"], organisation_row["name"], organisation_row["kind"])
    return TokenUser(
        id=user_row["id"],
        email=user_row["email"],
        name=user_row["name"],
        role=user_row["role"],
        organisation_id=user_row["organisation_id"],
        organisation=organisation,
        user_row=user_row,
        organisation_row=organisation_row if organisation is not None else None,
    )


def authenticate_token(token: str) -> User | None:
    """The active user holding this API token, as a `User`, or None if it is unknown or revoked."""
    holder = token_user(token)
    return holder.as_user() if holder is not None else None


_USERS, _ORGANISATIONS, _TOKENS = User.__table__, Organisation.__table__, ApiToken.__table__
#: The attribute names of the users' and organisations' columns, in the statement's order.
_USER_COLUMNS = tuple(User.__mapper__.get_property_by_column(column).key for column in _USERS.c)
_ORGANISATION_COLUMNS = tuple(Organisation.__mapper__.get_property_by_column(column).key for column in _ORGANISATIONS.c)
#: Built once at import (a statement keeps its cache key): Core, on tables.
_USER_OF_TOKEN = (
    select(*_USERS.c, *_ORGANISATIONS.c)
    .select_from(
        _USERS.join(_TOKENS, _TOKENS.c.user_id == _USERS.c.id).outerjoin(
            _ORGANISATIONS, _ORGANISATIONS.c.id == _USERS.c.organisation_id
        )
    )
    .where(
        _TOKENS.c.token_hash == bindparam("token_hash"), _TOKENS.c.revoked_at.is_(None), _USERS.c.is_active.is_(True)
    )
)


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
    """Issue a one-time sign-in token for `user`, voiding their earlier links; returns the secret."""
    void_login_links(user.id)
    token = secrets.token_urlsafe(32)
    db.session.add(LoginLink(user_id=user.id, token_hash=digest(token), expires_at=utcnow() + lifetime))
    db.session.flush()
    return token


def void_login_links(user_id: int) -> int:
    """Spend every unused sign-in link of the user at once; returns how many were voided."""
    return db.session.execute(
        update(LoginLink)
        .where(LoginLink.user_id == user_id, LoginLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def peek_login_link(token: str, now: datetime | None = None) -> LoginLink:
    """The valid, unused sign-in link for `token`; NotFound otherwise."""
    link = db.session.scalar(select(LoginLink).where(LoginLink.token_hash == digest(token)))
    now = now or utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now or not link.user.is_active:
        raise NotFound(LINK_INVALID)
    return link


def use_login_link(token: str) -> User:
    """Spend a sign-in link and return its user; a link works once, even under simultaneous requests.

    The link is spent by one conditional UPDATE (… WHERE used_at IS NULL): of several
    requests carrying it, the database lets exactly one change the row, and only that one
    signs in. The user's other links are voided with it.
    """
    now = utcnow()
    spent = db.session.execute(
        update(LoginLink)
        .where(LoginLink.token_hash == digest(token), LoginLink.used_at.is_(None), LoginLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        raise NotFound(LINK_INVALID)
    user = db.session.scalar(
        select(User).join(LoginLink, LoginLink.user_id == User.id).where(LoginLink.token_hash == digest(token))
    )
    if user is None or not user.is_active:
        raise NotFound(LINK_INVALID)
    void_login_links(user.id)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session carrying the old stamp stops working."""
    user.session_stamp = secrets.token_hex(16)
    db.session.flush()


def user_for_session(session_id: str) -> User | None:
    """The active user of a session id "<user id>:<stamp>" (User.get_id), or None once its stamp is old."""
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not secrets.compare_digest(user.session_stamp, stamp):
        return None
    return user


def queue_login_request(email: str) -> LoginRequest:
    """Record that a sign-in link was asked for `email`; nothing is looked up here.

    The same work for any address, known or not, so the answer's timing tells nothing;
    send_login_link does the rest after the answer.
    """
    request = LoginRequest(email=email.strip().lower())
    db.session.add(request)
    db.session.flush()
    return request


def send_login_link(request_id: int) -> bool:
    """Handle one queued request: mail a fresh link if the address is an active user's.

    The request is claimed by deleting its row (one handler wins when several run); returns
    whether a mail was queued. The mail's body holds the link until it has left, then only
    a redacted copy is kept.
    """
    request = db.session.get(LoginRequest, request_id)
    if request is None:
        return False
    email = request.email
    claimed = db.session.execute(
        delete(LoginRequest).where(LoginRequest.id == request_id).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expunge(request)
    if claimed != 1:
        return False
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return False
    config = current_app.config
    minutes = int(config["LOGIN_LINK_MINUTES"])
    token = create_login_link(user, timedelta(minutes=minutes))
    link = f"{config['BASE_URL'].rstrip('/')}/connexion/{token}"

    subject = "Votre lien de connexion à tourplanner"
    mail = compose("sign_in", subject, name=user.name, minutes=minutes, link=link)
    redacted = compose("sign_in", subject, name=user.name, minutes=minutes, link="[lien retiré après l'envoi]")
    enqueue(user.email, subject, mail.text, mail.html, redacted_text=redacted.text)
    return True
