"""S3 storage against a real S3 API (moto's server on loopback), and against one that fails."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from briefcast import providers
from briefcast.errors import (
    ConfigurationError,
    InvalidInput,
    NotFound,
    StorageUnavailable,
)
from briefcast.providers.s3_storage import MAX_PRESIGN_SECONDS, S3Storage, make_client
from briefcast.settings import Settings
from briefcast.storage import Storage
from tests.support.s3 import ACCESS_KEY_ID, SECRET_ACCESS_KEY, S3Server, moto_server
from tests.support.server import free_port
from tests.support.stub_http import Reply, Request, stub_server

BUCKET = "briefcast-media"


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with moto_server() as server:
        yield server


@pytest.fixture
def bucket(s3: S3Server, request: pytest.FixtureRequest) -> str:
    """A fresh bucket per test (bucket names are 3-63 lower-case characters)."""
    name = f"t{abs(hash(request.node.name)) % 10**12}-{time.monotonic_ns() % 10**6}"
    make_client(Settings(**s3.settings(name))).create_bucket(Bucket=name)
    return name


def storage_for(s3: S3Server, bucket: str, **extra: Any) -> S3Storage:
    store = providers.create("storage", "s3", Settings(**s3.settings(bucket, **extra)))
    assert isinstance(store, S3Storage)
    return store


def raw_client(s3: S3Server, bucket: str) -> Any:
    return make_client(Settings(**s3.settings(bucket)))


def test_is_a_storage_chosen_by_name(s3: S3Server, bucket: str) -> None:
    store = storage_for(s3, bucket)
    assert isinstance(store, Storage)
    assert store.name == "s3"
    assert "s3" in providers.names("storage")


def test_put_get_stat_round_trip_under_the_prefix(s3: S3Server, bucket: str) -> None:
    store = storage_for(s3, bucket, s3_prefix="/shows/briefcast/")
    data = bytes(range(256)) * 40
    info = store.put("episodes/u1/p1/episode.mp3", data, "audio/mpeg")
    assert (info.key, info.size, info.content_type) == (
        "episodes/u1/p1/episode.mp3",
        10240,
        "audio/mpeg",
    )
    assert store.get("episodes/u1/p1/episode.mp3") == data
    stat = store.stat("episodes/u1/p1/episode.mp3")
    assert stat is not None
    assert (stat.size, stat.content_type) == (10240, "audio/mpeg")
    # Stored where the prefix says, as seen by a plain client.
    head = raw_client(s3, bucket).head_object(
        Bucket=bucket, Key="shows/briefcast/episodes/u1/p1/episode.mp3"
    )
    assert head["ContentLength"] == 10240
    assert head["ContentType"] == "audio/mpeg"


def test_put_replaces_the_whole_object(s3: S3Server, bucket: str) -> None:
    store = storage_for(s3, bucket)
    store.put("cache/segments/ab/x.pcm", b"first version, longer", "application/octet-stream")
    store.put("cache/segments/ab/x.pcm", b"second", "application/octet-stream")
    assert store.get("cache/segments/ab/x.pcm") == b"second"
    stat = store.stat("cache/segments/ab/x.pcm")
    assert stat is not None and stat.size == 6


def test_absent_objects(s3: S3Server, bucket: str) -> None:
    store = storage_for(s3, bucket)
    assert store.stat("episodes/none/episode.mp3") is None
    with pytest.raises(NotFound, match=r"episodes/none/episode\.mp3"):
        store.get("episodes/none/episode.mp3")


@pytest.mark.parametrize("key", ["", "/abs/key", "a/../b", "a//b", "./a"])
def test_keys_cannot_escape(s3: S3Server, bucket: str, key: str) -> None:
    store = storage_for(s3, bucket)
    with pytest.raises(InvalidInput):
        store.put(key, b"x", "text/plain")


def test_presigned_url_downloads_whole_and_by_range_without_credentials(
    s3: S3Server, bucket: str
) -> None:
    store = storage_for(s3, bucket)
    data = b"ID3" + bytes(range(200))
    store.put("episodes/u/p/episode.mp3", data, "audio/mpeg")
    url = store.signed_url("episodes/u/p/episode.mp3", 900)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["900"]
    assert query["X-Amz-Credential"][0].startswith(ACCESS_KEY_ID + "/")
    assert "X-Amz-Signature" in query
    whole = httpx.get(url)
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["content-type"] == "audio/mpeg"
    part = httpx.get(url, headers={"Range": "bytes=3-12"})
    assert part.status_code == 206
    assert part.content == bytes(range(10))


def test_presigned_lifetime_is_capped_at_seven_days(s3: S3Server, bucket: str) -> None:
    url = storage_for(s3, bucket).signed_url("a.mp3", 30 * 86400)
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == [str(MAX_PRESIGN_SECONDS)]
    assert MAX_PRESIGN_SECONDS == 604800


def test_cdn_links_keep_the_signature_and_drop_the_bucket_path(s3: S3Server, bucket: str) -> None:
    store = storage_for(s3, bucket, s3_prefix="media", s3_cdn_url="https://cdn.example.org/")
    url = store.signed_url("episodes/u/p/episode.mp3", 600)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "cdn.example.org",
        "/media/episodes/u/p/episode.mp3",
    )
    assert parse_qs(parts.query)["X-Amz-Expires"] == ["600"]


def test_public_cdn_links_are_plain(s3: S3Server, bucket: str) -> None:
    store = storage_for(s3, bucket, s3_cdn_url="https://cdn.example.org", s3_cdn_signed=False)
    assert store.signed_url("episodes/u/p/a b.mp3", 600) == (
        "https://cdn.example.org/episodes/u/p/a%20b.mp3"
    )


def test_a_missing_bucket_is_a_configuration_error(s3: S3Server) -> None:
    store = storage_for(s3, "no-such-bucket-here")
    with pytest.raises(ConfigurationError, match="BRIEFCAST_S3_BUCKET"):
        store.put("a.txt", b"x", "text/plain")


def test_wrong_credentials_are_a_configuration_error_without_the_secret(
    s3: S3Server, bucket: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = storage_for(s3, bucket)
    caplog.set_level(logging.DEBUG)
    s3.require_auth(True)
    try:
        with pytest.raises(ConfigurationError) as caught:
            store.get("anything")
    finally:
        s3.require_auth(False)
    assert "InvalidAccessKeyId" in caught.value.message
    assert SECRET_ACCESS_KEY not in caught.value.message
    assert all(SECRET_ACCESS_KEY not in r.getMessage() for r in caplog.records)
    assert any(r.name.startswith("botocore") for r in caplog.records)  # debug logs were captured


def test_no_secret_in_any_log_line_during_normal_use(
    s3: S3Server, bucket: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = storage_for(s3, bucket)
    store.put("k.txt", b"x", "text/plain")
    store.get("k.txt")
    store.stat("k.txt")
    store.signed_url("k.txt", 60)
    assert len(caplog.records) > 10
    for record in caplog.records:
        assert SECRET_ACCESS_KEY not in record.getMessage()


def test_an_unreachable_endpoint_is_retryable() -> None:
    settings = Settings(
        **S3Server(f"http://127.0.0.1:{free_port()}").settings(BUCKET, s3_timeout_seconds=2)
    )
    store = S3Storage.from_settings(settings)
    with pytest.raises(StorageUnavailable, match="unreachable during get"):
        store.get("a.txt")


def _slow_down(request: Request) -> Reply:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
        b"<Message>Please reduce your request rate.</Message></Error>"
    )
    return Reply(503, body, {"Content-Type": "application/xml"})


def test_throttling_is_retryable_and_the_breaker_stops_calling() -> None:
    with stub_server(_slow_down) as failing:
        settings = Settings(
            **S3Server(failing.url).settings(
                BUCKET, breaker_failures=2, breaker_cooldown_seconds=300, s3_max_attempts=2
            )
        )
        store = S3Storage.from_settings(settings)
        for _ in range(2):
            with pytest.raises(StorageUnavailable, match="SlowDown"):
                store.put("a.txt", b"x", "text/plain")
        sent = len(failing.requests)
        assert sent == 4  # two calls, each tried twice by boto
        with pytest.raises(StorageUnavailable) as caught:
            store.put("a.txt", b"x", "text/plain")
        assert len(failing.requests) == sent  # the open circuit never reached the server
        assert caught.value.retry_after is not None and 290 < caught.value.retry_after <= 300


def test_settings_refuse_s3_without_a_bucket_or_with_half_a_key_pair() -> None:
    from briefcast.settings import load_settings

    with pytest.raises(ConfigurationError, match="BRIEFCAST_S3_BUCKET is required"):
        load_settings(storage="s3")
    with pytest.raises(ConfigurationError, match="BRIEFCAST_S3_SECRET_ACCESS_KEY is required"):
        load_settings(storage="s3", s3_bucket="b", s3_access_key_id="AKIA")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(storage="s3", s3_bucket="b", s3_secret_access_key=SECRET_ACCESS_KEY)
    assert "BRIEFCAST_S3_ACCESS_KEY_ID is required" in caught.value.message
    assert SECRET_ACCESS_KEY not in caught.value.message
