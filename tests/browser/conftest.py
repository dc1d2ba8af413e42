"""Browser fixtures: the real ``tremplin serve`` in a subprocess and headless Chromium.

The server is started once per session on a free port, against a fresh SQLite file and data
folder, with one social worker account; Chromium is launched once per module. It is Debian's
(``/usr/bin/chromium``): Playwright's own browser download is not used. A missing Chromium
fails the tests, it never skips them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-component-update",
    "--no-first-run",
]
EMAIL = "camille.test@example.org"
PASSWORD = "browser-test-password-2024"  # 14 characters minimum
FULL_NAME = "Camille Test"
PARTNER_EMAIL = "conseillere@mission-locale.example.org"
PARTNER_ORG = "Mission Locale d'Alès"
RENTAL_EMAIL = "gestion.locative@example.org"
#: The IML sublease's house mistress (role technician, restricted to that programme).
MISTRESS_EMAIL = "maitresse.maison@example.org"
#: Timeout of every Playwright action and expectation (ms): generous for a slow CI machine,
#: yet a broken page fails in seconds rather than minutes.
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Server:
    base_url: str
    data_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _tremplin() -> str:
    script = Path(sys.executable).parent / "tremplin"
    if not script.exists():
        pytest.fail(f"{script} introuvable : installez le projet (pip install -e '.[dev]')")
    return str(script)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None) -> None:
    result = subprocess.run(
        [_tremplin(), *args],
        env=env,
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=60,
    )
    if result.returncode != 0:
        pytest.fail(
            f"tremplin {args[0]} a échoué ({result.returncode}) :\n{result.stdout}\n{result.stderr}"
        )


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"tremplin serve s'est arrêté (code {process.returncode}) :\n"
                + log_path.read_text(errors="replace")
            )
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(
        f"{url} ne répond pas 200 après {timeout} s :\n" + log_path.read_text(errors="replace")
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    """``tremplin serve`` on a free port, with a migrated database and one social worker."""
    tmp = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    env.update(
        TREMPLIN_DATABASE_URL=f"sqlite:///{tmp / 't.sqlite3'}",
        TREMPLIN_DATA_DIR=str(tmp / "data"),
        # No configuration file: only the variables above apply.
        TREMPLIN_CONFIG=str(tmp / "absent.toml"),
        PYTHONUNBUFFERED="1",
    )
    _run(["migrate"], env, tmp)
    _run(
        ["createuser", EMAIL, "--role", "social_worker", "--name", FULL_NAME, "--password-stdin"],
        env,
        tmp,
        stdin=PASSWORD + "\n",
    )
    _run(
        [
            "createuser",
            PARTNER_EMAIL,
            "--role",
            "partner",
            "--name",
            "Mila Conseillère",
            "--partner",
            PARTNER_ORG,
            "--password-stdin",
        ],
        env,
        tmp,
        stdin=PASSWORD + "\n",
    )
    _run(
        [
            "createuser",
            RENTAL_EMAIL,
            "--role",
            "rental_manager",
            "--name",
            "Gaël Gestion",
            "--password-stdin",
        ],
        env,
        tmp,
        stdin=PASSWORD + "\n",
    )
    _run(
        [
            "createuser",
            MISTRESS_EMAIL,
            "--role",
            "technician",
            "--name",
            "Maëlle Maison",
            "--programmes",
            "iml_sublease",
            "--password-stdin",
        ],
        env,
        tmp,
        stdin=PASSWORD + "\n",
    )
    port = _free_port()
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [_tremplin(), "serve", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url + "/healthz", process, log_path)
        yield Server(base_url=base_url, data_dir=tmp / "data", log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium, shared by the tests of one module.

    Module scope, not session: while the sync Playwright driver is open, its event loop
    counts as running in the main thread, so ``asyncio.run()`` in any later (non-browser)
    test or fixture would fail with "cannot be called from a running event loop".
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} est absent : les tests navigateur exigent Chromium "
            "(apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def log_in(page, server: Server, email: str = EMAIL, landing: str = "/") -> None:
    """Fill and submit the login form; land on the dashboard (partners: their area)."""
    page.goto(server.url("/login"))
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(server.url(landing))


@pytest.fixture(scope="module")
def auth_state(browser, server, tmp_path_factory) -> str:
    """Cookies of one login through the form, reused by the tests that do not test login."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log_in(page, server)
        path = tmp_path_factory.mktemp("auth") / "state.json"
        context.storage_state(path=str(path))
    finally:
        context.close()
    return str(path)


def _new_page(context):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.page_errors = []  # uncaught JavaScript errors, checked by the tests
    page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
    return page


@pytest.fixture
def anonymous_page(browser):
    """A page in a fresh browser context (no cookies)."""
    context = browser.new_context(accept_downloads=True, locale="fr-FR")
    try:
        yield _new_page(context)
    finally:
        context.close()


@pytest.fixture
def page(browser, auth_state):
    """A page in a fresh context already logged in as the social worker."""
    context = browser.new_context(accept_downloads=True, locale="fr-FR", storage_state=auth_state)
    try:
        yield _new_page(context)
    finally:
        context.close()


@pytest.fixture
def rental_page(browser, server):
    """A page in a fresh context logged in as the rental manager (dwellings, rent)."""
    context = browser.new_context(accept_downloads=True, locale="fr-FR")
    try:
        page = _new_page(context)
        log_in(page, server, RENTAL_EMAIL)
        yield page
    finally:
        context.close()
