"""Helpers for browser tests: axe-core checks, phone width, screenshots."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tourplanner import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Impacts that fail a page; "minor" and "moderate" findings are reported by axe but tolerated.
BLOCKING_IMPACTS = {"serious", "critical"}
#: Where screenshots go when set (e.g. TOURPLANNER_SCREENSHOTS=/tmp/shots); none are taken otherwise.
SCREENSHOTS = os.environ.get("TOURPLANNER_SCREENSHOTS")
PHONE = {"width": 375, "height": 740}
#: The narrowest phones in use: every page must fit without sideways scrolling.
NARROW = {"width": 360, "height": 740}


def inject_axe(page) -> None:
    """Load axe-core into the page by evaluating it: a <script> tag would be refused by the page's CSP."""
    page.evaluate(AXE.read_text())


def assert_accessible(page, what: str) -> None:
    """Run axe-core on the page as shown; fail on any serious or critical violation."""
    inject_axe(page)
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))"""
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{what}: axe-core found\n" + json.dumps(blocking, ensure_ascii=False, indent=2)


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot as <name>.png when TOURPLANNER_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def assert_fits_phone(page, what: str) -> None:
    """Nothing sticks out sideways at 375 px: no horizontal scrolling."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} is {width}px wide on a {PHONE['width']}px phone"


def assert_fits_narrow(page, what: str) -> None:
    """axe-core finds nothing serious, and nothing sticks out sideways at 360 px."""
    assert_accessible(page, what)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{what} is {width}px wide"


def open_as(browser, live_server: str, user):
    """A French phone at 360 px, signed in as `user` through their one-time link: (context, page)."""
    from playwright.sync_api import expect

    from tests.conftest import login_path

    context = browser.new_context(base_url=live_server, viewport=NARROW, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(login_path(user))
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", name=f"Bonjour {user.name}")).to_be_visible()
    return context, page


@contextmanager
def fresh_pages(browser, live_server: str) -> Iterator:
    """Yield make(phone=False): a page in a fresh French context (own cookies; 375 px with `phone`, else
    1280 px) on the live server; every context made is closed on leaving."""
    contexts = []

    def make(phone: bool = False):
        context = browser.new_context(
            base_url=live_server,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport=PHONE if phone else {"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@contextmanager
def signed_in_pages(browser, live_server: str) -> Iterator:
    """Yield make(user, phone=False): a fresh page (see `fresh_pages`) signed in as `user` through their
    one-time link and « Me connecter »."""
    from tests.conftest import login_path

    with fresh_pages(browser, live_server) as new_page:

        def make(user, phone: bool = False):
            page = new_page(phone)
            page.goto(login_path(user))
            page.get_by_role("button", name="Me connecter").click()
            page.wait_for_url(f"{live_server}/")
            return page

        yield make
