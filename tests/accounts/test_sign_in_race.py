"""The race: ten browsers press "Me connecter" on one link at once, against a real multi-process server.

The server is the gunicorn of tests/bookings/test_concurrency.py (several worker processes
on the test's database, CSRF on, rate limits at their defaults). Exactly one press may open
a session; the others are told the link is no longer valid.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import select

from tests.bookings.test_concurrency import all_at_once, server  # noqa: F401  (the gunicorn fixture)
from tests.pages.helpers import CSRF_INPUT
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import LoginLink
from tourplanner.accounts.operations import create_login_link

PRESSES = 10


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a 302 as the answer, to see where it leads and which cookie it sets."""

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor with their own cookies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        """(status, body, headers) of a GET, or of a POST of `form`."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(f"{self.base}{path}", data=data, timeout=60) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)


def test_ten_presses_of_one_link_open_exactly_one_session(server, app, db, make_user) -> None:  # noqa: F811
    """10 simultaneous POSTs of one link on 4 worker processes: one 302 into a session, nine French 404s."""
    from datetime import timedelta

    user = make_user(Role.PRESCRIBER, name="Claire Martin")
    token = create_login_link(user, timedelta(minutes=10))
    db.session.commit()
    path = f"/connexion/{token}"

    browsers = [Browser(server.url) for _ in range(PRESSES)]
    forms = []
    for browser in browsers:  # each opens the link first (GET), like a person, and gets its form's CSRF token
        status, body, _ = browser.open(path)
        assert status == 200 and "Me connecter" in body
        forms.append({"csrf_token": CSRF_INPUT.search(body).group(1)})

    answers = all_at_once([(lambda b=b, f=f: b.open(path, f)) for b, f in zip(browsers, forms, strict=True)])
    statuses = sorted(a[0] for a in answers if isinstance(a, tuple))
    assert statuses == [302] + [404] * (PRESSES - 1), server.unexpected(answers, 302, 404)
    [winner] = [b for b, a in zip(browsers, answers, strict=True) if a[0] == 302]
    losers = [b for b, a in zip(browsers, answers, strict=True) if a[0] == 404]
    assert all("plus valable" in a[1] for a in answers if a[0] == 404)

    status, body, _ = winner.open("/")
    assert status == 200 and "Bonjour Claire Martin" in body
    for loser in losers:
        status, _, headers = loser.open("/")
        assert status == 302 and re.match(r"(http://[^/]+)?/connexion", headers["Location"])
    db.session.rollback()
    assert db.session.scalar(select(LoginLink.used_at).where(LoginLink.user_id == user.id)) is not None
