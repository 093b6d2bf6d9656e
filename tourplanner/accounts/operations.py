"""Creating users, issuing and checking API tokens and sign-in links."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.orm import joinedload

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


def authenticate_token(token: str) -> User | None:
    """The active user holding this API token, or None if it is unknown or revoked."""
    # One statement per API call: the token, its user and the user's organisation (which
    # most calls read) together; a revoked token or a deactivated user finds nobody.
    return db.session.scalar(_user_of_token(), {"token_hash": digest(token)})


@functools.cache
def _user_of_token() -> Select[tuple[User]]:
    """Built once per process (every API call runs it, and a statement keeps its cache key);
    on first use, once every model is mapped."""
    return (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.is_active.is_(True))
        .options(joinedload(User.organisation))
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
