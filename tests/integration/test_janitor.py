"""The janitor closes every gap between the podcast rows and the engine (real database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from briefcast.db import Database
from briefcast.janitor import Janitor
from briefcast.jobs import JobStore
from briefcast.podcasts import PodcastService
from briefcast.runtime import Runtime
from briefcast.tables import podcasts, workers
from briefcast.testing import InMemoryQueue
from tests.support.fakes import sample_bills
from tests.support.runtime import make_runtime


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def setup(
    tmp_path: Path,
) -> Iterator[tuple[Runtime, InMemoryQueue, PodcastService, Janitor, list[str], Clock]]:
    runtime = make_runtime(tmp_path, f"sqlite:///{tmp_path / 'j.sqlite3'}")
    runtime.bills.upsert(sample_bills())
    queue = InMemoryQueue()
    clock = Clock()
    service = PodcastService(runtime.db, queue, runtime.settings, runtime.tickets, clock=clock)
    jobs = JobStore(runtime.db, queue, worker="me", clock=clock)
    recovered: list[str] = []

    def recover(ids: object) -> int:
        recovered.extend(ids)  # type: ignore[arg-type]
        return len(recovered)

    janitor = Janitor(runtime.db, queue, jobs, me="me", dead_after=30, recover=recover, clock=clock)
    yield runtime, queue, service, janitor, recovered, clock
    runtime.close()


def _later(clock: Clock, seconds: float = 60) -> None:
    clock.now += timedelta(seconds=seconds)


def _status(db: Database, podcast_id: str) -> tuple[str, str | None]:
    with db.read() as conn:
        row = conn.execute(
            sa.select(podcasts.c.status, podcasts.c.error_message).where(
                podcasts.c.id == podcast_id
            )
        ).one()
    return row.status, row.error_message


def test_a_cancel_the_engine_missed_is_repeated(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, queue, service, janitor, _, clock = setup
    user = runtime.users.create("a")[0]
    job = service.enqueue(user, "daily", ["119-hr-100"])
    service.cancel(user.id, job.podcast.id)
    queue.states_by_id[job.podcast.id] = (
        "ENQUEUED"  # as if the process died before telling the engine
    )
    _later(clock)
    assert janitor.sweep().cancelled == [job.podcast.id]
    assert queue.states_by_id[job.podcast.id] == "CANCELLED"


def test_a_release_the_engine_missed_is_repeated(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, queue, service, janitor, _, clock = setup
    user = runtime.users.create("b")[0]
    first = service.enqueue(user, "daily", ["119-hr-100"])
    second = service.enqueue(user, "weekly", ["119-hr-101"])
    assert queue.states_by_id[second.podcast.id] == "DELAYED"
    with runtime.db.write() as conn:  # the first finished, the release was written, then a crash
        conn.execute(
            podcasts.update().where(podcasts.c.id == first.podcast.id).values(status="completed")
        )
        conn.execute(podcasts.update().where(podcasts.c.id == second.podcast.id).values(held=False))
    _later(clock)
    assert second.podcast.id in janitor.sweep().released
    assert queue.states_by_id[second.podcast.id] == "ENQUEUED"


def test_a_listener_left_with_only_held_episodes_gets_the_next_released(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, _queue, service, janitor, _, clock = setup
    user = runtime.users.create("c")[0]
    first = service.enqueue(user, "daily", ["119-hr-100"])
    second = service.enqueue(user, "weekly", ["119-hr-101"])
    with runtime.db.write() as conn:  # finished without releasing anyone (a crash in between)
        conn.execute(
            podcasts.update().where(podcasts.c.id == first.podcast.id).values(status="completed")
        )
    _later(clock)
    assert janitor.sweep().released == [second.podcast.id]
    with runtime.db.read() as conn:
        assert (
            conn.execute(
                sa.select(podcasts.c.held).where(podcasts.c.id == second.podcast.id)
            ).scalar()
            is False
        )


def test_work_the_engine_lost_fails_with_a_reason(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, queue, service, janitor, _, clock = setup
    user = runtime.users.create("d")[0]
    job = service.enqueue(user, "daily", ["119-hr-100"])
    with runtime.db.write() as conn:
        conn.execute(
            podcasts.update()
            .where(podcasts.c.id == job.podcast.id)
            .values(status="processing", stage="mastering")
        )
    queue.states_by_id[job.podcast.id] = "MAX_RECOVERY_ATTEMPTS_EXCEEDED"
    _later(clock)
    assert janitor.sweep().failed == [job.podcast.id]
    status, reason = _status(runtime.db, job.podcast.id)
    assert status == "failed"
    assert reason == "the episode stopped the renderer several times in a row"


def test_recent_changes_are_left_alone(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, queue, service, janitor, _, _clock = setup
    user = runtime.users.create("e")[0]
    job = service.enqueue(user, "daily", ["119-hr-100"])
    service.cancel(user.id, job.podcast.id)
    queue.states_by_id[job.podcast.id] = "ENQUEUED"
    assert janitor.sweep().cancelled == []  # within the grace period the API may still be acting


def test_dead_workers_are_recovered_once(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, _, _, janitor, recovered, clock = setup
    with runtime.db.write() as conn:
        for name, age in (("gone", 120), ("alive", 5), ("me", 500)):
            beat = clock.now - timedelta(seconds=age)
            conn.execute(
                workers.insert().values(
                    executor_id=name,
                    hostname="h",
                    pid=1,
                    slots=1,
                    version="v",
                    started_at=beat,
                    heartbeat_at=beat,
                )
            )
    assert janitor.sweep().recovered_workers == ["gone"]
    assert recovered == ["gone"]
    assert janitor.sweep().recovered_workers == []  # marked stopped: not recovered again


def test_later_passes_look_only_at_what_changed_and_a_full_pass_catches_the_rest(setup) -> None:  # type: ignore[no-untyped-def]
    runtime, queue, service, janitor, _, clock = setup
    user = runtime.users.create("f")[0]
    job = service.enqueue(user, "daily", ["119-hr-100"])
    _later(clock)
    assert janitor.sweep().cancelled == []  # the first pass is a full one; nothing wrong yet
    # Something goes wrong without the row changing (the engine loses it): only a full pass sees it.
    with runtime.db.write() as conn:
        conn.execute(
            podcasts.update().where(podcasts.c.id == job.podcast.id).values(status="processing")
        )
    queue.states_by_id.pop(job.podcast.id)
    _later(clock)
    assert janitor.sweep().failed == []
    _later(clock, 301)
    assert janitor.sweep().failed == [job.podcast.id]
    # A change after the last pass is looked at on the next one.
    other = service.enqueue(runtime.users.create("g")[0], "daily", ["119-hr-101"])
    service.cancel(other.podcast.user_id, other.podcast.id)
    queue.states_by_id[other.podcast.id] = "ENQUEUED"
    _later(clock)
    assert janitor.sweep().cancelled == [other.podcast.id]
