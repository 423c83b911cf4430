"""Accessibility basics of both pages: labels, names, a live region, landmarks, small screens."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.site import PHONE, Site

# Every form control needs a label; every button and link a name; there must be a
# polite live region for status changes. Hidden parts count too: they appear later.
AUDIT = """
() => {
  const named = (el) => Boolean(
    (el.getAttribute("aria-label") || "").trim() || el.getAttribute("aria-labelledby")
    || (el.textContent || "").trim() || (el.getAttribute("title") || "").trim()
    || [...el.querySelectorAll("img[alt]")].some((img) => img.alt.trim()));
  const labelled = (el) => Boolean(
    (el.labels && el.labels.length) || el.getAttribute("aria-label")
    || el.getAttribute("aria-labelledby"));
  const describe = (el) => el.id ? `#${el.id}` : el.outerHTML.slice(0, 120);
  return {
    unlabelled: [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden" && !labelled(el)).map(describe),
    nameless: [...document.querySelectorAll("button, a[href], [role=button]")]
      .filter((el) => !named(el)).map(describe),
    unnamedProgress: [...document.querySelectorAll("progress, audio")]
      .filter((el) => !labelled(el) && !el.closest("template")).map(describe),
    liveRegions: [...document.querySelectorAll("[aria-live=polite], [aria-live=assertive]")].length,
    mainLandmarks: document.querySelectorAll("main").length,
    h1: document.querySelectorAll("h1").length,
    lang: document.documentElement.lang,
    viewport: (document.querySelector("meta[name=viewport]") || {}).content || "",
  };
}
"""


def audit(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(AUDIT)
    return result


def check(report: dict[str, Any]) -> None:
    assert report["unlabelled"] == []
    assert report["nameless"] == []
    assert report["unnamedProgress"] == []
    assert report["liveRegions"] >= 1
    assert report["mainLandmarks"] == 1
    assert report["h1"] >= 1
    assert report["lang"] == "en"
    assert "width=device-width" in report["viewport"]


@pytest.mark.parametrize("path", ["/", "/admin"])
def test_signed_out_pages(site: Site, page: Page, path: str) -> None:
    page.goto(site.base + path)
    expect(page.get_by_label("API key", exact=False)).to_be_focused()
    check(audit(page))


def test_signed_in_listener_page_with_cards_and_history(site: Site, page: Page) -> None:
    key = site.new_listener("kim")
    page.goto(f"{site.base}/#key={key}")
    expect(page.locator("#user-name")).to_have_text("kim")
    # The skip link is the first stop of the keyboard and leads to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.get_by_role("button", name="Generate daily brief").click()
    expect(page.locator("#live-cards li.card")).to_have_count(1)
    check(audit(page))
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#live-cards li.card").get_by_role("button", name="Cancel the daily brief").click()
    expect(page.locator("#live-cards li.card")).to_have_count(0)


def test_signed_in_dashboard(site: Site, page: Page) -> None:
    page.goto(f"{site.base}/admin#key={site.demo_key}")
    expect(page.locator("#dashboard")).to_be_visible()
    check(audit(page))
    for table in page.locator("table").all():
        expect(table.locator("caption")).to_have_count(1)
        assert table.locator("th[scope=col]").count() >= 3
