"""A real server and the system Chromium, shared by the browser tests.

One ``briefcast serve`` (API + embedded worker, one slot) runs for the whole
browser suite with the ``ledger-tone`` test voice, slowed a little so that
stages and positions are visible, and a slow script writer so that a job
ahead of yours takes a moment. Each test opens its own browser context
(fresh storage, its own permissions) and usually its own listener, so tests
do not depend on each other's episodes.

Chromium comes from the system (``apt-get install chromium``); Playwright
never downloads a browser here. Without Chromium the tests skip, unless CI is
set, where they must run.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.support.server import REPO, cli, environment, free_port, started

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Records every `new Notification(...)` the page makes (the real one still runs).
CAPTURE_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.__notifications = [];
  class Capturing extends Real {
    constructor(title, options = {}) {
      window.__notifications.push({ title, body: options.body, tag: options.tag });
      super(title, options);
    }
  }
  Object.defineProperty(Capturing, "permission", { get: () => Real.permission });
  Capturing.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Capturing;
})();
"""


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is required on CI: .ci/run installs it with apt-get")
    pytest.skip("Chromium is not installed (apt-get install -y chromium); CI is unset")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Site:
    """The running server, its environment, and ways to act on it from outside a browser."""

    base: str
    env: dict[str, str]
    home: Path
    demo_key: str

    def new_listener(self, name: str, *flags: str) -> str:
        """Create a listener with the real command line; returns their API key."""
        return cli(self.env, "users", "create", name, *flags).stdout.split()[-1]

    def api(self, key: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )

    @property
    def reject_file(self) -> Path:
        return self.home / "voice-rejects"

    def voice_refuses(self, reason: str) -> None:
        self.reject_file.write_text(reason)

    def voice_accepts(self) -> None:
        self.reject_file.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("browser-home")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = environment(
        home,
        BRIEFCAST_PLUGINS="tests.support.plugin",
        BRIEFCAST_VOICE="ledger-tone",
        BRIEFCAST_WRITER="slow-template",
        BRIEFCAST_TEST_WRITER_DELAY="1.0",
        BRIEFCAST_TEST_VOICE_DELAY="0.08",
        BRIEFCAST_TEST_VOICE_REJECT_FILE=str(home / "voice-rejects"),
        BRIEFCAST_WORKER_SLOTS="1",
        BRIEFCAST_EXECUTOR_ID="browser-worker",
        BRIEFCAST_PUBLIC_URL=base,
        BRIEFCAST_WEBHOOKS_ALLOW_LOCAL="true",
        BRIEFCAST_DAILY_TARGET_SECONDS="90",
        BRIEFCAST_WEEKLY_TARGET_SECONDS="150",
    )
    demo_key = cli(env, "demo").stdout.strip().splitlines()[-1]
    with started(env, "serve", "--port", str(port), log=home / "server.log", ready_url=f"{base}/readyz"):
        yield Site(base, env, home, demo_key)


@pytest.fixture
def context(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.grant_permissions(["notifications", "clipboard-read", "clipboard-write"], origin=site.base)
    ctx.add_init_script(CAPTURE_NOTIFICATIONS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any uncaught script error."""
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    assert errors == [], f"script errors on the page: {errors}"


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page at its current size under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or DESKTOP
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def eventually(
    check: Callable[[], Any], *, timeout: float = 30, interval: float = 0.1, what: str = ""
) -> Any:
    """Call ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        time.sleep(interval)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
