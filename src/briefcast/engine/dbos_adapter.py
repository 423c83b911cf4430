"""The durable engine, implemented with DBOS Transact (the only module that imports it).

One workflow per podcast, one checkpointed step per stage. The workflow id is
the podcast id. Jobs go on one queue ordered by priority then arrival; one
listener's jobs run one at a time because only the listener's next job is
ever *released* (the others wait as DELAYED workflows, which keep their
arrival time, so a released job takes its rightful place in line).

Retries of a transiently failing stage happen inside the workflow: the pause
is a durable sleep, so a worker restart during backoff resumes the wait
instead of starting over, and the podcast stays ``processing`` meanwhile.

Notifications run as a second workflow, one per delivery (the workflow id is
the delivery id), on a queue of their own, so a slow or failing channel never
holds up an episode; their retries are durable sleeps too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from dbos import DBOS, DBOSClient, DBOSConfig, EnqueueOptions

from briefcast.engine import (
    DELIVERY_QUEUE_NAME,
    DELIVERY_WORKFLOW_NAME,
    QUEUE_NAME,
    WORKFLOW_NAME,
    DeliveryRunner,
    StageRunner,
)
from briefcast.errors import BriefcastError, JobCancelled, PermanentError, RetryableError

__all__ = ["DbosQueue", "DbosWorker", "migrate_engine_schema"]

log = logging.getLogger(__name__)

# A held job waits this long at most; it is released long before, by design.
_HOLD_SECONDS = 10 * 365 * 24 * 3600.0
# Crashing the worker this often while running one job makes it a poison job.
_MAX_RECOVERY_ATTEMPTS = 5
_ACTIVE = frozenset({"PENDING", "ENQUEUED", "DELAYED"})

_runner: StageRunner | None = None
_notifier: DeliveryRunner | None = None
_registered = threading.Lock()
_workflow: Any = None
_delivery_workflow: Any = None


def migrate_engine_schema(url: str) -> None:
    """Create or upgrade the engine's own tables (the client never does)."""
    DBOS.migrate(url)


class DbosQueue:
    """:class:`~briefcast.engine.JobQueue` through a DBOS client; runs no workers."""

    def __init__(self, url: str, *, engine: sa.Engine | None = None) -> None:
        self._url = url
        self._engine = engine
        self._client: DBOSClient | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> DBOSClient:
        with self._lock:
            if self._client is None:
                if self._engine is not None:
                    self._client = DBOSClient(system_database_engine=self._engine, lazy=True)
                else:
                    self._client = DBOSClient(system_database_url=self._url, lazy=True)
            return self._client

    def enqueue(self, conn: sa.Connection, job_id: str, *, priority: int, hold: bool) -> None:
        options: EnqueueOptions = {
            "workflow_name": WORKFLOW_NAME,
            "queue_name": QUEUE_NAME,
            "workflow_id": job_id,
            "workflow_id_reuse_policy": "reject",
            "priority": priority,
        }
        if hold:
            options["delay_seconds"] = _HOLD_SECONDS
        self.client.enqueue_in_transaction(conn, options, job_id)

    def enqueue_delivery(self, conn: sa.Connection, delivery_id: str) -> None:
        options: EnqueueOptions = {
            "workflow_name": DELIVERY_WORKFLOW_NAME,
            "queue_name": DELIVERY_QUEUE_NAME,
            "workflow_id": delivery_id,
            "workflow_id_reuse_policy": "reject",
        }
        self.client.enqueue_in_transaction(conn, options, delivery_id)

    def release(self, job_id: str) -> None:
        self.client.set_workflow_delay(job_id, delay_seconds=0)

    def cancel(self, job_id: str) -> None:
        self.client.cancel_workflow(job_id)

    def restart(self, job_id: str, stage: str) -> None:
        # A job reported failed may still be returning from its last step.
        self._await_settled(job_id)
        steps = self.client.list_workflow_steps(job_id)
        first = min((s["function_id"] for s in steps if s["function_name"] == stage), default=None)
        if first is None:
            # The stage never ran (it failed before recording): redo from its neighbour.
            first = 1 + max((s["function_id"] for s in steps), default=0)
        self.client.rewind_workflow(job_id, start_step=first, queue_name=QUEUE_NAME)

    def _await_settled(self, job_id: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.states([job_id]).get(job_id) in _ACTIVE and time.monotonic() < deadline:
            time.sleep(0.02)

    def states(self, job_ids: Sequence[str]) -> dict[str, str]:
        """The engine's own status per job (PENDING, ENQUEUED, DELAYED, SUCCESS, ...)."""
        if not job_ids:
            return {}
        found = self.client.list_workflows(
            workflow_ids=list(job_ids), load_input=False, load_output=False
        )
        return {wf.workflow_id: str(wf.status) for wf in found}

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.destroy()
                self._client = None


class DbosWorker:
    """Runs podcast workflows in this process: launch, recover, shut down."""

    def __init__(
        self,
        url: str,
        runner: StageRunner,
        *,
        executor_id: str,
        app_version: str,
        slots: int,
        poll_seconds: float,
        log_level: str = "warning",
        notifier: DeliveryRunner | None = None,
        notify_slots: int = 4,
        engine: sa.Engine | None = None,
    ) -> None:
        self._runner = runner
        self._notifier = notifier
        self._slots = slots
        self._notify_slots = notify_slots
        self._poll = poll_seconds
        self._config: DBOSConfig = {
            "name": "briefcast",
            "system_database_url": url,
            "executor_id": executor_id,
            "application_version": app_version,
            "log_level": "INFO" if log_level == "debug" else "WARNING",
            "sys_db_pool_size": max(10, slots * 3),
        }
        if engine is not None:
            # Given an engine, the library uses it as-is (see Database.engine_for_durable_engine).
            self._config["system_database_engine"] = engine

    def start(self) -> None:
        global _runner, _notifier
        _runner = self._runner
        _notifier = self._notifier
        _register_workflow()
        DBOS(config=self._config)
        DBOS.launch()
        # Queues are declared after launch in DBOS 3.4.
        DBOS.register_queue(
            QUEUE_NAME,
            worker_concurrency=self._slots,
            polling_interval_sec=self._poll,
            on_conflict="always_update",
        )
        if self._notifier is not None:
            DBOS.register_queue(
                DELIVERY_QUEUE_NAME,
                worker_concurrency=self._notify_slots,
                polling_interval_sec=self._poll,
                on_conflict="always_update",
            )

    def recover(self, executor_ids: Sequence[str]) -> int:
        """Take over the in-flight jobs of workers that died; returns how many."""
        handles = DBOS._recover_pending_workflows(list(executor_ids))
        return len(handles)

    def stop(self, grace_seconds: int = 5) -> None:
        """Stop taking work; give running steps ``grace_seconds`` to finish.

        Anything still running is resumed from its last completed step when a
        worker with the same executor id starts again.
        """
        global _runner, _notifier
        DBOS.destroy(workflow_completion_timeout_sec=grace_seconds)
        _runner = None
        _notifier = None


def _register_workflow() -> None:
    global _workflow, _delivery_workflow
    with _registered:
        if _workflow is None:
            _workflow = DBOS.workflow(
                name=WORKFLOW_NAME, max_recovery_attempts=_MAX_RECOVERY_ATTEMPTS
            )(_generate_podcast)
        if _delivery_workflow is None:
            _delivery_workflow = DBOS.workflow(
                name=DELIVERY_WORKFLOW_NAME, max_recovery_attempts=_MAX_RECOVERY_ATTEMPTS
            )(_deliver_notification)


def _deliver_notification(delivery_id: str) -> str:
    """The delivery workflow: attempts until one says it is finished, durable pauses between."""
    notifier = _notifier
    assert notifier is not None, "delivery ran before the worker started"
    attempt = 1
    while True:
        delay = DBOS.run_step({"name": "deliver"}, notifier.attempt, delivery_id, attempt)
        if delay is None:
            return "finished"
        DBOS.sleep(delay)
        attempt += 1


def _generate_podcast(job_id: str) -> str:
    """The podcast workflow: every stage in order, each a durable step."""
    runner = _runner
    assert runner is not None, "workflow ran before the worker started"
    state: dict[str, Any] = {}
    for stage in runner.stages:
        outcome = _run_stage_with_retries(runner, job_id, stage, state)
        if outcome is not None:
            return outcome
    return "completed"


def _run_stage_with_retries(
    runner: StageRunner, job_id: str, stage: str, state: dict[str, Any]
) -> str | None:
    """Run one stage until it succeeds; the job's final word if it does not."""
    attempt = 1
    while True:
        try:
            state.update(
                DBOS.run_step({"name": stage}, runner.run_stage, job_id, stage, dict(state))
            )
            return None
        except JobCancelled:
            return "cancelled"
        except RetryableError as exc:
            delay = DBOS.run_step({"name": "retry"}, runner.on_retry, job_id, stage, attempt, exc)
            if delay is None:
                return _fail(runner, job_id, stage, exc)
            DBOS.sleep(delay)
            attempt += 1
        except BriefcastError as exc:
            return _fail(runner, job_id, stage, exc)
        # The engine's own cancellation is a BaseException and passes through.
        except Exception as exc:  # a defect must still end as a failed job with a reason
            log.exception("stage %s of %s raised unexpectedly", stage, job_id)
            return _fail(
                runner,
                job_id,
                stage,
                PermanentError(f"internal error while {stage}: {type(exc).__name__}"),
            )


def _fail(runner: StageRunner, job_id: str, stage: str, error: BriefcastError) -> str:
    DBOS.run_step({"name": "fail"}, runner.on_failure, job_id, stage, error)
    return "failed"
