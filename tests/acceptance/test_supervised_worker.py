"""With ``BRIEFCAST_SERVE_WORKER=process``, ``briefcast serve`` runs its worker as a
supervised process: a worker that dies is restarted and finishes the episode; a server
that dies takes its worker with it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.server import cli, environment, server

pytestmark = pytest.mark.slow


def _worker_of(server_pid: int, other_than: int | None = None) -> psutil.Process:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for child in psutil.Process(server_pid).children():
            alive = child.status() != psutil.STATUS_ZOMBIE
            if alive and child.pid != other_than and "worker" in child.cmdline():
                return child
        time.sleep(0.1)
    raise AssertionError("serve started no worker process")


def test_a_killed_worker_is_restarted_and_a_killed_server_takes_it_along(tmp_path: Path) -> None:
    env = environment(
        tmp_path,
        BRIEFCAST_PLUGINS="tests.support.plugin",
        BRIEFCAST_VOICE="ledger-tone",
        BRIEFCAST_TEST_VOICE_DELAY="0.1",
        BRIEFCAST_WORKER_SLOTS="1",
        BRIEFCAST_SERVE_WORKER="process",
    )
    key = cli(env, "demo").stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {key}"}
    with (
        server(env, tmp_path / "server.log") as srv,
        httpx.Client(base_url=srv.url or "", headers=headers, timeout=30) as client,
    ):
        first = _worker_of(srv.proc.pid)
        podcast = client.post("/api/podcasts", json={"type": "daily"}).json()
        deadline = time.monotonic() + 60
        while client.get(f"/api/podcasts/{podcast['id']}").json()["stage"] != "synthesizing":
            assert time.monotonic() < deadline, "synthesis never started"
            time.sleep(0.05)
        first.kill()
        second = _worker_of(srv.proc.pid, other_than=first.pid)
        deadline = time.monotonic() + 120
        while (body := client.get(f"/api/podcasts/{podcast['id']}").json())[
            "status"
        ] != "completed":
            assert body["status"] != "failed", body
            assert time.monotonic() < deadline, "the restarted worker never finished the episode"
            time.sleep(0.2)
        srv.kill()
        psutil.wait_procs([second], timeout=10)
        assert not second.is_running() or second.status() == psutil.STATUS_ZOMBIE
