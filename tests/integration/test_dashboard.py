"""The operator dashboard's snapshot on a real database, its admin API, and the pages' routes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from briefcast.dashboard import Dashboard, StageSpeed
from briefcast.errors import ProviderRejected
from briefcast.jobs import JobStore
from briefcast.runtime import Runtime
from briefcast.tables import workers
from briefcast.web import create_app
from tests.support.fakes import sample_bills
from tests.support.runtime import make_runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path, f"sqlite:///{tmp_path / 'dashboard.sqlite3'}")
    rt.bills.upsert(sample_bills())
    yield rt
    rt.close()


def request(runtime: Runtime, name: str, episode_type: str = "daily") -> str:
    try:
        user = runtime.users.by_name(name)
    except Exception:
        user, _ = runtime.users.create(name)
    return runtime.podcasts.enqueue(user, episode_type, ["119-hr-100"]).podcast.id


def complete(
    jobs: JobStore, podcast_id: str, timings: dict[str, float], paid: int, cached: int
) -> None:
    for stage, seconds in timings.items():
        jobs.begin_stage(podcast_id, stage)
        jobs.end_stage(podcast_id, stage, seconds)
    jobs.complete(podcast_id, characters_synthesized=paid, characters_cached=cached)


def add_worker(runtime: Runtime, executor_id: str, beat: datetime, stopped: bool = False) -> None:
    with runtime.db.write() as conn:
        conn.execute(
            workers.insert().values(
                executor_id=executor_id,
                hostname="host",
                pid=42,
                slots=2,
                version="0.1.0",
                started_at=beat - timedelta(hours=1),
                heartbeat_at=beat,
                stopped_at=beat if stopped else None,
            )
        )


@pytest.fixture
def busy(runtime: Runtime) -> dict[str, str]:
    """Two finished episodes, one running, one failed, two waiting (one held), three workers."""
    jobs = JobStore(runtime.db, runtime.queue, worker="w-1")
    ids = {name: request(runtime, name) for name in ("ada", "bob", "cat", "dan", "eve")}
    ids["eve-weekly"] = request(runtime, "eve", "weekly")
    complete(jobs, ids["ada"], {"gathering": 0.5, "scripting": 1.5}, paid=1000, cached=3000)
    complete(jobs, ids["bob"], {"gathering": 1.5, "scripting": 2.5}, paid=500, cached=0)
    jobs.begin_stage(ids["cat"], "synthesizing")
    jobs.report_progress(ids["cat"], "synthesizing", 0.4)
    jobs.begin_stage(ids["dan"], "gathering")
    jobs.fail(ids["dan"], "gathering", ProviderRejected("the voice key was refused"))
    now = datetime.now(UTC)
    add_worker(runtime, "w-1", now)
    add_worker(runtime, "w-2", now - timedelta(minutes=10))
    add_worker(runtime, "w-3", now - timedelta(minutes=1), stopped=True)
    return ids


def test_snapshot_of_a_busy_service(runtime: Runtime, busy: dict[str, str]) -> None:
    snap = Dashboard(runtime.db, runtime.settings).snapshot()

    assert (snap.queue.waiting, snap.queue.held) == (2, 1)
    assert snap.queue.oldest_podcast_id == busy["eve"]
    assert (
        snap.queue.oldest_waiting_seconds is not None
        and 0 <= snap.queue.oldest_waiting_seconds < 60
    )

    [running] = snap.running
    assert (running.podcast_id, running.user, running.stage, running.worker) == (
        busy["cat"],
        "cat",
        "synthesizing",
        "w-1",
    )
    assert running.progress == pytest.approx(0.4)

    [failure] = snap.failures
    assert (failure.podcast_id, failure.user, failure.stage, failure.code, failure.message) == (
        busy["dan"],
        "dan",
        "gathering",
        "provider_rejected",
        "the voice key was refused",
    )

    # gathering: 0.5 and 1.5 → median 1.0, p95 0.5 + 0.95 × 1.0; scripting: 1.5 and 2.5.
    assert snap.stages == (
        StageSpeed("gathering", 1.0, 1.45, 2),
        StageSpeed("scripting", 2.0, 2.45, 2),
    )
    assert (snap.throughput.completed, snap.throughput.failed, snap.throughput.cancelled) == (
        2,
        1,
        0,
    )
    assert sum(snap.throughput.completed_by_bin) == 2
    assert (snap.tts_all_time.synthesized, snap.tts_all_time.cached) == (1500, 3000)
    assert snap.tts_last_day == snap.tts_all_time

    states = {w.executor_id: (w.state, w.busy) for w in snap.workers}
    assert states == {"w-1": ("alive", 1), "w-2": ("silent", 0), "w-3": ("stopped", 0)}


def test_admin_api_is_for_operators_only(runtime: Runtime, busy: dict[str, str]) -> None:
    _, admin = runtime.users.create("olga", admin=True)
    _, listener = runtime.users.create("pat")
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        as_admin = {"Authorization": f"Bearer {admin}"}
        as_listener = {"Authorization": f"Bearer {listener}"}

        body = client.get("/api/admin/dashboard", headers=as_admin).json()
        assert body["queue"]["waiting"] == 2
        assert [job["podcast_id"] for job in body["running"]] == [busy["cat"]]
        assert body["tts_all_time"] == {"synthesized": 1500, "cached": 3000, "cache_share": 0.6667}
        assert body["throughput"]["per_minute"] == pytest.approx(2 / 60, abs=1e-3)

        refused = client.get("/api/admin/dashboard", headers=as_listener)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
        assert client.get("/api/admin/dashboard").status_code == 401
        retry = f"/api/admin/podcasts/{busy['dan']}/retry"
        assert client.post(retry, headers=as_listener).status_code == 403

        # Only a failed episode can be retried; an unknown one does not exist.
        waiting = client.post(f"/api/admin/podcasts/{busy['eve']}/retry", headers=as_admin)
        assert waiting.status_code == 409
        assert client.post("/api/admin/podcasts/nope/retry", headers=as_admin).status_code == 404


def test_pages_and_their_files(runtime: Runtime) -> None:
    with TestClient(create_app(runtime)) as client:
        for path in ("/", "/admin"):
            page = client.get(path)
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert page.headers["x-content-type-options"] == "nosniff"
        worker = client.get("/sw.js")
        assert worker.headers["content-type"].startswith("text/javascript")
        assert worker.headers["service-worker-allowed"] == "/"
        assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
        assert client.get("/static/styles.css").headers["content-type"].startswith("text/css")
        for missing in ("/static/nope.js", "/static/index.html", "/static/..%2Fapp.py"):
            assert client.get(missing).status_code == 404, missing
        assert "/" not in client.get("/openapi.json").json()["paths"]
