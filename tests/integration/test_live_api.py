"""Event streams, notification settings and the feed over real HTTP (no worker running)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import httpx
import pytest

from briefcast.jobs import JobStore
from briefcast.rendering import episode_keys
from briefcast.runtime import Runtime
from briefcast.web import create_app
from tests.support.fakes import sample_bills, wait_for
from tests.support.receivers import Browser
from tests.support.runtime import make_runtime
from tests.support.streams import read_until, serve_app, stream

PUBLIC = "https://cast.example.org"


@dataclass
class Api:
    runtime: Runtime
    client: httpx.Client

    def listener(self, name: str) -> dict[str, str]:
        _, key = self.runtime.users.create(name)
        return {"Authorization": f"Bearer {key}"}

    def request(self, headers: dict[str, str], bills: list[str] | None = None) -> str:
        body = {"type": "daily", "bills": bills or ["119-hr-100"]}
        response = self.client.post("/api/podcasts", json=body, headers=headers)
        assert response.status_code == 202, response.text
        return str(response.json()["id"])


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    runtime = make_runtime(
        tmp_path,
        f"sqlite:///{tmp_path / 'live.sqlite3'}",
        public_url=PUBLIC,
        worker_slots=1,
        events_poll_seconds=0.05,
        sse_keepalive_seconds=0.3,
    )
    runtime.bills.upsert(sample_bills())
    with serve_app(create_app(runtime)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield Api(runtime, client)
    runtime.close()


# --- event streams --------------------------------------------------------------


def test_streams_need_a_key_in_the_header_or_the_query(api: Api) -> None:
    owner = api.listener("owner")
    podcast_id = api.request(owner)
    api.client.post(f"/api/podcasts/{podcast_id}/cancel", headers=owner)
    path = f"/api/podcasts/{podcast_id}/events"
    assert api.client.get(path).status_code == 401
    assert api.client.get(path, params={"access_token": "bc_wrong"}).status_code == 401
    key = owner["Authorization"].removeprefix("Bearer ")
    with stream(api.client, f"{path}?access_token={key}") as events:
        assert [s.event for s in read_until(events)] == ["queued", "cancelled"]
    # Only the event streams take a key in the query.
    assert api.client.get("/api/me", params={"access_token": key}).status_code == 401


def test_another_listeners_podcast_stream_is_404(api: Api) -> None:
    owner, stranger = api.listener("owner"), api.listener("stranger")
    podcast_id = api.request(owner)
    response = api.client.get(f"/api/podcasts/{podcast_id}/events", headers=stranger)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.client.get("/api/podcasts/nope/events", headers=owner).status_code == 404


def test_a_bad_last_event_id_is_422(api: Api) -> None:
    owner = api.listener("owner")
    podcast_id = api.request(owner)
    response = api.client.get(
        f"/api/podcasts/{podcast_id}/events", headers=owner | {"Last-Event-ID": "tomorrow"}
    )
    assert response.status_code == 422


def test_a_finished_stream_replays_its_history_then_ends_and_then_says_204(api: Api) -> None:
    owner = api.listener("owner")
    podcast_id = api.request(owner)
    api.client.post(f"/api/podcasts/{podcast_id}/cancel", headers=owner)
    with stream(api.client, f"/api/podcasts/{podcast_id}/events", headers=owner) as events:
        history = read_until(events)
    assert [s.event for s in history] == ["queued", "cancelled"]
    # A plain GET returns at all only because the server ends the stream by itself.
    whole = api.client.get(f"/api/podcasts/{podcast_id}/events", headers=owner)
    assert whole.text.count("event: ") == 2
    assert int(history[0].id) < int(history[1].id)
    resumed = api.client.get(
        f"/api/podcasts/{podcast_id}/events", headers=owner | {"Last-Event-ID": history[0].id}
    )
    assert resumed.status_code == 200
    assert "event: cancelled" in resumed.text and "event: queued" not in resumed.text
    done = api.client.get(
        f"/api/podcasts/{podcast_id}/events", headers=owner | {"Last-Event-ID": history[1].id}
    )
    assert done.status_code == 204


def test_positions_are_pushed_when_the_line_moves(api: Api) -> None:
    first, second = api.listener("first"), api.listener("second")
    ahead = api.request(first)
    behind = api.request(second)
    with stream(api.client, f"/api/podcasts/{behind}/events", headers=second) as events:
        opening = read_until(events, ("position",))
        assert [s.event for s in opening] == ["queued", "position"]
        assert opening[-1].data["position"] == 2
        api.client.post(f"/api/podcasts/{ahead}/cancel", headers=first)
        (moved,) = read_until(events, ("position",))
    assert moved.data["position"] == 1
    assert moved.data["podcast_id"] == behind
    cursor, _, position = moved.id.partition(".p")
    assert position == "1" and int(cursor) >= int(opening[0].id)
    # Resuming from that position does not repeat it: the next message is news.
    with stream(
        api.client,
        f"/api/podcasts/{behind}/events",
        headers=second | {"Last-Event-ID": moved.id},
    ) as events:
        api.client.post(f"/api/podcasts/{behind}/cancel", headers=second)
        assert [s.event for s in read_until(events)] == ["cancelled"]


def test_my_stream_carries_only_my_podcasts_and_closes_cleanly(api: Api) -> None:
    mine, theirs = api.listener("me"), api.listener("them")
    with stream(api.client, "/api/events", headers=mine) as events:
        wait_for(lambda: api.runtime.hub.subscribers == 1, message="the stream to subscribe")
        api.request(theirs)
        podcast_id = api.request(mine, ["119-hr-101"])
        api.client.post(f"/api/podcasts/{podcast_id}/cancel", headers=mine)
        seen = read_until(events)
    assert {s.data["podcast_id"] for s in seen} == {podcast_id}
    assert [s.event for s in seen if s.event != "position"] == ["queued", "cancelled"]
    wait_for(lambda: api.runtime.hub.subscribers == 0, message="the subscription to be released")


def test_an_idle_stream_sends_keep_alives(api: Api) -> None:
    me = api.listener("quiet")
    with api.client.stream("GET", "/api/events", headers=me) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        lines = response.iter_lines()
        assert next(lines) == "retry: 2000"
        kept = [line for line, _ in zip(lines, range(6), strict=False) if line == ": keep-alive"]
    assert len(kept) >= 2


# --- notification settings ------------------------------------------------------


def test_notification_preferences(api: Api) -> None:
    me = api.listener("prefs")
    settings = api.client.get("/api/me/notifications", headers=me).json()
    assert (settings["push"], settings["webhook"]) == (True, True)
    assert settings["available"] == {"push": True, "email": False, "webhook": True}
    body = {"push": True, "email": True, "webhook": False}
    refused = api.client.put("/api/me/notifications", json=body, headers=me)
    assert refused.status_code == 422 and "email_address" in refused.json()["error"]["message"]
    bad = api.client.put(
        "/api/me/notifications", json=body | {"email_address": "not-an-address"}, headers=me
    )
    assert bad.status_code == 422
    saved = api.client.put(
        "/api/me/notifications", json=body | {"email_address": "ada@example.org"}, headers=me
    ).json()
    assert (saved["email"], saved["webhook"], saved["email_address"]) == (
        True,
        False,
        "ada@example.org",
    )
    assert api.client.get("/api/me/notifications", headers=me).json()["email"] is True


def test_push_subscriptions(api: Api) -> None:
    me = api.listener("pusher")
    listing = api.client.get("/api/me/push-subscriptions", headers=me).json()
    assert len(listing["public_key"]) == 87  # 65 bytes, base64url without padding
    endpoint = "https://8.8.8.8/push/abc"
    keys = Browser.new().keys()
    bad = api.client.post(
        "/api/me/push-subscriptions",
        json={"endpoint": endpoint, "keys": {**keys, "p256dh": "AAAA"}},
        headers=me,
    )
    assert bad.status_code == 422
    made = api.client.post(
        "/api/me/push-subscriptions", json={"endpoint": endpoint, "keys": keys}, headers=me
    )
    assert made.status_code == 201
    listing = api.client.get("/api/me/push-subscriptions", headers=me).json()
    assert [s["endpoint"] for s in listing["subscriptions"]] == [endpoint]
    gone = api.client.request(
        "DELETE", "/api/me/push-subscriptions", json={"endpoint": endpoint}, headers=me
    )
    assert gone.status_code == 204
    again = api.client.request(
        "DELETE", "/api/me/push-subscriptions", json={"endpoint": endpoint}, headers=me
    )
    assert again.status_code == 404


def test_webhooks_show_their_secret_once_and_are_private(api: Api) -> None:
    me, other = api.listener("hooker"), api.listener("other")
    made = api.client.post("/api/webhooks", json={"url": "https://8.8.8.8/hook"}, headers=me)
    assert made.status_code == 201
    hook = made.json()
    assert hook["secret"].startswith("whsec_") and hook["enabled"] is True
    listed = api.client.get("/api/webhooks", headers=me).json()["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in api.client.get(f"/api/webhooks/{hook['id']}", headers=me).json()
    assert api.client.get(f"/api/webhooks/{hook['id']}", headers=other).status_code == 404
    assert api.client.delete(f"/api/webhooks/{hook['id']}", headers=other).status_code == 404
    assert api.client.delete(f"/api/webhooks/{hook['id']}", headers=me).status_code == 204
    assert api.client.get(f"/api/webhooks/{hook['id']}", headers=me).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://localhost:9000/hook",
        "http://0.0.0.0/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_private_webhook_and_push_urls_are_refused(api: Api, url: str) -> None:
    me = api.listener("attacker")
    response = api.client.post("/api/webhooks", json={"url": url}, headers=me)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unsafe_url"
    push = api.client.post(
        "/api/me/push-subscriptions",
        json={"endpoint": url, "keys": Browser.new().keys()},
        headers=me,
    )
    assert push.status_code == 422
    assert api.client.get("/api/webhooks", headers=me).json()["webhooks"] == []


# --- the private feed -------------------------------------------------------------


def publish_episode(runtime: Runtime, headers: dict[str, str], api: Api, audio: bytes) -> str:
    """An episode brought to completion the way the pipeline does, with files in storage."""
    podcast_id = api.request(headers, ["119-hr-100", "119-hr-101"])
    user_id = api.client.get("/api/me", headers=headers).json()["id"]
    keys = episode_keys(user_id, podcast_id)
    runtime.storage.put(keys["audio"], audio, "audio/mpeg")
    runtime.storage.put(keys["transcript"], b"WEBVTT\n\n", "text/vtt")
    runtime.storage.put(keys["chapters"], b'{"version":"1.2.0","chapters":[]}', "application/json")
    jobs = JobStore(runtime.db, runtime.queue, worker="test")
    jobs.begin_stage(podcast_id, "gathering")
    jobs.complete(
        podcast_id,
        title="Ada's brief",
        audio_key=keys["audio"],
        audio_bytes=len(audio),
        duration_seconds=125.0,
    )
    return podcast_id


def test_the_feed_lists_episodes_with_media_reached_by_its_token(api: Api) -> None:
    me = api.listener("feeder")
    audio = bytes(range(256)) * 40
    podcast_id = publish_episode(api.runtime, me, api, audio)
    feed_url = api.client.get("/api/me", headers=me).json()["feed_url"]
    assert feed_url.startswith(f"{PUBLIC}/feeds/") and feed_url.endswith(".xml")
    local = feed_url.removeprefix(PUBLIC)
    parsed = feedparser.parse(api.client.get(local).content)
    assert not parsed.bozo
    assert parsed.feed.title == "briefcast for feeder"
    assert parsed.feed.image.href == local.removesuffix(".xml").join([PUBLIC, "/artwork.png"])
    (entry,) = parsed.entries
    assert entry.id == f"urn:uuid:{podcast_id}"
    assert entry.title == "Ada's brief"
    assert "H.R. 100: Sample Act number 0" in entry.summary
    assert entry.itunes_duration == "0:02:05"
    (enclosure,) = entry.enclosures
    media = enclosure.href.removeprefix(PUBLIC)
    served = api.client.get(media)
    assert served.content == audio and int(enclosure.length) == len(served.content)
    head = api.client.head(media)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(audio))
    part = api.client.get(media, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == audio[10:20]
    transcript = api.client.get(entry.podcast_transcript["url"].removeprefix(PUBLIC))
    assert transcript.text.startswith("WEBVTT")
    chapters = api.client.get(entry.podcast_chapters["url"].removeprefix(PUBLIC))
    assert chapters.json()["version"] == "1.2.0"
    artwork = api.client.get(parsed.feed.image.href.removeprefix(PUBLIC))
    assert artwork.content.startswith(b"\x89PNG")


def test_rotating_the_feed_token_retires_the_old_links(api: Api) -> None:
    me, other = api.listener("rotator"), api.listener("neighbour")
    podcast_id = publish_episode(api.runtime, me, api, b"ID3" + bytes(100))
    old = api.client.get("/api/me", headers=me).json()["feed_url"].removeprefix(PUBLIC)
    old_media = old.removesuffix(".xml") + f"/{podcast_id}.mp3"
    assert api.client.get(old_media).status_code == 200
    rotated = api.client.post("/api/me/feed-token", headers=me).json()["feed_url"]
    assert rotated != PUBLIC + old
    assert api.client.get(old).status_code == 404
    assert api.client.get(old_media).status_code == 404
    assert api.client.get(rotated.removeprefix(PUBLIC)).status_code == 200
    assert api.client.head(rotated.removeprefix(PUBLIC)).status_code == 200
    # Another listener's token never reaches this listener's episode.
    theirs = api.client.get("/api/me", headers=other).json()["feed_url"].removeprefix(PUBLIC)
    assert api.client.get(theirs.removesuffix(".xml") + f"/{podcast_id}.mp3").status_code == 404
    assert api.client.get("/feeds/not-a-token.xml").status_code == 404
