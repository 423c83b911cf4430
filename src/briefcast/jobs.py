"""What a worker writes about a podcast while producing it.

Every state change is one transaction that also appends the matching event,
so what a listener sees and what they are told never disagree. A podcast the
listener cancelled refuses to start another stage (:class:`JobCancelled`),
which is how cancellation reaches a worker even between engine checks.

The final transitions (completed, failed) also decide the notifications, in
the same transaction: with a :class:`~briefcast.notifications.DeliveryPlanner`
the delivery rows and their durable work commit together with the outcome,
or not at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from briefcast import events
from briefcast.db import Database, patiently
from briefcast.engine import JobQueue
from briefcast.errors import BriefcastError, JobCancelled, NotFound
from briefcast.notifications import DeliveryPlanner
from briefcast.podcasts import Podcast, release_next
from briefcast.tables import podcasts

__all__ = ["JobStore"]

F = TypeVar("F", bound=Callable[..., Any])


def _patient(method: F) -> F:
    """Wait out a database restart instead of failing the listener's episode."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return patiently(lambda: method(*args, **kwargs), what=method.__name__)

    return wrapper  # type: ignore[return-value]  # same signature as the method


class JobStore:
    """State transitions of one podcast job, as seen from the worker."""

    def __init__(
        self,
        db: Database,
        queue: JobQueue,
        *,
        worker: str,
        deliveries: DeliveryPlanner | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._queue = queue
        self._worker = worker
        self._deliveries = deliveries
        self._clock = clock

    @_patient
    def load(self, job_id: str) -> Podcast:
        with self._db.read() as conn:
            row = conn.execute(podcasts.select().where(podcasts.c.id == job_id)).first()
        if row is None:
            raise NotFound(f"podcast {job_id} does not exist")
        return Podcast.from_row(row)

    @_patient
    def ensure_active(self, job_id: str) -> None:
        """Raise :class:`JobCancelled` if the listener cancelled (cheap; call between chunks)."""
        with self._db.read() as conn:
            status = conn.execute(
                sa.select(podcasts.c.status).where(podcasts.c.id == job_id)
            ).scalar()
        if status != "processing" and status != "queued":
            raise JobCancelled(f"podcast is {status}")

    @_patient
    def begin_stage(self, job_id: str, stage: str) -> Podcast:
        """Mark the podcast as working on ``stage``; refuse if it was cancelled."""
        now = self._clock()
        with self._db.write() as conn:
            row = conn.execute(podcasts.select().where(podcasts.c.id == job_id)).first()
            if row is None:
                raise NotFound(f"podcast {job_id} does not exist")
            if row.status not in ("queued", "processing"):
                raise JobCancelled(f"podcast is {row.status}")
            values: dict[str, Any] = {
                "status": "processing",
                "stage": stage,
                "progress": 0.0,
                "retry": None,
                "failed_stage": None,
                "held": False,
                "worker": self._worker,
                "updated_at": now,
            }
            if row.status == "queued" or row.started_at is None:
                values["started_at"] = now
            conn.execute(podcasts.update().where(podcasts.c.id == job_id).values(values))
            self._event(
                conn, row, "stage", {"status": "processing", "stage": stage, "progress": 0.0}, now
            )
            row = conn.execute(podcasts.select().where(podcasts.c.id == job_id)).one()
        return Podcast.from_row(row)

    @_patient
    def report_progress(self, job_id: str, stage: str, fraction: float) -> None:
        """Record progress within a stage (0..1) and tell the listener."""
        now = self._clock()
        fraction = min(max(fraction, 0.0), 1.0)
        with self._db.write() as conn:
            row = self._active_row(conn, job_id)
            conn.execute(
                podcasts.update()
                .where(podcasts.c.id == job_id)
                .values(progress=fraction, updated_at=now)
            )
            data = {"status": "processing", "stage": stage, "progress": round(fraction, 3)}
            self._event(conn, row, "stage", data, now)

    @_patient
    def end_stage(self, job_id: str, stage: str, seconds: float, **fields: Any) -> None:
        """Record how long ``stage`` took and anything it learned (title, bills, ...)."""
        with self._db.write() as conn:
            row = conn.execute(podcasts.select().where(podcasts.c.id == job_id)).first()
            if row is None or row.status not in ("processing", "completed"):
                raise JobCancelled(f"podcast is {row.status if row else 'gone'}")
            timings = dict(row.timings or {})
            timings[stage] = round(seconds, 3)
            values: dict[str, Any] = {"timings": timings, "updated_at": self._clock()}
            if row.status == "processing":  # the last stage ends after completion
                values |= {"progress": 1.0, **fields}
            conn.execute(podcasts.update().where(podcasts.c.id == job_id).values(values))

    @_patient
    def record_retry(
        self,
        job_id: str,
        stage: str,
        attempt: int,
        max_attempts: int,
        delay: float,
        error: BriefcastError,
    ) -> None:
        """The stage failed but will be tried again after ``delay`` seconds; still processing."""
        now = self._clock()
        retry = {
            "stage": stage,
            "attempt": attempt,
            "max_attempts": max_attempts,
            "delay_seconds": round(delay, 1),
            "next_attempt_at": (now + timedelta(seconds=delay)).isoformat(),
            "reason": error.message,
            "code": error.code,
        }
        with self._db.write() as conn:
            row = self._active_row(conn, job_id)
            conn.execute(
                podcasts.update().where(podcasts.c.id == job_id).values(retry=retry, updated_at=now)
            )
            self._event(conn, row, "retry", {"status": "processing", **retry}, now)

    def complete(self, job_id: str, **fields: Any) -> Podcast:
        """The episode is ready: final state, the completed event, and the next job's turn."""
        done = patiently(lambda: self._mark_completed(job_id, fields), what="complete")
        patiently(
            lambda: release_next(self._db, self._queue, done.user_id, clock=self._clock),
            what="release next",
        )
        return done

    def _mark_completed(self, job_id: str, fields: dict[str, Any]) -> Podcast:
        now = self._clock()
        with self._db.write() as conn:
            row = conn.execute(podcasts.select().where(podcasts.c.id == job_id)).first()
            if row is not None and row.status == "completed":
                return Podcast.from_row(row)  # a repeat after a lost acknowledgement
            row = self._active_row(conn, job_id)
            values = {
                "status": "completed",
                "stage": None,
                "progress": 1.0,
                "retry": None,
                "finished_at": now,
                "updated_at": now,
                **fields,
            }
            conn.execute(podcasts.update().where(podcasts.c.id == job_id).values(values))
            done = Podcast.from_row(
                conn.execute(podcasts.select().where(podcasts.c.id == job_id)).one()
            )
            data = {
                "status": "completed",
                "title": done.title,
                "audio_url": f"/api/podcasts/{job_id}/audio",
                "duration_seconds": done.duration_seconds,
            }
            self._final_event(conn, row, "completed", data, now)
        return done

    def fail(self, job_id: str, stage: str, error: BriefcastError) -> None:
        """The job failed for good at ``stage``; the reason is written for the listener."""
        user_id = patiently(lambda: self._mark_failed(job_id, stage, error), what="fail")
        if user_id is not None:
            patiently(
                lambda: release_next(self._db, self._queue, user_id, clock=self._clock),
                what="release next",
            )

    def _mark_failed(self, job_id: str, stage: str, error: BriefcastError) -> str | None:
        now = self._clock()
        with self._db.write() as conn:
            row = conn.execute(podcasts.select().where(podcasts.c.id == job_id)).first()
            if row is None or row.status in ("completed", "cancelled", "failed"):
                return None
            conn.execute(
                podcasts.update()
                .where(podcasts.c.id == job_id)
                .values(
                    status="failed",
                    stage=None,
                    retry=None,
                    error_code=error.code,
                    error_message=error.message,
                    failed_stage=stage,
                    dedup_key=None,
                    finished_at=now,
                    updated_at=now,
                )
            )
            data = {
                "status": "failed",
                "stage": stage,
                "error": {"code": error.code, "message": error.message},
            }
            self._final_event(conn, row, "failed", data, now)
            return str(row.user_id)

    def _active_row(self, conn: sa.Connection, job_id: str) -> Any:
        row = conn.execute(podcasts.select().where(podcasts.c.id == job_id)).first()
        if row is None:
            raise NotFound(f"podcast {job_id} does not exist")
        if row.status != "processing":
            raise JobCancelled(f"podcast is {row.status}")
        return row

    def _event(
        self, conn: sa.Connection, row: Any, type: str, data: dict[str, Any], now: datetime
    ) -> int:
        return events.append(
            conn, podcast_id=row.id, user_id=row.user_id, type=type, data=data, at=now
        )

    def _final_event(
        self, conn: sa.Connection, row: Any, type: str, data: dict[str, Any], now: datetime
    ) -> None:
        event_id = self._event(conn, row, type, data, now)
        if self._deliveries is not None:
            self._deliveries.plan(
                conn, event_id=event_id, event_type=type, user_id=row.user_id, podcast_id=row.id
            )
