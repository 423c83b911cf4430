"""The durable engine port: how podcasts are queued, run step by step, and recovered.

The rest of briefcast talks to small protocols defined here and never to the
engine library itself: :class:`JobQueue` (used by whoever enqueues or
cancels — the API, the CLI) and :class:`StageRunner` (implemented by the
pipeline, called by the engine once per durable step). Notifications are
durable work of their own, on a queue of their own: :class:`DeliveryQueue`
queues one delivery inside the transaction that decided it, and a
:class:`DeliveryRunner` makes one attempt at a time, the engine sleeping
durably between attempts. The adapter is :mod:`briefcast.engine.dbos_adapter`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa

from briefcast.errors import BriefcastError, RetryableError

__all__ = [
    "DELIVERY_QUEUE_NAME",
    "DELIVERY_WORKFLOW_NAME",
    "QUEUE_NAME",
    "WORKFLOW_NAME",
    "DeliveryQueue",
    "DeliveryRunner",
    "JobQueue",
    "StageRunner",
]

QUEUE_NAME = "podcasts"
WORKFLOW_NAME = "briefcast.generate_podcast"
DELIVERY_QUEUE_NAME = "notifications"
DELIVERY_WORKFLOW_NAME = "briefcast.deliver_notification"


@runtime_checkable
class JobQueue(Protocol):
    """Enqueue, release, cancel and restart podcast jobs (no workers needed)."""

    def enqueue(self, conn: sa.Connection, job_id: str, *, priority: int, hold: bool) -> None:
        """Queue a job inside the caller's transaction, so the job and the caller's
        row commit together or not at all. A held job waits for :meth:`release`."""
        ...

    def release(self, job_id: str) -> None:
        """Let a held job start when its turn comes (idempotent)."""
        ...

    def cancel(self, job_id: str) -> None:
        """Stop a job: a queued one never starts, a running one stops at its next step."""
        ...

    def restart(self, job_id: str, stage: str) -> None:
        """Run a finished job again from the first attempt of ``stage``; earlier
        stages are not redone."""
        ...


class StageRunner(Protocol):
    """What one podcast job does; the engine makes every call a durable step."""

    stages: tuple[str, ...]

    def run_stage(self, job_id: str, stage: str, state: dict[str, Any]) -> dict[str, Any]:
        """Do one stage; return what later stages need (small, JSON-like).

        Raise :class:`RetryableError` to try again later, any other
        :class:`BriefcastError` to fail the job, ``JobCancelled`` to stop.
        """
        ...

    def on_retry(
        self, job_id: str, stage: str, attempt: int, error: RetryableError
    ) -> float | None:
        """Record a failed attempt; the pause before the next, or None to give up."""
        ...

    def on_failure(self, job_id: str, stage: str, error: BriefcastError) -> None:
        """Record that the job failed for good at ``stage``."""
        ...


@runtime_checkable
class DeliveryQueue(Protocol):
    """Queue notification deliveries (no workers needed)."""

    def enqueue_delivery(self, conn: sa.Connection, delivery_id: str) -> None:
        """Queue one delivery inside the caller's transaction (its row commits with it)."""
        ...


class DeliveryRunner(Protocol):
    """What one notification delivery does; the engine makes every attempt a durable step."""

    def attempt(self, delivery_id: str, attempt: int) -> float | None:
        """Try once (``attempt`` counts from 1); the pause before the next try,
        or None when the delivery is finished (sent, refused for good, or given up)."""
        ...
