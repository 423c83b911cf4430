"""The API's media links with S3 storage behind it (moto's S3 server on loopback).

JSON carries the object store's own presigned URLs; the API's file routes,
feed media and old /media/ links redirect to them. Every link is fetched
without credentials, as a player or podcast app would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import httpx
import pytest
from fastapi.testclient import TestClient

from briefcast.jobs import JobStore
from briefcast.providers.s3_storage import S3Storage, make_client
from briefcast.rendering import episode_keys
from briefcast.runtime import Runtime
from briefcast.settings import Settings
from briefcast.web import create_app
from tests.support.fakes import sample_bills
from tests.support.runtime import make_runtime
from tests.support.s3 import S3Server, moto_server

BUCKET = "briefcast-api"
AUDIO = b"ID3" + bytes(range(256)) * 50
VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\n<v Maya>Hello.\n"
CHAPTERS = b'{"version":"1.2.0","chapters":[]}'


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with moto_server() as server:
        make_client(Settings(**server.settings(BUCKET))).create_bucket(Bucket=BUCKET)
        yield server


@pytest.fixture
def runtime(tmp_path: Path, s3: S3Server) -> Iterator[Runtime]:
    rt = make_runtime(
        tmp_path,
        f"sqlite:///{tmp_path / 'api.sqlite3'}",
        media_url_seconds=600,
        **s3.settings(BUCKET, s3_prefix=tmp_path.name),
    )
    rt.bills.upsert(sample_bills())
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def published(runtime: Runtime, client: TestClient) -> tuple[dict[str, str], str, str]:
    """A listener with one completed episode whose files are in S3: headers, podcast id, user id."""
    user, key = runtime.users.create("ada")
    headers = {"Authorization": f"Bearer {key}"}
    podcast_id = client.post(
        "/api/podcasts", json={"type": "daily", "bills": ["119-hr-100"]}, headers=headers
    ).json()["id"]
    keys = episode_keys(user.id, podcast_id)
    runtime.storage.put(keys["audio"], AUDIO, "audio/mpeg")
    runtime.storage.put(keys["transcript"], VTT, "text/vtt")
    runtime.storage.put(keys["chapters"], CHAPTERS, "application/json+chapters")
    jobs = JobStore(runtime.db, runtime.queue, worker="test")
    jobs.begin_stage(podcast_id, "gathering")
    jobs.complete(podcast_id, title="Ada's brief", audio_key=keys["audio"], audio_bytes=len(AUDIO))
    return headers, podcast_id, user.id


def test_the_runtime_stores_in_s3(runtime: Runtime) -> None:
    assert isinstance(runtime.storage, S3Storage)


def test_podcast_json_carries_presigned_s3_urls_that_download(
    runtime: Runtime, client: TestClient, s3: S3Server
) -> None:
    headers, podcast_id, _ = published(runtime, client)
    body = client.get(f"/api/podcasts/{podcast_id}", headers=headers).json()
    expected = {"audio_url": AUDIO, "transcript_url": VTT, "chapters_url": CHAPTERS}
    for field, content in expected.items():
        url = body[field]
        assert url.startswith(f"{s3.endpoint}/{BUCKET}/"), url
        assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["600"]
        fetched = httpx.get(url)  # no API key, no S3 credentials
        assert fetched.status_code == 200
        assert fetched.content == content
    part = httpx.get(body["audio_url"], headers={"Range": "bytes=0-2"})
    assert (part.status_code, part.content) == (206, b"ID3")


def test_file_routes_redirect_to_presigned_urls(runtime: Runtime, client: TestClient) -> None:
    headers, podcast_id, _ = published(runtime, client)
    for name, content in (("audio", AUDIO), ("transcript.vtt", VTT), ("chapters.json", CHAPTERS)):
        response = client.get(
            f"/api/podcasts/{podcast_id}/{name}", headers=headers, follow_redirects=False
        )
        assert response.status_code == 307
        assert httpx.get(response.headers["location"]).content == content


def test_feed_lists_the_episode_and_its_media_redirects_to_s3(
    runtime: Runtime, client: TestClient
) -> None:
    headers, podcast_id, _ = published(runtime, client)
    feed_url = client.get("/api/me", headers=headers).json()["feed_url"]
    path = urlsplit(feed_url).path
    parsed = feedparser.parse(client.get(path).content)
    assert not parsed.bozo
    assert parsed.entries[0].id == f"urn:uuid:{podcast_id}"
    enclosure = parsed.entries[0].enclosures[0]
    assert int(enclosure["length"]) == len(AUDIO)  # the size S3 reports
    response = client.get(urlsplit(enclosure["href"]).path, follow_redirects=False)
    assert response.status_code == 307
    assert httpx.get(response.headers["location"]).content == AUDIO
    # A presigned URL is signed for GET only, so HEAD is answered without a redirect.
    head = client.head(urlsplit(enclosure["href"]).path, follow_redirects=False)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(AUDIO))
    assert head.headers["content-type"] == "audio/mpeg"
    assert head.content == b""


def test_signed_media_links_redirect_only_when_valid(runtime: Runtime, client: TestClient) -> None:
    published(runtime, client)
    key = "episodes/loose/file.mp3"
    runtime.storage.put(key, b"ID3 loose", "audio/mpeg")
    good = runtime.media.url(key, 60)
    response = client.get(good, follow_redirects=False)
    assert response.status_code == 307
    assert httpx.get(response.headers["location"]).content == b"ID3 loose"
    bad = client.get(good.replace("signature=", "signature=0"), follow_redirects=False)
    assert bad.status_code == 404
