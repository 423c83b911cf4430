"""Many workers on one Postgres database: work is shared, nothing runs twice, and the
work of a worker that dies is taken over by the others."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from briefcast import events
from briefcast.bill_import import load_demo_bills
from briefcast.db import Database
from briefcast.tables import podcasts
from tests.support.databases import fresh_postgres
from tests.support.server import cli, environment, started

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres() as url:
        yield url


def _statuses(db: Database) -> Counter[str]:
    with db.read() as conn:
        return Counter(conn.execute(sa.select(podcasts.c.status)).scalars())


def _wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _env(tmp_path: Path, url: str, executor: str, **extra: str) -> dict[str, str]:
    return environment(
        tmp_path,
        BRIEFCAST_DATABASE_URL=url,
        BRIEFCAST_PLUGINS="tests.support.plugin",
        BRIEFCAST_VOICE="ledger-tone",
        BRIEFCAST_EXECUTOR_ID=executor,
        BRIEFCAST_WORKER_SLOTS="1",
        BRIEFCAST_JANITOR_SECONDS="0.5",
        BRIEFCAST_WORKER_DEAD_AFTER_SECONDS="4",
        **extra,
    )


def test_two_workers_share_the_queue_and_run_each_job_once(
    tmp_path: Path, postgres_url: str
) -> None:
    env_a = _env(tmp_path, postgres_url, "worker-a")
    env_b = _env(tmp_path, postgres_url, "worker-b")
    cli(env_a, "demo")
    bills = [str(b.id) for b in load_demo_bills()]
    for n in range(6):
        cli(env_a, "users", "create", f"listener-{n}")
    db = Database(_sqlalchemy(postgres_url))
    with (
        started(env_a, "worker", log=tmp_path / "a.log"),
        started(env_b, "worker", log=tmp_path / "b.log"),
    ):
        for n in range(6):
            cli(
                env_a,
                "generate",
                "--user",
                f"listener-{n}",
                "--type",
                "daily",
                "--bill",
                bills[n],
                "--bill",
                bills[n + 6],
            )
        _wait(lambda: _statuses(db)["completed"] == 6, 180, "six completed episodes")
    with db.read() as conn:
        by_worker = Counter(conn.execute(sa.select(podcasts.c.worker)).scalars())
        all_events = events.since(conn, after_id=0, limit=10_000)
    assert set(by_worker) == {"worker-a", "worker-b"}, by_worker
    # Every stage of every episode began exactly once: nothing was run twice.
    begins = Counter(
        (e.podcast_id, e.data["stage"])
        for e in all_events
        if e.type == "stage" and e.data["progress"] == 0.0
    )
    assert set(begins.values()) == {1}, sorted((k, v) for k, v in begins.items() if v > 1)
    assert len(begins) == 6 * 6
    db.dispose()


def test_a_dead_workers_job_is_taken_over(tmp_path: Path, postgres_url: str) -> None:
    slow = {"BRIEFCAST_TEST_VOICE_DELAY": "0.1"}
    env_a = _env(tmp_path, postgres_url, "worker-a", **slow)
    env_b = _env(tmp_path, postgres_url, "worker-b", **slow)
    cli(env_a, "demo")
    db = Database(_sqlalchemy(postgres_url))
    podcast_id = (
        cli(env_a, "generate", "--user", "demo", "--type", "daily").stdout.split(":", 1)[0].strip()
    )
    with started(env_a, "worker", log=tmp_path / "a.log") as worker_a:
        _wait(
            lambda: _stage_of(db, podcast_id) == "synthesizing",
            60,
            "synthesis to start on worker a",
        )
        worker_a.kill()
    with started(env_b, "worker", log=tmp_path / "b.log"):
        _wait(lambda: _status_of(db, podcast_id) == "completed", 120, "worker b to finish the job")
    with db.read() as conn:
        row = conn.execute(podcasts.select().where(podcasts.c.id == podcast_id)).one()
    assert row.worker == "worker-b"
    db.dispose()


def _sqlalchemy(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _stage_of(db: Database, podcast_id: str) -> str | None:
    with db.read() as conn:
        return conn.execute(sa.select(podcasts.c.stage).where(podcasts.c.id == podcast_id)).scalar()


def _status_of(db: Database, podcast_id: str) -> str | None:
    with db.read() as conn:
        return conn.execute(
            sa.select(podcasts.c.status).where(podcasts.c.id == podcast_id)
        ).scalar()
