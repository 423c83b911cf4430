"""What the browser tests share: the running site, Chromium's arguments, screenshots, waiting."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.support.server import REPO, cli

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

    @property
    def busy_file(self) -> Path:
        return self.home / "voice-busy"

    def voice_is_down(self, reason: str) -> None:
        self.busy_file.write_text(reason)

    def voice_is_back(self) -> None:
        self.busy_file.unlink(missing_ok=True)


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
