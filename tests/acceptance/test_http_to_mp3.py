"""A listener's request, end to end: HTTP POST → real worker → completed → a playable MP3.

Everything is real: ``briefcast serve`` in its own process (API plus embedded
worker with render processes), the default SQLite database, eSpeak, mastering
and local storage, and bills imported from the public BILLSTATUS files.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import miniaudio
import pytest

from tests.support.server import cli, environment, server, wait_final

pytestmark = pytest.mark.slow


def test_post_to_playable_mp3(tmp_path: Path, shared_data: Path) -> None:
    env = environment(tmp_path, BRIEFCAST_WORKER_SLOTS="2")
    cli(env, "migrate")
    imported = cli(env, "bills", "import", str(shared_data / "billstatus" / "current"))
    assert "added" in imported.stdout
    key = cli(env, "users", "create", "ada", "--state", "VA").stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {key}"}
    with (
        server(env, tmp_path / "server.log") as srv,
        httpx.Client(base_url=srv.url or "", headers=headers, timeout=30) as client,
    ):
        started = time.monotonic()
        response = client.post(
            "/api/podcasts",
            json={"type": "daily", "bills": ["117-hr-4350", "117-s-1260", "117-hr-6658"]},
        )
        answered = time.monotonic() - started
        assert response.status_code == 202, response.text
        ticket = response.json()
        assert ticket["position"] == 1
        assert ticket["eta_seconds"] > 0
        assert answered < 2.0  # generous here; the benchmark measures the real figure

        done = wait_final(client, ticket["id"])
        assert done["status"] == "completed", done.get("error")
        assert done["duration_seconds"] > 60
        assert len(done["chapters"]) == 5  # intro, three bills, outro
        assert done["characters"]["synthesized"] > 1000

        audio = client.get(f"/api/podcasts/{ticket['id']}/audio")
        assert audio.status_code == 200
        assert audio.headers["content-type"] == "audio/mpeg"
        decoded = miniaudio.decode(audio.content, output_format=miniaudio.SampleFormat.FLOAT32)
        measured = decoded.num_frames / decoded.sample_rate
        assert measured > 60
        assert abs(measured - float(done["duration_seconds"])) < 0.5

        # Byte ranges, for seeking players.
        part = client.get(f"/api/podcasts/{ticket['id']}/audio", headers={"Range": "bytes=0-99"})
        assert part.status_code == 206
        assert part.content == audio.content[:100]

        # The signed URL in the podcast works without the API key, and only while valid.
        signed = httpx.get(f"{srv.url}{done['audio_url']}")
        assert signed.status_code == 200
        assert signed.content == audio.content
        assert (
            httpx.get(
                f"{srv.url}{str(done['audio_url']).replace('signature=', 'signature=x')}"
            ).status_code
            == 404
        )

        transcript = client.get(f"/api/podcasts/{ticket['id']}/transcript.vtt")
        assert transcript.text.startswith("WEBVTT")
        assert "<v Maya>" in transcript.text
        chapters = client.get(f"/api/podcasts/{ticket['id']}/chapters.json").json()
        assert len(chapters["chapters"]) == 5
