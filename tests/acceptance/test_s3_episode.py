"""A whole episode published to S3: ``briefcast serve`` in its own process, moto's S3 server.

The worker renders with the test tone voice (fast), stores cached audio and
the finished files in the bucket, and the API hands out presigned S3 URLs
that a player downloads without any credential.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import miniaudio
import pytest

from briefcast.providers.s3_storage import make_client
from briefcast.settings import Settings
from tests.support.s3 import moto_server
from tests.support.server import cli, environment, server, wait_final

pytestmark = pytest.mark.slow

BUCKET = "briefcast-episodes"


def test_an_episode_is_published_to_s3_and_its_audio_url_downloads(
    tmp_path: Path, shared_data: Path
) -> None:
    with moto_server() as s3:
        bucket_client = make_client(Settings(**s3.settings(BUCKET)))
        bucket_client.create_bucket(Bucket=BUCKET)
        env = environment(
            tmp_path,
            BRIEFCAST_WORKER_SLOTS="1",
            BRIEFCAST_PLUGINS="tests.support.plugin",
            BRIEFCAST_VOICE="ledger-tone",
            BRIEFCAST_S3_PREFIX="prod",
            **s3.environment(BUCKET),
        )
        cli(env, "migrate")
        cli(env, "bills", "import", str(shared_data / "billstatus" / "current"))
        key = cli(env, "users", "create", "ada", "--state", "VA").stdout.strip().splitlines()[-1]
        with (
            server(env, tmp_path / "server.log") as srv,
            httpx.Client(
                base_url=srv.url or "", headers={"Authorization": f"Bearer {key}"}, timeout=30
            ) as client,
        ):
            ticket = client.post(
                "/api/podcasts", json={"type": "daily", "bills": ["117-hr-4350", "117-s-1260"]}
            ).json()
            done = wait_final(client, ticket["id"])
            assert done["status"] == "completed", done.get("error")

            audio_url = str(done["audio_url"])
            assert audio_url.startswith(f"{s3.endpoint}/{BUCKET}/prod/episodes/")
            audio = httpx.get(audio_url)  # a player: no API key, no S3 credentials
            assert audio.status_code == 200
            assert audio.headers["content-type"] == "audio/mpeg"
            decoded = miniaudio.decode(audio.content, output_format=miniaudio.SampleFormat.FLOAT32)
            seconds = decoded.num_frames / decoded.sample_rate
            assert abs(seconds - float(done["duration_seconds"])) < 0.5
            assert len(audio.content) == done["audio_bytes"]

            part = httpx.get(audio_url, headers={"Range": "bytes=0-99"})
            assert (part.status_code, part.content) == (206, audio.content[:100])
            transcript = httpx.get(str(done["transcript_url"]))
            assert transcript.text.startswith("WEBVTT")

            redirect = client.get(f"/api/podcasts/{ticket['id']}/audio", follow_redirects=False)
            assert redirect.status_code == 307
            assert httpx.get(redirect.headers["location"]).content == audio.content

        # Everything the worker wrote is in the bucket, under the prefix; nothing on disk.
        listed = bucket_client.list_objects_v2(Bucket=BUCKET, Prefix="prod/")
        names = [item["Key"] for item in listed.get("Contents", [])]
        assert any(n.startswith("prod/cache/segments/") for n in names)
        assert sum(n.startswith("prod/episodes/") for n in names) == 3
        assert not (tmp_path / "media").exists()
