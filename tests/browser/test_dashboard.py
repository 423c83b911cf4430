"""The operator dashboard in Chromium: live queue, a running job, failures and their retry."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.site import PHONE, Site, eventually, screenshot

SLOW = 60_000


def status_of(site: Site, key: str, podcast_id: str) -> str:
    with site.api(key) as client:
        return str(client.get(f"/api/podcasts/{podcast_id}").json()["status"])


def test_a_listener_who_is_not_an_operator_gets_no_dashboard(site: Site, page: Page) -> None:
    key = site.new_listener("eve")
    page.goto(f"{site.base}/admin#key={key}")
    forbidden = page.locator("#forbidden")
    expect(forbidden).to_be_visible()
    expect(forbidden).to_contain_text("only for operators")
    expect(page.locator("#dashboard")).to_be_hidden()
    expect(page.locator("#running tbody tr")).to_have_count(0)
    with site.api(key) as client:
        assert client.get("/api/admin/dashboard").status_code == 403
        assert client.post("/api/admin/podcasts/whatever/retry").status_code == 403
        assert client.get("/api/me").json()["admin"] is False
    # The listener page offers them no link to it either.
    page.goto(site.base)
    expect(page.locator("#user-name")).to_have_text("eve")
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)


def test_the_dashboard_shows_running_work_failures_and_retries_them(site: Site, page: Page) -> None:
    # One listener's episode fails for real; another's is in production while we look.
    gus = site.new_listener("gus")
    hal = site.new_listener("hal")
    reason = "The voice provider says the monthly character quota is used up"
    site.voice_refuses(reason)
    try:
        with site.api(gus) as client:
            failed_id = client.post("/api/podcasts", json={"type": "daily"}).json()["id"]
        eventually(
            lambda: status_of(site, gus, failed_id) == "failed", what="gus's episode to fail"
        )
    finally:
        site.voice_accepts()
    with site.api(hal) as client:
        running_id = client.post("/api/podcasts", json={"type": "weekly"}).json()["id"]

    page.goto(f"{site.base}/admin#key={site.demo_key}")
    expect(page.locator("#dashboard")).to_be_visible()
    running = page.locator(f'#running tbody tr:has([data-podcast-id="{running_id}"])')
    expect(running).to_have_count(1, timeout=SLOW)
    expect(running).to_contain_text("hal")
    expect(running).to_contain_text("browser-worker")
    expect(page.locator("#stat-running")).to_have_text("1")
    workers = page.locator("#workers tbody tr")
    expect(workers.first).to_contain_text("browser-worker")
    expect(workers.first).to_contain_text("alive")

    failure = page.locator(f'#failures tbody tr:has([data-podcast-id="{failed_id}"])')
    expect(failure).to_contain_text("gus")
    expect(failure).to_contain_text(reason)
    expect(failure).to_contain_text("Recording voices")
    screenshot(page, "dashboard")
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "dashboard")

    # The operator retries gus's episode; it is made after hal's and leaves the failures.
    failure.get_by_role("button", name="Retry").click()
    expect(failure).to_have_count(0)
    eventually(
        lambda: status_of(site, gus, failed_id) == "completed",
        timeout=SLOW / 1000,
        what="the retried episode to complete",
    )
    # The refreshed snapshot now has timed stages, throughput and voice characters.
    stages = page.locator("#stages tbody")
    expect(stages).to_contain_text("Recording voices", timeout=10_000)
    expect(stages).to_contain_text("Mastering audio")
    expect(page.locator("#stat-completed")).not_to_have_text("0")
    expect(page.locator("#tts tbody tr").first).not_to_contain_text("–")
