"""Every screen, every role (issue 16, points 1, 2 and 6), in headless Chromium.

Against ``tremplin serve --demo`` (the demo accounts of every role): each main page, at
1366 px and 390 px, must not scroll sideways (``scrollWidth ≤ innerWidth``; wide tables
scroll in their own box), must pass axe-core with no serious or critical violation
(axe-core is vendored in ``tests/browser/vendor``, injected offline), and no link of the
menu or of the dashboard may answer 403.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    TIMEOUT_MS,
    Server,
    _free_port,
    _new_page,
    _run,
    _tremplin,
    _wait_healthy,
)
from tremplin.demo import DEMO_PASSWORD, DEMO_USERS
from tremplin.services import totp

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text("utf-8")
WIDTHS = (1366, 390)
#: Pages every staff member has besides the menu: the help and one form.
EXTRA_PAGES = ("/aide", "/account/password")
ROLES = {role: email for email, _name, role in reversed(DEMO_USERS)}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[Server]:
    """``tremplin serve --demo`` on a free port: the demo data and one account per role."""
    tmp = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    env.update(
        TREMPLIN_DATABASE_URL=f"sqlite:///{tmp / 'demo.sqlite3'}",
        TREMPLIN_DATA_DIR=str(tmp / "data"),
        TREMPLIN_CONFIG=str(tmp / "absent.toml"),
        PYTHONUNBUFFERED="1",
    )
    _run(["migrate"], env, tmp)
    port = _free_port()
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [_tremplin(), "serve", "--demo", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url + "/healthz", process, log_path, timeout=120)
        yield Server(base_url=base_url, data_dir=tmp / "data", log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _log_in(page: Page, server: Server, email: str) -> None:
    """Log in through the form; an administrator sets up the second factor on the way."""
    page.goto(server.url("/login"))
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if page.url.endswith("/account/totp"):
        secret = page.locator("input[name=secret]").get_attribute("value")
        page.locator("input[name=code]").fill(totp.code_at(secret, int(time.time() // totp.STEP)))
        page.get_by_role("button", name="Activer").click()
        page.wait_for_load_state()
        # The one-time recovery codes are shown once, then on to the dashboard.
        page.get_by_role("link", name="J'ai noté mes codes de secours").click()
        page.wait_for_load_state()
    assert "/login" not in page.url and "/totp" not in page.url, f"{email} : {page.url}"


@pytest.fixture(scope="module")
def role_states(browser, demo_server, tmp_path_factory) -> dict[str, str]:
    """One login per demo role (cookies saved), reused by every test of the module."""
    folder = tmp_path_factory.mktemp("roles")
    states = {}
    for role, email in ROLES.items():
        context = browser.new_context(locale="fr-FR")
        try:
            page = _new_page(context)
            _log_in(page, demo_server, email)
            states[role] = str(folder / f"{role}.json")
            context.storage_state(path=states[role])
        finally:
            context.close()
    return states


@pytest.fixture
def as_role(browser, demo_server, role_states) -> Iterator:
    """``as_role(role)``: a page logged in as the demo account of ``role``, on its home."""
    contexts = []

    def open_page(role: str, width: int = 1366) -> Page:
        context = browser.new_context(
            locale="fr-FR",
            viewport={"width": width, "height": 900},
            storage_state=role_states[role],
        )
        contexts.append(context)
        page = _new_page(context)
        page.goto(demo_server.url("/partner" if role == "partner" else "/"))
        return page

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def demo_page(browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    try:
        yield _new_page(context)
    finally:
        context.close()


def _menu_links(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#main-nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )


def _main_links(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "main a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )


def _axe_serious(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page (evaluated, so the page's
    CSP, which forbids injected script tags, stays in force)."""
    page.evaluate(AXE)
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}) : ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
        }"""
    )


def _pages_of(page: Page, server: Server) -> list[str]:
    """The main pages of the logged-in user: home, menu entries, one household, help."""
    home = page.url.removeprefix(server.base_url)
    pages = [home, *(h for h in _menu_links(page) if h.split("#")[0] not in ("", home))]
    if "/households" in pages:
        page.goto(server.url("/households"))
        first = page.locator("main table a[href^='/households/']").first
        assert first.count(), "aucun ménage dans la liste"
        pages.append(first.get_attribute("href"))
    pages += [p for p in EXTRA_PAGES if p not in pages]
    return list(dict.fromkeys(p.split("#")[0] for p in pages))


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_main_page_fits_and_passes_axe(as_role, demo_server: Server, role: str) -> None:
    page = as_role(role)
    pages = _pages_of(page, demo_server)
    assert len(pages) >= 3, pages
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            response = page.goto(demo_server.url(path))
            assert response is not None
            if response.status >= 400:
                problems.append(f"{width} px {path} : HTTP {response.status}")
                continue
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                problems.append(f"{width} px {path} : défilement horizontal {scroll} > {inner}")
            for violation in _axe_serious(page):
                problems.append(f"{width} px {path} : axe {violation}")
    assert page.page_errors == [], page.page_errors
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_menu_or_dashboard_link_is_refused(as_role, demo_server: Server, role: str) -> None:
    """Every link of the role's menu and of its home page answers, none with 403."""
    page = as_role(role)
    links = list(dict.fromkeys(_menu_links(page) + _main_links(page)))
    assert links, "ni menu ni tableau de bord"
    refused = []
    for href in links:
        response = page.request.get(demo_server.url(href.split("#")[0]), max_redirects=0)
        if response.status in (401, 403) or response.status >= 500:
            refused.append(f"{href} → {response.status}")
    assert refused == [], f"{role} : liens refusés\n" + "\n".join(refused)


def test_menu_folds_into_a_button_on_small_screens(as_role, demo_server: Server) -> None:
    page = as_role("head_of_service")
    toggle = page.get_by_role("button", name="Menu")
    audit = page.get_by_role("link", name="Journal d'audit")

    # Laptop: the menu is a row of groups, « Administration » opens its list.
    expect(toggle).to_be_hidden()
    expect(audit).to_be_hidden()
    page.locator("#main-nav summary", has_text="Administration").click()
    expect(audit).to_be_visible()
    page.keyboard.press("Escape")
    expect(audit).to_be_hidden()
    groups = page.locator("#main-nav .nav-group summary").all_inner_texts()
    assert [g.strip() for g in groups] == [
        "Accompagnement",
        "Logement",
        "Programmes",
        "Pilotage",
        "Administration",
    ]

    # Phone: one « Menu » button, closed until pressed.
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#main-nav")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.locator("#main-nav summary", has_text="Accompagnement").click()
    expect(page.get_by_role("link", name="Ménages", exact=True)).to_be_visible()
    page.locator("#main-nav summary", has_text="Administration").click()
    audit.click()
    page.wait_for_url(demo_server.url("/admin/audit"))
    assert page.page_errors == []


def test_skip_link_login_autofocus_and_help(demo_page: Page, demo_server: Server) -> None:
    page = demo_page
    page.goto(demo_server.url("/login"))
    assert page.evaluate("document.activeElement.name") == "email"
    _log_in(page, demo_server, ROLES["social_worker"])
    page.goto(demo_server.url("/households"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # « Aide » opens the user guide at the section of the current page.
    page.get_by_role("link", name="Aide", exact=True).click()
    page.wait_for_url(
        lambda url: unquote(url).endswith("/aide#la-liste-des-ménages-et-la-recherche")
    )
    heading = page.locator("h2#la-liste-des-ménages-et-la-recherche")
    expect(heading).to_have_text("La liste des ménages et la recherche")
    expect(heading).to_be_in_viewport()


def test_form_errors_all_at_once_with_focused_summary(as_role, demo_server: Server) -> None:
    page = as_role("social_worker")
    page.goto(demo_server.url("/households/new"))
    page.locator("input[name=person_first_name]").fill("Aïcha")
    page.locator("input[name=person_birth_date]").fill("2090-01-01")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()

    assert page.title().startswith("Erreur : ")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # Every error at once: the missing name, the missing last name, the future birth date.
    expect(summary.locator("li")).to_have_count(
        page.locator("main .field p.error").count(), timeout=TIMEOUT_MS
    )
    assert page.locator("main .field p.error").count() >= 3
    expect(page.locator("input[name=person_first_name]")).to_have_value("Aïcha")
    # Each line of the summary leads to its field.
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.tagName") in ("INPUT", "SELECT", "TEXTAREA")
    assert page.page_errors == []
