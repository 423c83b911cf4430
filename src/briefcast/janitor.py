"""Keeps the queue honest: reconciles the app's rows with the engine and recovers dead workers.

Every change the service makes happens in two places — the podcast row (the
listener's truth) and the engine — and a process can die between the two.
The janitor, run by every worker every few seconds, finds each kind of gap
and closes it. Every action is idempotent, so several janitors at once are
harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
import structlog

from briefcast import metrics
from briefcast.db import Database
from briefcast.engine import JobQueue
from briefcast.errors import PermanentError
from briefcast.jobs import JobStore
from briefcast.podcasts import Podcast, release_next, start_released
from briefcast.tables import podcasts, workers

__all__ = ["Janitor", "Sweep"]

log = structlog.get_logger("briefcast.janitor")

_ENGINE_ACTIVE = {"ENQUEUED", "DELAYED", "PENDING"}
_ENGINE_DONE = {"SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"}
_CHUNK = 500


class InspectableQueue(JobQueue, Protocol):
    def states(self, job_ids: Sequence[str]) -> dict[str, str]: ...


@dataclass
class Sweep:
    """What one pass did (for logs and tests)."""

    recovered_workers: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class Janitor:
    def __init__(
        self,
        db: Database,
        queue: InspectableQueue,
        jobs: JobStore,
        *,
        me: str,
        dead_after: float,
        recover: Callable[[Sequence[str]], int],
        grace_seconds: float = 10.0,
        full_sweep_seconds: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._queue = queue
        self._jobs = jobs
        self._me = me
        self._dead_after = dead_after
        self._recover = recover
        self._grace = timedelta(seconds=grace_seconds)
        self._clock = clock
        self._full_every = timedelta(seconds=full_sweep_seconds)
        self._last_full: datetime | None = None
        self._checked_until: datetime | None = None

    def sweep(self) -> Sweep:
        """One pass; safe to run at any time from any worker.

        A gap opens at the moment of a change, and a change stamps the row's
        ``updated_at``, so most passes only look at rows that changed since the
        last pass (once they are past the grace period). Every few minutes a full
        pass looks at everything active, for what no change announces (an engine
        that gave up on a job).
        """
        result = Sweep()
        result.recovered_workers = self._recover_dead_workers()
        rows = self._rows_to_check()
        states = self._engine_states([r.id for r in rows])
        for row in rows:
            self._reconcile(Podcast.from_row(row), states.get(row.id), result)
        result.released += self._release_stuck_users()
        self._update_gauges()
        if result.recovered_workers or result.cancelled or result.released or result.failed:
            log.info("janitor.repaired", **{k: v for k, v in vars(result).items() if v})
        return result

    def _recover_dead_workers(self) -> list[str]:
        cutoff = self._clock() - timedelta(seconds=self._dead_after)
        with self._db.write() as conn:
            dead = list(
                conn.execute(
                    sa.select(workers.c.executor_id).where(
                        workers.c.heartbeat_at < cutoff,
                        workers.c.stopped_at.is_(None),
                        workers.c.executor_id != self._me,
                    )
                ).scalars()
            )
            if dead:
                conn.execute(
                    workers.update()
                    .where(workers.c.executor_id.in_(dead))
                    .values(stopped_at=self._clock())
                )
        if dead:
            count = self._recover(dead)
            log.warning("janitor.recovered_dead_workers", workers=dead, workflows=count)
        return dead

    def _rows_to_check(self) -> list[Any]:
        now = self._clock()
        settled = now - self._grace
        full = self._last_full is None or now - self._last_full >= self._full_every
        since = None if full else self._checked_until
        if full:
            self._last_full = now
        self._checked_until = settled
        changed = [podcasts.c.updated_at < settled]
        if since is not None:
            changed.append(podcasts.c.updated_at >= since)
        recent = now - timedelta(hours=1)
        query = podcasts.select().where(
            *changed,
            sa.or_(
                podcasts.c.status.in_(("queued", "processing")),
                sa.and_(podcasts.c.status == "cancelled", podcasts.c.finished_at >= recent),
            ),
        )
        with self._db.read() as conn:
            return list(conn.execute(query))

    def _engine_states(self, ids: list[str]) -> dict[str, str]:
        states: dict[str, str] = {}
        for start in range(0, len(ids), _CHUNK):
            states.update(self._queue.states(ids[start : start + _CHUNK]))
        return states

    def _reconcile(self, podcast: Podcast, state: str | None, result: Sweep) -> None:
        if podcast.status == "cancelled":
            if state in _ENGINE_ACTIVE:
                self._queue.cancel(podcast.id)
                result.cancelled.append(podcast.id)
        elif podcast.status == "queued" and not podcast.held:
            if state == "DELAYED" or (state in _ENGINE_DONE and podcast.failed_stage):
                start_released(self._queue, podcast)
                result.released.append(podcast.id)
            elif state is None or state in _ENGINE_DONE:
                self._give_up(podcast, "the queue lost track of this episode", result)
        elif podcast.status == "processing" and (state is None or state in _ENGINE_DONE):
            reason = (
                "the episode stopped the renderer several times in a row"
                if state == "MAX_RECOVERY_ATTEMPTS_EXCEEDED"
                else "the worker producing this episode stopped unexpectedly"
            )
            self._give_up(podcast, reason, result)

    def _give_up(self, podcast: Podcast, reason: str, result: Sweep) -> None:
        self._jobs.fail(podcast.id, podcast.stage or "gathering", PermanentError(reason))
        result.failed.append(podcast.id)

    def _release_stuck_users(self) -> list[str]:
        """Listeners with held episodes but nothing running: start their next one."""
        held = podcasts.alias("held")
        busy = podcasts.alias("busy")
        active = sa.select(busy.c.id).where(
            busy.c.user_id == held.c.user_id,
            busy.c.status.in_(("queued", "processing")),
            busy.c.held.is_(False),
        )
        query = (
            sa.select(held.c.user_id)
            .where(held.c.status == "queued", held.c.held.is_(True), ~sa.exists(active))
            .distinct()
        )
        with self._db.read() as conn:
            users = list(conn.execute(query).scalars())
        released = [release_next(self._db, self._queue, u, clock=self._clock) for u in users]
        return [r for r in released if r]

    def _update_gauges(self) -> None:
        with self._db.read() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    sa.select(podcasts.c.status, sa.func.count())
                    .where(podcasts.c.status.in_(("queued", "processing")))
                    .group_by(podcasts.c.status)
                ).all()
            )
        for status in ("queued", "processing"):
            metrics.QUEUE_DEPTH.labels(status=status).set(counts.get(status, 0))
