"""kill -9 a worker in the middle of a stage; restarted under the same executor id it finishes
the podcast without redoing completed stages, and pays for at most one chunk twice."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

from briefcast import events
from briefcast.db import Database
from briefcast.tables import podcasts
from tests.support.server import cli, environment, started

pytestmark = pytest.mark.slow

ONE_CHUNK = 5_000  # the test voice's request size (max_request_chars)
ORDER = ("gathering", "scripting", "synthesizing", "mastering", "publishing", "notifying")


def _events(db: Database, podcast_id: str) -> list[events.Event]:
    with db.read() as conn:
        return events.since(conn, after_id=0, podcast_id=podcast_id)


def _wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("victim", ["scripting", "synthesizing", "mastering"])
def test_killed_worker_resumes_where_it_stopped(tmp_path: Path, victim: str) -> None:
    ledger = tmp_path / "paid.tsv"
    env = environment(
        tmp_path,
        BRIEFCAST_PLUGINS="tests.support.plugin",
        BRIEFCAST_VOICE="ledger-tone",
        BRIEFCAST_WRITER="slow-template",
        BRIEFCAST_TEST_WRITER_DELAY="2" if victim == "scripting" else "0",
        BRIEFCAST_TEST_VOICE_DELAY="0.08" if victim == "synthesizing" else "0",
        BRIEFCAST_TEST_LEDGER=str(ledger),
        BRIEFCAST_EXECUTOR_ID="worker-a",
        BRIEFCAST_WORKER_SLOTS="2",
    )
    cli(env, "demo")
    db = Database(f"sqlite:///{tmp_path / 'briefcast.sqlite3'}")
    queued = cli(env, "generate", "--user", "demo", "--type", "weekly").stdout
    podcast_id = queued.split(":", 1)[0].strip()

    with started(env, "worker", log=tmp_path / "worker-1.log") as first:
        _wait(
            lambda: any(
                e.type == "stage" and e.data["stage"] == victim for e in _events(db, podcast_id)
            ),
            90,
            f"stage {victim}",
        )
        time.sleep(0.3)  # well inside the stage
        children = psutil.Process(first.proc.pid).children(recursive=True)
        first.kill()
    assert all(e.type != "completed" for e in _events(db, podcast_id))
    # Render processes do not outlive their worker.
    psutil.wait_procs(children, timeout=10)
    assert not any(
        child.is_running() and child.status() != psutil.STATUS_ZOMBIE for child in children
    )

    with started(env, "worker", log=tmp_path / "worker-2.log"):
        _wait(
            lambda: any(e.type in ("completed", "failed") for e in _events(db, podcast_id)),
            120,
            "the end",
        )

    with db.read() as conn:
        row = conn.execute(podcasts.select().where(podcasts.c.id == podcast_id)).one()
    assert row.status == "completed", row.error_message
    assert row.duration_seconds > 60

    begins = [
        e.data["stage"]
        for e in _events(db, podcast_id)
        if e.type == "stage" and e.data["progress"] == 0.0
    ]
    killed_at = ORDER.index(victim)
    for stage in ORDER[:killed_at]:
        assert begins.count(stage) == 1, f"{stage} was redone: {begins}"
    assert begins.count(victim) == 2
    for stage in ORDER[killed_at + 1 :]:
        assert begins.count(stage) == 1

    paid = sum(int(line.split("\t", 1)[0]) for line in ledger.read_text().splitlines())
    script_chars = row.characters_synthesized + row.characters_cached
    assert script_chars > 0
    assert paid <= script_chars + ONE_CHUNK
    if victim != "synthesizing":
        assert paid == row.characters_synthesized  # nothing rendered twice
    db.dispose()
