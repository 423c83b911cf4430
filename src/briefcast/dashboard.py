"""What an operator sees of the service: the queue, work in production, failures, speed, cost.

:class:`Dashboard` reads one consistent snapshot from the app's tables — the
podcasts (queue, stages, timings, characters), the listeners' names and the
workers' heartbeats — and returns plain values (:class:`Snapshot`). It never
writes; it asks nothing of the engine, so it answers even while every worker
is down (which is when an operator most needs it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from briefcast.db import Database
from briefcast.settings import Settings
from briefcast.tables import podcasts, users, workers

__all__ = [
    "STAGE_ORDER",
    "Dashboard",
    "Failure",
    "QueueDepth",
    "RunningJob",
    "Snapshot",
    "StageSpeed",
    "Throughput",
    "TtsUsage",
    "WorkerStatus",
    "percentile",
]

STAGE_ORDER = ("gathering", "scripting", "synthesizing", "mastering", "publishing", "notifying")
# Enough episodes for stable percentiles, few enough to read in a moment.
_TIMING_SAMPLE = 200
_FAILURES_SHOWN = 20
_THROUGHPUT_WINDOW = timedelta(hours=1)
_THROUGHPUT_BINS = 6


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation between closest ranks.

    The same definition as a spreadsheet's PERCENTILE.INC; ``values`` must not be empty.
    """
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class QueueDepth:
    """Episodes waiting to start; ``held`` ones wait for their listener's earlier episode."""

    waiting: int
    held: int
    oldest_podcast_id: str | None
    oldest_waiting_seconds: float | None


@dataclass(frozen=True)
class RunningJob:
    podcast_id: str
    user: str
    type: str
    stage: str | None
    progress: float
    worker: str | None
    started_at: datetime | None
    running_seconds: float | None
    attempt: int
    retry_reason: str | None


@dataclass(frozen=True)
class Failure:
    podcast_id: str
    user: str
    type: str
    stage: str | None
    code: str | None
    message: str | None
    finished_at: datetime | None
    attempt: int


@dataclass(frozen=True)
class StageSpeed:
    """How long one stage took over recent completed episodes, in seconds."""

    stage: str
    p50: float
    p95: float
    samples: int


@dataclass(frozen=True)
class Throughput:
    """Episodes finished in the last hour; ``completed_by_bin`` oldest bin first."""

    window_seconds: float
    completed: int
    failed: int
    cancelled: int
    completed_by_bin: tuple[int, ...]

    @property
    def per_minute(self) -> float:
        return self.completed / (self.window_seconds / 60)


@dataclass(frozen=True)
class WorkerStatus:
    executor_id: str
    hostname: str
    pid: int
    slots: int
    version: str
    started_at: datetime
    heartbeat_at: datetime
    heartbeat_age_seconds: float
    state: str  # alive | silent | stopped
    busy: int


@dataclass(frozen=True)
class TtsUsage:
    """Characters a voice was paid to read versus characters served from the segment cache."""

    synthesized: int
    cached: int

    @property
    def cache_share(self) -> float | None:
        total = self.synthesized + self.cached
        return self.cached / total if total else None


@dataclass(frozen=True)
class Snapshot:
    at: datetime
    queue: QueueDepth
    running: tuple[RunningJob, ...]
    failures: tuple[Failure, ...]
    stages: tuple[StageSpeed, ...]
    throughput: Throughput
    workers: tuple[WorkerStatus, ...]
    tts_last_day: TtsUsage
    tts_all_time: TtsUsage

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601 strings, derived figures included."""
        data: dict[str, Any] = _jsonable(asdict(self))
        data["throughput"]["per_minute"] = round(self.throughput.per_minute, 3)
        for name, usage in (
            ("tts_last_day", self.tts_last_day),
            ("tts_all_time", self.tts_all_time),
        ):
            share = usage.cache_share
            data[name]["cache_share"] = None if share is None else round(share, 4)
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class Dashboard:
    """Reads :class:`Snapshot` values for the operator dashboard. Thread-safe."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._dead_after = settings.worker_dead_after_seconds
        self._clock = clock

    def snapshot(self) -> Snapshot:
        now = self._clock()
        with self._db.read() as conn:
            running = self._running(conn, now)
            return Snapshot(
                at=now,
                queue=self._queue(conn, now),
                running=running,
                failures=self._failures(conn),
                stages=stage_speeds(self._recent_timings(conn)),
                throughput=self._throughput(conn, now),
                workers=self._workers(conn, now, running),
                tts_last_day=self._tts(conn, now - timedelta(days=1)),
                tts_all_time=self._tts(conn, None),
            )

    def _queue(self, conn: sa.Connection, now: datetime) -> QueueDepth:
        waiting = podcasts.c.status == "queued"
        counts = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((podcasts.c.held, 1), else_=0)), 0),
            ).where(waiting)
        ).one()
        oldest = conn.execute(
            sa.select(podcasts.c.id, podcasts.c.created_at)
            .where(waiting)
            .order_by(podcasts.c.created_at, podcasts.c.id)
            .limit(1)
        ).first()
        return QueueDepth(
            waiting=int(counts[0]),
            held=int(counts[1]),
            oldest_podcast_id=oldest.id if oldest else None,
            oldest_waiting_seconds=_age(now, oldest.created_at) if oldest else None,
        )

    def _running(self, conn: sa.Connection, now: datetime) -> tuple[RunningJob, ...]:
        rows = conn.execute(
            sa.select(podcasts, users.c.name.label("user_name"))
            .join(users, users.c.id == podcasts.c.user_id)
            .where(podcasts.c.status == "processing")
            .order_by(podcasts.c.started_at, podcasts.c.id)
        )
        return tuple(
            RunningJob(
                podcast_id=r.id,
                user=r.user_name,
                type=r.type,
                stage=r.stage,
                progress=float(r.progress or 0.0),
                worker=r.worker,
                started_at=r.started_at,
                running_seconds=_age(now, r.started_at) if r.started_at else None,
                attempt=r.attempt or 1,
                retry_reason=(r.retry or {}).get("reason"),
            )
            for r in rows
        )

    def _failures(self, conn: sa.Connection) -> tuple[Failure, ...]:
        rows = conn.execute(
            sa.select(podcasts, users.c.name.label("user_name"))
            .join(users, users.c.id == podcasts.c.user_id)
            .where(podcasts.c.status == "failed")
            .order_by(podcasts.c.finished_at.desc(), podcasts.c.id.desc())
            .limit(_FAILURES_SHOWN)
        )
        return tuple(
            Failure(
                podcast_id=r.id,
                user=r.user_name,
                type=r.type,
                stage=r.failed_stage,
                code=r.error_code,
                message=r.error_message,
                finished_at=r.finished_at,
                attempt=r.attempt or 1,
            )
            for r in rows
        )

    def _recent_timings(self, conn: sa.Connection) -> list[dict[str, float]]:
        rows = conn.execute(
            sa.select(podcasts.c.timings)
            .where(podcasts.c.status == "completed")
            .order_by(podcasts.c.finished_at.desc())
            .limit(_TIMING_SAMPLE)
        )
        return [dict(r.timings or {}) for r in rows]

    def _throughput(self, conn: sa.Connection, now: datetime) -> Throughput:
        since = now - _THROUGHPUT_WINDOW
        rows = conn.execute(
            sa.select(podcasts.c.status, podcasts.c.finished_at).where(
                podcasts.c.finished_at >= since,
                podcasts.c.status.in_(("completed", "failed", "cancelled")),
            )
        ).all()
        return throughput(
            [(r.status, r.finished_at) for r in rows], now, _THROUGHPUT_WINDOW, _THROUGHPUT_BINS
        )

    def _workers(
        self, conn: sa.Connection, now: datetime, running: Sequence[RunningJob]
    ) -> tuple[WorkerStatus, ...]:
        rows = conn.execute(workers.select().order_by(workers.c.executor_id))
        result = []
        for r in rows:
            age = _age(now, r.heartbeat_at)
            state = "stopped" if r.stopped_at else "alive" if age <= self._dead_after else "silent"
            busy = sum(1 for job in running if job.worker == r.executor_id)
            result.append(
                WorkerStatus(
                    r.executor_id,
                    r.hostname,
                    r.pid,
                    r.slots,
                    r.version,
                    r.started_at,
                    r.heartbeat_at,
                    age,
                    state,
                    busy,
                )
            )
        return tuple(result)

    def _tts(self, conn: sa.Connection, since: datetime | None) -> TtsUsage:
        query = sa.select(
            sa.func.coalesce(sa.func.sum(podcasts.c.characters_synthesized), 0),
            sa.func.coalesce(sa.func.sum(podcasts.c.characters_cached), 0),
        )
        if since is not None:
            query = query.where(podcasts.c.updated_at >= since)
        synthesized, cached = conn.execute(query).one()
        return TtsUsage(int(synthesized), int(cached))


def stage_speeds(timings: Sequence[dict[str, float]]) -> tuple[StageSpeed, ...]:
    """p50 and p95 per stage over the given episodes' timings, in pipeline order.

    Stages no episode timed are left out; unknown stage names follow the known ones.
    """
    by_stage: dict[str, list[float]] = {}
    for episode in timings:
        for stage, seconds in episode.items():
            by_stage.setdefault(stage, []).append(float(seconds))
    known = [s for s in STAGE_ORDER if s in by_stage]
    order = known + sorted(set(by_stage) - set(STAGE_ORDER))
    return tuple(
        StageSpeed(
            s,
            round(percentile(by_stage[s], 50), 3),
            round(percentile(by_stage[s], 95), 3),
            len(by_stage[s]),
        )
        for s in order
    )


def throughput(
    finished: Sequence[tuple[str, datetime]], now: datetime, window: timedelta, bins: int
) -> Throughput:
    """Count outcomes finished within ``window`` before ``now``; completions also per bin."""
    start = now - window
    width = window / bins
    counts = {"completed": 0, "failed": 0, "cancelled": 0}
    per_bin = [0] * bins
    for status, at in finished:
        if not start <= at <= now or status not in counts:
            continue
        counts[status] += 1
        if status == "completed":
            per_bin[min(int((at - start) / width), bins - 1)] += 1
    return Throughput(
        window.total_seconds(),
        counts["completed"],
        counts["failed"],
        counts["cancelled"],
        tuple(per_bin),
    )


def _age(now: datetime, then: datetime) -> float:
    return round(max(0.0, (now - then).total_seconds()), 1)
