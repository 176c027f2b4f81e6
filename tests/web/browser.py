"""Real-browser helpers: the app served by uvicorn on a free loopback port, Debian's Chromium
driven by Playwright (never `playwright install`: no browser is downloaded here), and what the
browser journeys share (the app's settings on a copy of the migrated SQLite database, staff
accounts, signing in, screenshots, and the console errors that fail a test).

As with tests/browser.py, a missing Chromium fails the test with the fix instead of skipping.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Role
from streetlight.staff.accounts import create_staff_user
from streetlight.web.core.settings import Settings
from tests.browser import chromium
from tests.conftest import REPO
from tests.web.conftest import CHEAP_PASSWORDS, PASSWORD, SECRET_KEY, TOTP_KEY, Clock

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 20
# Screenshots of every journey, overwritten by each run (git-ignored).
ARTIFACTS = REPO / "test-artifacts" / "browser"
PHONE_VIEWPORT = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(
    app: FastAPI, *, port: int | None = None, name: str = "127.0.0.1", **options: object
) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on 127.0.0.1 (`port`: a free one by default;
    `options` for `uvicorn.Config`, over quiet defaults); yields its base URL with `name` as the
    host, and stops it afterwards."""
    config: dict[str, object] = {"log_level": "warning", "lifespan": "on", **options}
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **config))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start", pytrace=False)
        time.sleep(0.02)
    try:
        yield f"http://{name}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)


def served_at_localhost(app: FastAPI, port: int, **options: object) -> AbstractContextManager[str]:
    """`served` on a `port` chosen beforehand (`free_port()`), at `http://localhost:<port>`: for
    an app whose settings must name its own origin, as security keys' do. Browsers offer
    WebAuthn on localhost over plain HTTP, but never for an IP address."""
    return served(app, port=port, name="localhost", **options)


@contextmanager
def headless_chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, with its own network traffic switched off."""
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=LAUNCH_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def sqlite_settings(folder: Path, template: Path, **overrides: object) -> Settings:
    """Settings for an app a real server runs (SQLite only: one engine is enough for a browser):
    a copy of the migrated `template` database in `folder`, the store beside it, the test
    secret, and `overrides`."""
    database = folder / "streetlight.db"
    shutil.copyfile(template, database)
    return Settings(
        store=folder / "data",
        database_url=f"sqlite:///{database}",
        secret_key=SecretStr(SECRET_KEY),
        **overrides,  # type: ignore[arg-type]
    )


def staff_account(
    sessions: sessionmaker[Session],
    username: str,
    role: Role,
    *,
    warrant: str | None = None,
    display_name: str | None = None,
) -> str:
    """A staff account with the test PASSWORD; returns its TOTP secret."""
    with sessions.begin() as session:
        account = create_staff_user(
            session, username=username, display_name=display_name or username.title(),
            password=PASSWORD, role=role, passwords=CHEAP_PASSWORDS, totp_key=TOTP_KEY, now=Clock()(),
            warrant_number=warrant,
        )  # fmt: skip
    return account.totp_secret


def browser_sign_in(
    page: Page, base: str, username: str, secret: str, then: str, *, at: datetime | None = None
) -> None:
    """Sign in on the page as a person would, and wait for the page it leads to (`then`).
    `at`: the app's time, when its clock is not the real one (the code is that moment's)."""
    page.goto(f"{base}/signin?next={then}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.now() if at is None else totp.at(at))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def phone_context(browser: Browser, **options: object) -> BrowserContext:
    """A browser context the size of a phone unless `options` say otherwise."""
    settings: dict[str, object] = {"viewport": PHONE_VIEWPORT, **options}
    return browser.new_context(**settings)  # type: ignore[arg-type]


def shot(page: Page, name: str) -> None:
    """A full-page screenshot in ARTIFACTS as `<name>.png`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class Problems(list[str]):
    """Console errors and warnings and uncaught exceptions of the pages watched: a journey ends
    asserting there are none (a CSP refusal shows up here)."""

    def watch(self, page: Page, *, refusing: Collection[str] = ()) -> Page:
        """Record `page`'s problems; Chromium's "Failed to load resource" for a document at one
        of the `refusing` paths is expected (a page that answers a refusal with 4xx)."""

        def console(message: ConsoleMessage) -> None:
            if message.type not in ("error", "warning"):
                return
            path = urlsplit(message.location.get("url", "")).path
            if message.text.startswith("Failed to load resource") and path in refusing:
                return
            self.append(f"{message.text} ({message.location})")

        page.on("console", console)
        page.on("pageerror", lambda e: self.append(str(e)))
        return page
