"""The podcasts service on the real durable engine and a real database (SQLite and Postgres).

Stages are fakes that do no audio work, so these tests are about the queue:
ordering, one-at-a-time per listener, cancel, retry, backoff and failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from briefcast import events
from briefcast.errors import (
    Conflict,
    InvalidBillId,
    InvalidInput,
    NotFound,
    ProviderBusy,
    ProviderUnavailable,
    QueueLimitReached,
)
from briefcast.pipeline import StageContext
from briefcast.runtime import Runtime
from briefcast.tables import podcasts
from briefcast.users import User
from tests.support.databases import database
from tests.support.fakes import STAGE_NAMES, StageBook, sample_bills, start_fake_worker, wait_for
from tests.support.runtime import make_runtime


@pytest.fixture(params=["sqlite", "postgres"])
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    with database(request.param, tmp_path) as url:
        rt = make_runtime(tmp_path, url)
        rt.bills.upsert(sample_bills())
        yield rt
        rt.close()


@pytest.fixture
def book() -> StageBook:
    return StageBook()


@pytest.fixture
def worker(runtime: Runtime, book: StageBook) -> Iterator[None]:
    engine = start_fake_worker(runtime, book)
    yield
    engine.stop()


def listener(runtime: Runtime, name: str, premium: bool = False) -> User:
    return runtime.users.create(name, premium=premium)[0]


def status(runtime: Runtime, podcast_id: str) -> str:
    with runtime.db.read() as conn:
        return str(
            conn.execute(sa.select(podcasts.c.status).where(podcasts.c.id == podcast_id)).scalar()
        )


def event_types(runtime: Runtime, podcast_id: str) -> list[str]:
    with runtime.db.read() as conn:
        return [e.type for e in events.since(conn, after_id=0, podcast_id=podcast_id)]


def gate() -> tuple[threading.Event, threading.Event, object]:
    """A behaviour that blocks a stage until released, and says when it got there."""
    arrived, release = threading.Event(), threading.Event()

    def behaviour(ctx: StageContext) -> None:
        arrived.set()
        assert release.wait(30), "gate never opened"

    return arrived, release, behaviour


def test_request_runs_every_stage_once_and_completes(
    runtime: Runtime, book: StageBook, worker: None
) -> None:
    user = listener(runtime, "ada")
    result = runtime.podcasts.enqueue(user, "daily", ["119-hr-100", "119-hr-101"])
    assert result.created and result.podcast.status == "queued"
    assert (
        result.ticket is not None and result.ticket.position == 1 and result.ticket.eta_seconds > 0
    )
    assert result.message.startswith("Queued! Position #1")
    wait_for(lambda: status(runtime, result.podcast.id) == "completed", message="completion")
    assert book.runs(result.podcast.id) == list(STAGE_NAMES)
    types = event_types(runtime, result.podcast.id)
    assert types[0] == "queued" and types[-1] == "completed"
    assert [t for t in types if t == "stage"] == ["stage"] * 6
    # The last stage's own timing is written just after the episode is marked completed.
    wait_for(lambda: "notifying" in runtime.podcasts.get(user.id, result.podcast.id)[0].timings)
    podcast, ticket = runtime.podcasts.get(user.id, result.podcast.id)
    assert ticket is None and podcast.finished_at and podcast.started_at
    assert set(podcast.timings) == {
        "gathering",
        "scripting",
        "synthesizing",
        "mastering",
        "publishing",
        "notifying",
    }


def test_priority_premium_before_free_daily_before_weekly(
    runtime: Runtime, book: StageBook, tmp_path: Path
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"worker_slots": 1})
    blocker_user = listener(runtime, "blocker")
    users = {
        name: listener(runtime, name, premium=name.startswith("p"))
        for name in ("fw", "fd", "pw", "pd")
    }
    engine = start_fake_worker(runtime, book)
    try:
        arrived, release, behaviour = gate()
        blocker = runtime.podcasts.enqueue(blocker_user, "daily", ["119-hr-100"])
        book.on(blocker.podcast.id, "gathering", behaviour)
        assert arrived.wait(20)
        ids = {}
        for name, kind in (("fw", "weekly"), ("fd", "daily"), ("pw", "weekly"), ("pd", "daily")):
            ids[name] = runtime.podcasts.enqueue(users[name], kind, ["119-hr-101"]).podcast.id
        runtime.podcasts.tickets.refresh()
        tickets = runtime.podcasts.tickets.all()
        assert [tickets[ids[n]].position for n in ("pd", "pw", "fd", "fw")] == [1, 2, 3, 4]
        release.set()
        wait_for(
            lambda: all(status(runtime, i) == "completed" for i in ids.values()), message="all done"
        )
        started = [
            pid for pid, stage in book.calls if stage == "gathering" and pid != blocker.podcast.id
        ]
        assert started == [ids["pd"], ids["pw"], ids["fd"], ids["fw"]]
    finally:
        engine.stop()


def test_one_listener_one_episode_at_a_time(
    runtime: Runtime, book: StageBook, worker: None
) -> None:
    user = listener(runtime, "busy")
    arrived, release, behaviour = gate()
    first = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])
    book.on(first.podcast.id, "scripting", behaviour)
    assert arrived.wait(20)
    second = runtime.podcasts.enqueue(user, "weekly", ["119-hr-101"])
    assert second.podcast.held and "after your earlier episode" in second.message
    other = runtime.podcasts.enqueue(listener(runtime, "other"), "daily", ["119-hr-102"])
    wait_for(
        lambda: status(runtime, other.podcast.id) == "completed", message="other listener done"
    )
    assert book.runs(second.podcast.id) == []  # still waiting behind the first
    release.set()
    wait_for(lambda: status(runtime, second.podcast.id) == "completed", message="second done")
    first_done = runtime.podcasts.get(user.id, first.podcast.id)[0].finished_at
    second_start = runtime.podcasts.get(user.id, second.podcast.id)[0].started_at
    assert first_done and second_start and second_start >= first_done


def test_cancel_queued_never_starts(runtime: Runtime, book: StageBook, worker: None) -> None:
    user = listener(runtime, "canceller")
    arrived, release, behaviour = gate()
    first = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])
    book.on(first.podcast.id, "gathering", behaviour)
    assert arrived.wait(20)
    second = runtime.podcasts.enqueue(user, "weekly", ["119-hr-101"])
    cancelled = runtime.podcasts.cancel(user.id, second.podcast.id)
    assert cancelled.status == "cancelled"
    release.set()
    wait_for(lambda: status(runtime, first.podcast.id) == "completed", message="first done")
    assert book.runs(second.podcast.id) == []
    assert event_types(runtime, second.podcast.id) == ["queued", "cancelled"]
    with pytest.raises(Conflict):
        runtime.podcasts.cancel(user.id, second.podcast.id)


def test_cancel_processing_stops_before_next_stage(
    runtime: Runtime, book: StageBook, worker: None
) -> None:
    user = listener(runtime, "stopper")
    arrived, release, behaviour = gate()
    job = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])
    book.on(job.podcast.id, "synthesizing", behaviour)
    assert arrived.wait(20)
    runtime.podcasts.cancel(user.id, job.podcast.id)
    release.set()
    wait_for(
        lambda: runtime.queue.states([job.podcast.id]).get(job.podcast.id) == "CANCELLED",
        message="engine cancel",
    )
    # Whatever happens next, no stage after the one in flight runs.
    time.sleep(0.5)
    assert book.runs(job.podcast.id) == ["gathering", "scripting", "synthesizing"]
    assert status(runtime, job.podcast.id) == "cancelled"


def test_transient_errors_back_off_then_succeed(
    runtime: Runtime, book: StageBook, worker: None
) -> None:
    user = listener(runtime, "patient")
    job = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])

    def busy(ctx: StageContext) -> None:
        raise ProviderBusy("the voice service is busy", retry_after=0.1)

    book.on(job.podcast.id, "synthesizing", busy, busy)
    wait_for(
        lambda: status(runtime, job.podcast.id) == "completed", message="completion after retries"
    )
    assert book.runs(job.podcast.id).count("synthesizing") == 3
    assert book.runs(job.podcast.id).count("scripting") == 1  # completed steps are not redone
    retries = [e for e in event_types(runtime, job.podcast.id) if e == "retry"]
    assert len(retries) == 2
    assert "failed" not in event_types(runtime, job.podcast.id)


def test_retry_object_is_visible_while_waiting(runtime: Runtime, book: StageBook) -> None:
    runtime.settings = runtime.settings.model_copy(update={"retry_delays": (2.0,)})
    engine = start_fake_worker(runtime, book)
    try:
        user = listener(runtime, "watcher")
        job = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])

        def down(ctx: StageContext) -> None:
            raise ProviderUnavailable("the voice service is down")

        book.on(job.podcast.id, "mastering", down)
        wait_for(
            lambda: runtime.podcasts.get(user.id, job.podcast.id)[0].retry is not None,
            message="retry visible",
        )
        podcast, ticket = runtime.podcasts.get(user.id, job.podcast.id)
        assert podcast.status == "processing"
        assert (
            podcast.retry
            and podcast.retry["attempt"] == 1
            and podcast.retry["stage"] == "mastering"
        )
        assert podcast.retry["reason"] == "the voice service is down"
        assert ticket is not None and ticket.position == 0 and ticket.eta_seconds >= 1.0
        wait_for(lambda: status(runtime, job.podcast.id) == "completed", message="completion")
    finally:
        engine.stop()


def test_poison_job_fails_after_its_retries_and_queue_keeps_flowing(
    runtime: Runtime, book: StageBook, worker: None
) -> None:
    user = listener(runtime, "unlucky")
    poison = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])

    def down(ctx: StageContext) -> None:
        raise ProviderUnavailable("the voice service is down")

    book.on(poison.podcast.id, "synthesizing", down, down, down)
    healthy = runtime.podcasts.enqueue(listener(runtime, "lucky"), "daily", ["119-hr-100"])
    wait_for(lambda: status(runtime, poison.podcast.id) == "failed", message="poison fails")
    wait_for(
        lambda: status(runtime, healthy.podcast.id) == "completed", message="healthy completes"
    )
    podcast, _ = runtime.podcasts.get(user.id, poison.podcast.id)
    assert podcast.error_message == "the voice service is down"
    assert podcast.error_code == "provider_unavailable" and podcast.failed_stage == "synthesizing"
    assert book.runs(poison.podcast.id).count("synthesizing") == 3  # first try + two retries
    assert event_types(runtime, poison.podcast.id).count("failed") == 1


def test_permanent_error_fails_at_once_and_retry_resumes_at_that_stage(
    runtime: Runtime, book: StageBook, worker: None
) -> None:
    from briefcast.errors import ProviderRejected

    user = listener(runtime, "retrier")
    job = runtime.podcasts.enqueue(user, "weekly", ["119-hr-100"])

    def rejected(ctx: StageContext) -> None:
        raise ProviderRejected("the voice key was rejected")

    book.on(job.podcast.id, "mastering", rejected)
    wait_for(lambda: status(runtime, job.podcast.id) == "failed", message="failure")
    assert book.runs(job.podcast.id).count("mastering") == 1
    with pytest.raises(Conflict):
        runtime.podcasts.cancel(user.id, job.podcast.id)
    retried = runtime.podcasts.retry(user.id, job.podcast.id)
    assert retried.status == "queued" and retried.attempt == 2
    wait_for(
        lambda: status(runtime, job.podcast.id) == "completed", message="completion after retry"
    )
    runs = book.runs(job.podcast.id)
    assert runs.count("gathering") == 1 and runs.count("synthesizing") == 1
    assert runs.count("mastering") == 2
    with pytest.raises(Conflict):
        runtime.podcasts.retry(user.id, job.podcast.id)


def test_queue_limit_dedup_and_idempotency(runtime: Runtime, book: StageBook) -> None:
    # No worker: everything stays queued.
    user = listener(runtime, "eager")
    first = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])
    again = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])
    assert not again.created and again.podcast.id == first.podcast.id
    assert again.message.startswith("You already asked for this daily brief today")
    keyed = runtime.podcasts.enqueue(user, "daily", ["119-hr-101"], idempotency_key="k-1")
    replay = runtime.podcasts.enqueue(user, "daily", ["119-hr-101"], idempotency_key="k-1")
    assert replay.podcast.id == keyed.podcast.id and not replay.created
    with pytest.raises(InvalidInput, match="different request"):
        runtime.podcasts.enqueue(user, "daily", ["119-hr-102"], idempotency_key="k-1")
    runtime.podcasts.enqueue(user, "weekly", ["119-hr-102"])
    with pytest.raises(QueueLimitReached) as limit:
        runtime.podcasts.enqueue(user, "weekly", ["119-hr-103"])
    assert limit.value.retry_after >= 1
    # Others are not affected by one listener's limit.
    assert runtime.podcasts.enqueue(listener(runtime, "calm"), "daily", ["119-hr-100"]).created
    # A cancelled request frees both the slot and the dedup key.
    runtime.podcasts.cancel(user.id, first.podcast.id)
    fresh = runtime.podcasts.enqueue(user, "daily", ["119-hr-100"])
    assert fresh.created and fresh.podcast.id != first.podcast.id


def test_bad_requests_and_isolation(runtime: Runtime) -> None:
    owner = listener(runtime, "owner")
    stranger = listener(runtime, "stranger")
    with pytest.raises(InvalidBillId):
        runtime.podcasts.enqueue(owner, "daily", ["119-xx-1"])
    with pytest.raises(InvalidInput, match="unknown bill: 119-hr-999"):
        runtime.podcasts.enqueue(owner, "daily", ["119-hr-999"])
    with pytest.raises(InvalidInput):
        runtime.podcasts.enqueue(owner, "monthly", None)
    job = runtime.podcasts.enqueue(owner, "daily", None)
    for action in (runtime.podcasts.get, runtime.podcasts.cancel, runtime.podcasts.retry):
        with pytest.raises(NotFound):
            action(stranger.id, job.podcast.id)
    assert runtime.podcasts.list(stranger.id, "queue") == []
