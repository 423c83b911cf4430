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

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.site import (
    CAPTURE_NOTIFICATIONS,
    CHROMIUM_ARGS,
    DESKTOP,
    SCREENSHOTS,
    Site,
    chromium_path,
)
from tests.support.server import cli, environment, free_port, started


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # Package scope: Playwright's sync API keeps an event loop running in this thread
    # until it stops, which the durable engine's start-up refuses in later tests.
    path = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
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
        BRIEFCAST_TEST_VOICE_BUSY_FILE=str(home / "voice-busy"),
        BRIEFCAST_RETRY_DELAYS="1.5,1.5",
        BRIEFCAST_RETRY_JITTER="0",
        BRIEFCAST_WORKER_SLOTS="1",
        BRIEFCAST_EXECUTOR_ID="browser-worker",
        BRIEFCAST_PUBLIC_URL=base,
        BRIEFCAST_WEBHOOKS_ALLOW_LOCAL="true",
        BRIEFCAST_DAILY_TARGET_SECONDS="90",
        BRIEFCAST_WEEKLY_TARGET_SECONDS="150",
    )
    demo_key = cli(env, "demo").stdout.strip().splitlines()[-1]
    with started(
        env, "serve", "--port", str(port), log=home / "server.log", ready_url=f"{base}/readyz"
    ):
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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
