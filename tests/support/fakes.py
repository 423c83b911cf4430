"""A pipeline whose stages do no real work but behave as told, for engine tests."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from briefcast.bills import Action, Bill, BillId, Sponsor
from briefcast.engine.dbos_adapter import DbosWorker
from briefcast.jobs import JobStore
from briefcast.pipeline import Pipeline, Services, StageContext
from briefcast.runtime import Runtime
from briefcast.testing import InMemoryStorage, ToneVoice

STAGE_NAMES = ("gathering", "scripting", "synthesizing", "mastering", "publishing", "notifying")

Behaviour = Callable[[StageContext], None]


class StageBook:
    """Records every stage run and lets a test decide how each one behaves."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.behaviours: dict[tuple[str, str], list[Behaviour]] = defaultdict(list)
        self.default_seconds = 0.0
        self.lock = threading.Lock()

    def on(self, podcast_id: str, stage: str, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next runs of ``stage`` of ``podcast_id``."""
        self.behaviours[(podcast_id, stage)].extend(behaviours)

    def runs(self, podcast_id: str) -> list[str]:
        with self.lock:
            return [stage for pid, stage in self.calls if pid == podcast_id]

    def stage(self, name: str) -> Callable[[StageContext, Mapping[str, Any]], dict[str, Any]]:
        def run(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
            with self.lock:
                self.calls.append((ctx.job.id, name))
                queued = self.behaviours.get((ctx.job.id, name))
                behaviour = queued.pop(0) if queued else None
            if behaviour is not None:
                behaviour(ctx)
            elif self.default_seconds:
                time.sleep(self.default_seconds)
            if name == "notifying":
                ctx.services.jobs.complete(ctx.job.id, title=f"episode {ctx.job.id[:8]}")
            return {f"{name}_done": True}

        return run


def start_fake_worker(runtime: Runtime, book: StageBook) -> DbosWorker:
    settings = runtime.settings
    jobs = JobStore(runtime.db, runtime.queue, worker=settings.worker_id)
    services = Services(
        settings=settings,
        jobs=jobs,
        users=runtime.users,
        bills=runtime.bills,
        writer=None,  # type: ignore[arg-type]  # the fake stages write no script
        voice=ToneVoice(),
        storage=InMemoryStorage(),
        renderer=None,  # type: ignore[arg-type]  # nor render audio
    )
    pipeline = Pipeline(services, [(name, book.stage(name)) for name in STAGE_NAMES])
    worker = DbosWorker(
        settings.sqlalchemy_url,
        pipeline,
        executor_id=settings.worker_id,
        app_version=settings.app_version,
        slots=settings.worker_slots,
        poll_seconds=settings.queue_poll_seconds,
        engine=runtime.db.engine_for_durable_engine(),
    )
    worker.start()
    return worker


def sample_bills(count: int = 5) -> list[Bill]:
    return [
        Bill(
            id=BillId(119, "hr", 100 + i),
            title=f"Sample Act number {i}",
            sponsor=Sponsor("Rep. Example Person", "D", "VA"),
            summary="This bill would do a sample thing.",
            latest_action=Action(date(2026, 3, 1 + i), "Referred to committee."),
            status="in_committee",
            source="test",
        )
        for i in range(count)
    ]


def wait_for(
    predicate: Callable[[], bool], timeout: float = 20.0, message: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def now() -> datetime:
    return datetime.now(UTC)


def media_root(tmp: Path) -> Path:
    return tmp / "media"
