"""Helpers for page tests: CSRF tokens in forms, sign-in links in the outbox."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from tourplanner.extensions import db
from tourplanner.jobs import send_login_links
from tourplanner.mail.models import OutboxMail

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in `html` ('' when CSRF is off)."""
    match = CSRF_INPUT.search(html)
    return match.group(1) if match else ""


def login_link_path(email: str) -> str:
    """The path of the last sign-in link mailed to `email`, once the queued requests are handled.

    The sign-in page only queues the request; a real server handles it right after its
    answer, the test client never does: run that job here, as the server would.
    """
    send_login_links()
    mail = db.session.scalars(
        select(OutboxMail).where(OutboxMail.recipient == email).order_by(OutboxMail.id.desc())
    ).first()
    assert mail is not None, f"no sign-in mail for {email}"
    match = re.search(r"https?://[^/\s]+(/connexion/\S+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def text_of(response) -> str:
    """The page's HTML as text, entities decoded (so "n'est" reads as written)."""
    return html.unescape(response.get_data(as_text=True))
