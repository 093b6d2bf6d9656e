"""Fixtures for the page tests: signing in through the real one-time link."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.pages.helpers import csrf_from, login_link_path
from tourplanner.accounts.models import User


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[User], None]:
    """Sign `user` in on `client` the way a person does: ask for a link, open it, press the button."""

    def do(user: User) -> None:
        page = client.get("/connexion").get_data(as_text=True)
        sent = client.post("/connexion", data={"email": user.email, "csrf_token": csrf_from(page)})
        assert sent.status_code == 200
        path = login_link_path(user.email)
        confirm = client.get(path).get_data(as_text=True)
        signed_in = client.post(path, data={"csrf_token": csrf_from(confirm)})
        assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"

    return do
