"""The podcast pipeline: six small stages with one signature, wrapped in middleware.

Each stage is ``stage(ctx, state) -> patch``: it reads what earlier stages
left in ``state`` and returns what later ones need. The engine runs each
stage as one durable step (see :class:`~briefcast.engine.StageRunner`), so a
stage must be safe to run again after a crash: content-addressed cache keys,
deterministic storage keys, and state changes that check before they write.
Middleware wraps every stage for timing, logs and metrics, the way a chain of
processors wraps a log event.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import structlog

from briefcast import metrics
from briefcast.bill_store import BillStore
from briefcast.db import is_disconnect
from briefcast.errors import BriefcastError, DatabaseUnavailable, RetryableError
from briefcast.jobs import JobStore
from briefcast.podcasts import Podcast
from briefcast.rendering import Renderer
from briefcast.retry import RetryPolicy
from briefcast.settings import Settings
from briefcast.storage import Storage
from briefcast.users import User, UserStore
from briefcast.voices import Voice
from briefcast.writers import ScriptWriter

__all__ = ["Middleware", "Pipeline", "Services", "Stage", "StageContext"]

log = structlog.get_logger("briefcast.pipeline")


@dataclass(frozen=True)
class Services:
    """Everything stages use, built once per worker."""

    settings: Settings
    jobs: JobStore
    users: UserStore
    bills: BillStore
    writer: ScriptWriter
    voice: Voice
    storage: Storage
    renderer: Renderer
    after_complete: Callable[[Podcast], None] = lambda podcast: None


@dataclass(frozen=True)
class StageContext:
    """One stage of one job: the podcast as it stood when the stage began."""

    job: Podcast
    user: User
    stage: str
    services: Services

    def progress(self, fraction: float) -> None:
        """Report progress within this stage; raises JobCancelled if the listener cancelled."""
        self.services.jobs.report_progress(self.job.id, self.stage, fraction)

    def ensure_active(self) -> None:
        """Stop here (JobCancelled) if the listener cancelled; call before paid work."""
        self.services.jobs.ensure_active(self.job.id)


Stage = Callable[[StageContext, Mapping[str, Any]], dict[str, Any]]
Middleware = Callable[[Stage], Stage]


def timed(stage: Stage) -> Stage:
    """Record the stage's wall time on the podcast and in metrics."""

    def run(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        patch = stage(ctx, state)
        seconds = time.perf_counter() - started
        metrics.STAGE_SECONDS.labels(stage=ctx.stage).observe(seconds)
        fields = patch.pop("_record", {})
        ctx.services.jobs.end_stage(ctx.job.id, ctx.stage, seconds, **fields)
        return patch

    return run


def logged(stage: Stage) -> Stage:
    """Bind the job to every log line the stage writes; log start, end and failure."""

    def run(ctx: StageContext, state: Mapping[str, Any]) -> dict[str, Any]:
        with structlog.contextvars.bound_contextvars(
            podcast_id=ctx.job.id, user_id=ctx.job.user_id, stage=ctx.stage, attempt=ctx.job.attempt
        ):
            log.info("stage.started")
            try:
                patch = stage(ctx, state)
            except BriefcastError as exc:
                log.warning("stage.error", code=exc.code, error=exc.message)
                raise
            log.info("stage.finished")
            return patch

    return run


DEFAULT_MIDDLEWARE: tuple[Middleware, ...] = (logged, timed)


class Pipeline:
    """Runs stages for the engine (implements :class:`~briefcast.engine.StageRunner`)."""

    def __init__(
        self,
        services: Services,
        stages: Sequence[tuple[str, Stage]],
        *,
        middleware: Sequence[Middleware] = DEFAULT_MIDDLEWARE,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.services = services
        self.stages = tuple(name for name, _ in stages)
        self._stages = {name: _wrap(fn, middleware) for name, fn in stages}
        self.policy = policy or RetryPolicy(
            services.settings.retry_delays, services.settings.retry_jitter
        )

    def run_stage(self, job_id: str, stage: str, state: dict[str, Any]) -> dict[str, Any]:
        try:
            job = self.services.jobs.begin_stage(job_id, stage)
            user = self.services.users.by_id(job.user_id)
            ctx = StageContext(job, user, stage, self.services)
            return self._stages[stage](ctx, state)
        except sa.exc.SQLAlchemyError as exc:
            if is_disconnect(exc):
                # Worth another attempt later, like any outage of a service we depend on.
                raise DatabaseUnavailable("the database was unreachable") from exc
            raise

    def on_retry(
        self, job_id: str, stage: str, attempt: int, error: RetryableError
    ) -> float | None:
        delay = self.policy.delay(attempt, error)
        metrics.STAGE_ERRORS.labels(stage=stage, kind="retryable").inc()
        if delay is None:
            return None
        self.services.jobs.record_retry(
            job_id, stage, attempt, self.policy.max_attempts, delay, error
        )
        log.info(
            "stage.retry_scheduled", podcast_id=job_id, stage=stage, attempt=attempt, delay=delay
        )
        return delay

    def on_failure(self, job_id: str, stage: str, error: BriefcastError) -> None:
        metrics.STAGE_ERRORS.labels(stage=stage, kind="permanent").inc()
        metrics.PODCASTS_FINISHED.labels(status="failed").inc()
        log.warning(
            "podcast.failed", podcast_id=job_id, stage=stage, code=error.code, error=error.message
        )
        self.services.jobs.fail(job_id, stage, error)


def _wrap(stage: Stage, middleware: Sequence[Middleware]) -> Stage:
    for layer in reversed(middleware):
        stage = layer(stage)
    return stage
