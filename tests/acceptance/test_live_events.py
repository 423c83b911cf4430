"""Live events and notifications with the worker and the API in separate processes.

``briefcast worker`` renders (with the fast test voice) in one process and
``briefcast serve --no-worker`` answers HTTP in another, sharing one
database. Everything the listener hears of the worker — the event stream,
web push, e-mail, webhooks — crosses that process boundary through the
database, as it does in a real deployment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook

from tests.support.databases import database
from tests.support.receivers import Browser, HttpReceiver, Mailbox, http_receiver, smtp_server
from tests.support.server import cli, environment, free_port, started
from tests.support.streams import read_until, stream

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


def events_after(database_url: str, podcast_id: str, after: int) -> list[tuple[int, str]]:
    """The stored events, read straight from the database (not through the API)."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT id, type FROM podcast_events "
                    "WHERE podcast_id = :p AND id > :a ORDER BY id"
                ),
                {"p": podcast_id, "a": after},
            )
            return [(int(r.id), str(r.type)) for r in rows]
    finally:
        engine.dispose()


def test_a_listener_follows_an_episode_made_in_another_process(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    browser = Browser.new()
    with smtp_server() as mailbox, http_receiver() as hooks, http_receiver() as push:
        env = environment(
            tmp_path / "home",
            BRIEFCAST_DATABASE_URL=database_url,
            BRIEFCAST_PLUGINS="tests.support.plugin",
            BRIEFCAST_VOICE="ledger-tone",
            BRIEFCAST_WORKER_SLOTS="1",
            BRIEFCAST_EXECUTOR_ID="live-worker",
            BRIEFCAST_PUBLIC_URL=base,
            BRIEFCAST_WEBHOOKS_ALLOW_LOCAL="true",
            BRIEFCAST_SMTP_HOST="127.0.0.1",
            BRIEFCAST_SMTP_PORT=str(mailbox.port),
            BRIEFCAST_SMTP_FROM="briefcast@example.org",
            BRIEFCAST_SMTP_TLS="none",
            # A short brief keeps mastering quick; the stream is what is tested here.
            BRIEFCAST_DAILY_TARGET_SECONDS="90",
        )
        cli(env, "bills", "import", "--demo")
        key = cli(env, "users", "create", "ada", "--email", "ada@example.org").stdout.split()[-1]
        auth = {"Authorization": f"Bearer {key}"}
        with (
            started(env, "worker", log=tmp_path / "worker.log"),
            started(
                env,
                "serve",
                "--port",
                str(port),
                "--no-worker",
                log=tmp_path / "api.log",
                ready_url=f"{base}/readyz",
            ),
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            secret = client.post("/api/webhooks", json={"url": hooks.url + "/hook"}, headers=auth)
            secret.raise_for_status()
            subscribed = client.post(
                "/api/me/push-subscriptions",
                json={"endpoint": push.url + "/push/1", "keys": browser.keys()},
                headers=auth,
            )
            assert subscribed.status_code == 201

            # The listener's stream is open before they press "Generate".
            with stream(client, f"/api/events?access_token={key}") as mine:
                created = client.post("/api/podcasts", json={"type": "daily"}, headers=auth)
                assert created.status_code == 202
                podcast_id = created.json()["id"]
                # A second window follows just this episode, and drops after its first stage.
                with stream(client, f"/api/podcasts/{podcast_id}/events", headers=auth) as one:
                    early = read_until(one, ("stage",))
                live = read_until(mine)

            kinds = [s.event for s in live if s.event != "position"]
            assert kinds[0] == "queued"
            assert kinds[-1] == "completed"
            stages = [s.data["stage"] for s in live if s.event == "stage"]
            assert stages[0] == "gathering" and "synthesizing" in stages
            done = live[-1].data
            assert done["podcast_id"] == podcast_id
            assert done["audio_url"] == f"/api/podcasts/{podcast_id}/audio"
            assert done["duration_seconds"] > 30

            # Reconnecting with the last id seen replays exactly what was missed.
            last_seen = early[-1].id
            missed = events_after(database_url, podcast_id, int(last_seen))
            with stream(
                client,
                f"/api/podcasts/{podcast_id}/events",
                headers=auth | {"Last-Event-ID": last_seen},
            ) as resumed:
                replayed = read_until(resumed)
            assert [(int(s.id), s.event) for s in replayed] == missed
            assert missed[-1][1] == "completed"
            # Nothing more to say: a finished stream tells the client to stop reconnecting.
            again = client.get(
                f"/api/podcasts/{podcast_id}/events",
                headers=auth | {"Last-Event-ID": replayed[-1].id},
            )
            assert again.status_code == 204

            check_notifications(hooks, push, mailbox, browser, secret.json()["secret"], podcast_id)
            check_feed(client, auth, podcast_id)


def check_notifications(
    hooks: HttpReceiver,
    push: HttpReceiver,
    mailbox: Mailbox,
    browser: Browser,
    secret: str,
    podcast_id: str,
) -> None:
    hook = hooks.wait_for(1)[0]
    payload = Webhook(secret).verify(hook.body, hook.headers)
    assert payload["type"] == "podcast.completed"
    assert payload["data"]["podcast_id"] == podcast_id
    message = json.loads(browser.decrypt(push.wait_for(1)[0].body))
    assert message["podcast_id"] == podcast_id
    mail = mailbox.wait_for(1)[0]
    assert mail["To"] == "ada@example.org"
    text = mail.get_body(("plain",))
    assert text is not None and f"/{podcast_id}.mp3" in text.get_content()


def check_feed(client: httpx.Client, auth: dict[str, str], podcast_id: str) -> None:
    feed_url = client.get("/api/me", headers=auth).json()["feed_url"]
    parsed = feedparser.parse(client.get(feed_url).content)
    assert not parsed.bozo, parsed.bozo_exception
    (entry,) = parsed.entries
    enclosure = entry.enclosures[0]
    assert f"/{podcast_id}.mp3" in enclosure.href
    audio = client.get(enclosure.href)
    assert audio.status_code == 200
    assert int(enclosure.length) == len(audio.content)
    head = client.head(enclosure.href)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(audio.content)
    part = client.get(enclosure.href, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == audio.content[100:200]
