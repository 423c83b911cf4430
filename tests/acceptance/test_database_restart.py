"""Postgres restarts under load: nothing accepted is lost, and meanwhile the API answers 503."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.pg_instance import private_postgres
from tests.support.server import cli, environment, server

pytestmark = pytest.mark.slow


def test_a_database_restart_loses_nothing_and_never_answers_500(tmp_path: Path) -> None:
    with private_postgres() as postgres:
        env = environment(
            tmp_path / "home",
            BRIEFCAST_DATABASE_URL=postgres.url,
            BRIEFCAST_PLUGINS="tests.support.plugin",
            BRIEFCAST_VOICE="ledger-tone",
            BRIEFCAST_TEST_VOICE_DELAY="0.05",
            BRIEFCAST_WORKER_SLOTS="2",
            BRIEFCAST_RETRY_DELAYS="2,4,8,16",
        )
        cli(env, "demo")
        keys = [
            cli(env, "users", "create", f"l{n}").stdout.strip().splitlines()[-1] for n in range(8)
        ]
        accepted: list[tuple[str, str]] = []
        statuses: list[int] = []
        with (
            server(env, tmp_path / "server.log") as srv,
            httpx.Client(base_url=srv.url or "", timeout=30) as client,
        ):

            def post(key: str) -> None:
                response = client.post(
                    "/api/podcasts",
                    json={"type": "daily"},
                    headers={"Authorization": f"Bearer {key}"},
                )
                statuses.append(response.status_code)
                assert response.status_code != 500, response.text
                assert "Traceback" not in response.text
                if response.status_code == 202:
                    accepted.append((key, response.json()["id"]))
                else:
                    assert response.status_code == 503
                    assert response.json()["error"]["code"] == "unavailable"
                    assert int(response.headers["Retry-After"]) >= 1

            for key in keys[:4]:
                post(key)
            time.sleep(1.0)  # work is under way
            postgres.stop()
            for key in keys[4:]:
                post(key)
            ready = client.get("/readyz")
            assert ready.status_code == 503
            time.sleep(3)
            postgres.start()
            deadline = time.monotonic() + 60
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the API never became ready again"
                time.sleep(0.5)
            for key in keys[4:]:
                if not any(k == key for k, _ in accepted):
                    post(key)  # what was refused is simply asked again
            deadline = time.monotonic() + 180
            pending = dict((pid, key) for key, pid in accepted)
            while pending:
                assert time.monotonic() < deadline, f"not finished: {pending}"
                for pid, key in list(pending.items()):
                    body = client.get(
                        f"/api/podcasts/{pid}", headers={"Authorization": f"Bearer {key}"}
                    ).json()
                    assert body.get("status") != "failed", body
                    if body.get("status") == "completed":
                        del pending[pid]
                time.sleep(0.5)
        assert len(accepted) == 8
        assert 503 in statuses
