"""Browser fixtures: the app served for real, Debian's chromium driven by Playwright, axe-core.

Never `playwright install`: the browser is the system's /usr/bin/chromium (scripts/test
installs it with apt-get), and axe-core comes from npm (package.json).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.helpers import fresh_pages
from tests.pages.helpers import login_link_path
from tourplanner.accounts.models import User


@pytest.fixture
def new_page(browser, live_server: str):
    """new_page(phone=False): a page in a fresh browser context (own cookies) on the live server."""
    with fresh_pages(browser, live_server) as make:
        yield make


@pytest.fixture
def page(new_page):
    """A desktop-sized page on the live server."""
    return new_page()


@pytest.fixture
def browser_sign_in() -> Callable[..., None]:
    """browser_sign_in(page, user, check=None): sign in by the real link; `check(page, what)` runs on each step."""
    from playwright.sync_api import expect

    def do(page, user: User, check: Callable[[object, str], None] | None = None) -> None:
        page.goto("/connexion")
        expect(page.get_by_role("heading", name="Connexion", exact=True)).to_be_visible()
        if check:
            check(page, "login")
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_role("button", name="Recevoir mon lien de connexion").click()
        expect(page.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()
        if check:
            check(page, "login sent")
        page.goto(login_link_path(user.email))
        expect(page.get_by_role("button", name="Me connecter")).to_be_visible()
        if check:
            check(page, "login confirm")
        page.get_by_role("button", name="Me connecter").click()
        expect(page.get_by_role("heading", name=f"Bonjour {user.name}")).to_be_visible()

    return do
