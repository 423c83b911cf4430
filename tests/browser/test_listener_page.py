"""The listener's page in Chromium against a real server: generate, follow live, listen."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.site import PHONE, Site, eventually, screenshot

# Other listeners' episodes can take a while ahead of ours; nothing here should take longer.
SLOW = 60_000


def api_requests(page: Page) -> list[tuple[str, str]]:
    """Collects (method, path?query) of every API request the page makes from now on."""
    seen: list[tuple[str, str]] = []

    def record(request: Any) -> None:
        url = urlsplit(request.url)
        if url.path.startswith("/api/"):
            seen.append((request.method, url.path + (f"?{url.query}" if url.query else "")))

    page.on("request", record)
    return seen


# Records every position the live card shows, from now on (starting with the current one).
WATCH_POSITIONS = """
() => {
  const card = document.querySelector("#live-cards li.card");
  window.__positions = [card.dataset.position];
  new MutationObserver(() => {
    if (window.__positions.at(-1) !== card.dataset.position) window.__positions.push(card.dataset.position);
  }).observe(card, { attributes: true, attributeFilter: ["data-position"] });
}
"""


def sign_in_with_link(page: Page, site: Site, key: str, name: str) -> None:
    """Open the page with a sign-in link and wait until the live stream has synced."""
    with page.expect_response(lambda r: "/api/podcasts?view=queue" in r.url):
        page.goto(f"{site.base}/#key={key}")
    expect(page.locator("#user-name")).to_have_text(name)


def audio_state(page: Page) -> dict[str, Any]:
    return page.evaluate(
        "() => { const a = document.getElementById('audio');"
        " return {ready: a.readyState, duration: a.duration, time: a.currentTime, src: a.currentSrc}; }"
    )


def test_generate_follow_the_live_card_and_listen(site: Site, page: Page) -> None:
    sign_in_with_link(page, site, site.demo_key, "demo")
    # The sign-in link is consumed: the key is kept in the browser, gone from the address bar.
    assert page.evaluate("() => location.hash") == ""
    assert page.evaluate("() => localStorage.getItem('briefcast.apiKey')") == site.demo_key

    # Two other premium listeners (as the demo listener is) asked for a daily brief just
    # before us; each takes over a second to script, so ours waits in line behind them.
    ahead = [site.new_listener(name, "--premium") for name in ("bea", "cal")]
    for key in ahead:
        with site.api(key) as client:
            assert client.post("/api/podcasts", json={"type": "daily"}).status_code == 202

    requests = api_requests(page)
    page.get_by_role("button", name="Generate daily brief").click()
    message = page.locator("#generate-message")
    expect(message).to_contain_text("Position #")
    expect(message).to_contain_text("ready in")
    card = page.locator("#live-cards li.card")
    expect(card).to_have_count(1)
    podcast_id = card.get_attribute("data-podcast-id")
    answered = int(message.inner_text().split("Position #")[1].split(",")[0])
    assert answered >= 2, "two episodes were ahead of ours"
    page.evaluate(WATCH_POSITIONS)
    expect(card.locator('[data-field="eta"]')).not_to_have_text("–")

    # The position counts down as the episodes ahead finish, then the stages go by.
    expect(card).to_have_attribute("data-status", "processing", timeout=SLOW)
    positions = [int(p) for p in page.evaluate("() => window.__positions")]
    assert positions[0] <= answered
    assert positions == sorted(set(positions), reverse=True), positions
    assert positions[-2:] == [1, 0], positions  # then 0: in production
    expect(card).to_have_attribute("data-stage", "scripting", timeout=SLOW)
    expect(card.locator('[data-field="stage"]')).to_have_text("Writing the script (2 of 6)")
    expect(card).to_have_attribute("data-stage", "synthesizing", timeout=SLOW)
    bar = card.locator("progress")
    eventually(
        lambda: float(bar.get_attribute("value") or 0) > 100 * 2 / 6,
        what="progress within the synthesizing stage",
    )

    # Completion: a toast, a system notification, and the episode in history.
    expect(page.locator("#toasts")).to_contain_text("Your daily brief is ready", timeout=SLOW)
    expect(card).to_have_count(0)
    notes = page.evaluate("() => window.__notifications")
    assert [(n["title"], n["tag"]) for n in notes] == [("Your daily brief is ready", podcast_id)]
    episode = page.locator(f'#history-list li[data-podcast-id="{podcast_id}"]')
    expect(episode).to_have_attribute("data-status", "completed")
    # Everything after "Generate" came over the event stream: one request, one read at the end.
    assert requests == [("POST", "/api/podcasts"), ("GET", f"/api/podcasts/{podcast_id}")]

    with site.api(site.demo_key) as client:
        podcast = client.get(f"/api/podcasts/{podcast_id}").json()
        vtt = httpx_text(client, podcast["transcript_url"])
    episode.get_by_role("button", name="Play").click()
    state = eventually(
        lambda: (s := audio_state(page))["ready"] == 4 and s, what="the audio to load"
    )
    assert urlsplit(state["src"]).path == urlsplit(podcast["audio_url"]).path
    assert "signature=" in state["src"]
    assert abs(state["duration"] - podcast["duration_seconds"]) < 0.5

    # Every cue of the WebVTT file is listed, with its speaker.
    cues = page.locator("#transcript li")
    expect(cues).to_have_count(vtt.count(" --> "))
    expect(cues.first).to_contain_text("Maya:")

    # A chapter click seeks to its start; the transcript follows.
    chapters = podcast["chapters"]
    assert len(chapters) >= 3
    target = chapters[2]
    page.locator("#chapters li").nth(2).get_by_role("button").click()
    seeked = audio_state(page)["time"]
    assert abs(seeked - target["start"]) < 0.5, (seeked, target)
    current = page.locator('#transcript li[aria-current="true"]')
    expect(current).to_have_count(1)
    start, end = (
        float(current.get_attribute("data-start") or -1),
        float(current.get_attribute("data-end") or -1),
    )
    now = audio_state(page)["time"]
    assert start <= now + 0.05 and now <= end + 0.5, (start, now, end)
    expect(page.locator('#chapters li[aria-current="true"]')).to_contain_text(target["title"][:20])
    page.evaluate("() => document.getElementById('audio').pause()")

    screenshot(page, "listener")
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "listener")


def httpx_text(client: Any, url: str) -> str:
    response = client.get(url)
    response.raise_for_status()
    return str(response.text)


def test_cancel_from_the_live_card(site: Site, page: Page) -> None:
    key = site.new_listener("dee")
    page.goto(site.base)
    # Keyboard only: the key field has focus, Enter signs in.
    expect(page.locator("#api-key")).to_be_focused()
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    expect(page.locator("#user-name")).to_have_text("dee")

    page.get_by_role("button", name="Generate weekly deep dive").click()
    card = page.locator("#live-cards li.card")
    expect(card).to_have_count(1)
    podcast_id = card.get_attribute("data-podcast-id")
    expect(card).to_have_attribute("data-status", "processing", timeout=SLOW)
    card.get_by_role("button", name="Cancel the weekly deep dive").click()

    expect(card).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("Weekly deep dive cancelled")
    episode = page.locator(f'#history-list li[data-podcast-id="{podcast_id}"]')
    expect(episode).to_have_attribute("data-status", "cancelled")
    with site.api(key) as client:
        assert client.get(f"/api/podcasts/{podcast_id}").json()["status"] == "cancelled"


def test_a_failed_episode_shows_its_reason_and_can_be_retried(site: Site, page: Page) -> None:
    key = site.new_listener("fay")
    sign_in_with_link(page, site, key, "fay")
    reason = "The voice provider rejected the API key for this account"
    site.voice_refuses(reason)
    try:
        page.get_by_role("button", name="Generate daily brief").click()
        failed = page.locator('#history-list li[data-status="failed"]')
        expect(failed).to_have_count(1, timeout=SLOW)
    finally:
        site.voice_accepts()
    expect(failed.locator(".reason")).to_have_text(f"Failed while recording voices: {reason}")
    expect(page.locator("#toasts")).to_contain_text(f"could not be made: {reason}")
    assert page.evaluate("() => window.__notifications.map(n => n.title)") == [
        "Your daily brief could not be made"
    ]
    podcast_id = failed.get_attribute("data-podcast-id")
    with site.api(key) as client:
        stored = client.get(f"/api/podcasts/{podcast_id}").json()
    assert stored["status"] == "failed"
    assert stored["error"] == {
        "code": "provider_rejected",
        "message": reason,
        "stage": "synthesizing",
    }

    # Retry: the episode leaves history, comes back as a live card, and completes.
    failed.get_by_role("button", name="Retry").click()
    card = page.locator(f'#live-cards li[data-podcast-id="{podcast_id}"]')
    expect(card).to_have_count(1)
    episode = page.locator(f'#history-list li[data-podcast-id="{podcast_id}"]')
    expect(episode).to_have_attribute("data-status", "completed", timeout=SLOW)
    expect(card).to_have_count(0)


def test_the_live_card_shows_a_retry_and_the_episode_still_completes(
    site: Site, page: Page
) -> None:
    key = site.new_listener("lea")
    sign_in_with_link(page, site, key, "lea")
    reason = "The voice service did not answer in time"
    site.voice_is_down(reason)
    try:
        page.get_by_role("button", name="Generate daily brief").click()
        card = page.locator("#live-cards li.card")
        retry = card.locator(".card-retry")
        expect(retry).to_be_visible(timeout=SLOW)
        expect(retry).to_contain_text(
            f"Attempt 2 of 3 after a problem while synthesizing: {reason}."
        )
        expect(card).to_have_attribute("data-status", "processing")
    finally:
        site.voice_is_back()
    # The next attempt succeeds: the listener never saw a failure.
    expect(page.locator("#toasts")).to_contain_text("Your daily brief is ready", timeout=SLOW)
    assert page.evaluate("() => window.__notifications.map(n => n.title)") == [
        "Your daily brief is ready"
    ]
    expect(page.locator("#history-list li")).to_have_count(1)
    expect(page.locator("#history-list li").first).to_have_attribute("data-status", "completed")


def test_browse_search_and_follow_bills(site: Site, page: Page) -> None:
    key = site.new_listener("ivy")
    sign_in_with_link(page, site, key, "ivy")
    results = page.locator("#bill-results li")
    expect(results).to_have_count(10)  # one page of the demo bills
    expect(page.locator("#bill-count")).to_contain_text("18 bills")

    page.get_by_label("Search bills").fill("insulin")
    page.get_by_label("Search bills").press("Enter")
    expect(results).to_have_count(1)
    expect(results.first.locator("h3")).to_have_text("S. 6021 — Insulin Out-of-Pocket Cap Act")
    follow = results.first.get_by_role("button", name="Follow S. 6021")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    following = results.first.get_by_role("button", name="Stop following S. 6021")
    expect(following).to_have_attribute("aria-pressed", "true")
    with site.api(key) as client:
        assert client.get("/api/me").json()["tracked_bills"] == ["119-s-6021"]
        following.click()
        expect(follow).to_have_attribute("aria-pressed", "false")
        assert client.get("/api/me").json()["tracked_bills"] == []


def test_notification_settings_webhooks_and_feed(site: Site, page: Page) -> None:
    key = site.new_listener("jon")
    sign_in_with_link(page, site, key, "jon")
    with site.api(key) as client:
        feed_url = client.get("/api/me").json()["feed_url"]

    # The private feed's URL, copied to the clipboard.
    expect(page.get_by_label("Feed URL")).to_have_value(feed_url)
    page.get_by_role("button", name="Copy feed URL").click()
    expect(page.locator("#toasts")).to_contain_text("Feed URL copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == feed_url

    # E-mail on, with an address.
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("E-mail address").fill("jon@example.org")
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.locator("#channels-message")).to_have_text("Notification settings saved.")
    with site.api(key) as client:
        saved = client.get("/api/me/notifications").json()
    assert (saved["email"], saved["email_address"]) == (True, "jon@example.org")

    # A webhook: its secret is shown once, then it can be deleted.
    page.get_by_label("Webhook URL").fill("http://127.0.0.1:9/briefcast")
    page.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_label("Signing secret")
    expect(secret).to_be_visible()
    assert secret.input_value().startswith("whsec_")
    expect(page.locator("#webhook-list")).to_contain_text("http://127.0.0.1:9/briefcast")
    page.get_by_role("button", name="Done").click()
    expect(secret).to_be_hidden()
    with site.api(key) as client:
        hooks = client.get("/api/webhooks").json()["webhooks"]
        assert [h["url"] for h in hooks] == ["http://127.0.0.1:9/briefcast"]
        page.get_by_role("button", name="Delete webhook http://127.0.0.1:9/briefcast").click()
        expect(page.locator("#webhook-list")).to_contain_text("No webhooks.")
        assert client.get("/api/webhooks").json()["webhooks"] == []

    # Browser notifications: permission (granted in this context) and the service worker.
    page.get_by_role("button", name="Turn on browser notifications").click()
    expect(page.locator("#push-state")).not_to_have_text("")
    script = eventually(
        lambda: page.evaluate(
            "async () => { const r = await navigator.serviceWorker.getRegistration('/');"
            " return r && r.active ? r.active.scriptURL : null; }"
        ),
        what="the service worker to be active",
    )
    assert urlsplit(script).path == "/sw.js"
    # Headless Chromium has no push service, so subscribing may be refused; the page must
    # then say so, and the server must hold exactly what the page claims.
    state = page.locator("#push-state")
    expect(state).to_contain_text("web push", ignore_case=True)
    with site.api(key) as client:
        subscriptions = client.get("/api/me/push-subscriptions").json()["subscriptions"]
    if state.inner_text().startswith("Web push is on"):
        assert len(subscriptions) == 1
    else:
        expect(state).to_contain_text("web push could not be set up")
        assert subscriptions == []


def test_sign_out_forgets_the_key(site: Site, page: Page) -> None:
    sign_in_with_link(page, site, site.demo_key, "demo")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('briefcast.apiKey')") is None
    page.get_by_label("API key").fill("bc_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).to_have_text(
        "That API key was not accepted. Check it and try again."
    )
