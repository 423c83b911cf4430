"""Position and ETA for every waiting or running podcast, from a snapshot of the queue.

Reads the queue, the live workers' slots and recent service times from the
database, and asks :func:`briefcast.scheduling.plan` where each job stands.
The result is cached for a fraction of a second: positions are read far more
often than the queue changes, and the cache is dropped whenever this process
changes the queue itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from briefcast.db import Database
from briefcast.scheduling import QueuedJob, RunningJob, ServiceTimes, Ticket, plan
from briefcast.settings import Settings
from briefcast.tables import podcasts, workers

__all__ = ["TicketOffice"]

_SERVICE_REFRESH_SECONDS = 10.0


def _agrees(ticket: Ticket | None, status: str) -> bool:
    if ticket is None:
        return status not in ("queued", "processing")
    return (ticket.position == 0) == (status == "processing")


class TicketOffice:
    """Tickets (position + ETA) for every queued or processing podcast."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        ttl: float = 0.25,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, Ticket]] | None = None
        self._service_refreshed = 0.0
        # First guesses before any episode has been measured on this installation.
        self.service_times = ServiceTimes({"daily": 8.0, "weekly": 20.0})

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None

    def all(self) -> dict[str, Ticket]:
        """Tickets for every active podcast (cached for ``ttl`` seconds)."""
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self._ttl:
                return self._cached[1]
        tickets = self._compute()
        with self._lock:
            self._cached = (time.monotonic(), tickets)
        return tickets

    def get(self, podcast_id: str, status: str | None = None) -> Ticket | None:
        """The podcast's ticket; given the status just read, a cached ticket that
        contradicts it (queued vs. running) is recomputed rather than shown."""
        ticket = self.all().get(podcast_id)
        if status is not None and not _agrees(ticket, status):
            self.invalidate()
            ticket = self.all().get(podcast_id)
        return ticket

    def for_statuses(self, statuses: dict[str, str]) -> dict[str, Ticket]:
        """Tickets for several podcasts (id → status just read), consistent with them."""
        tickets = self.all()
        if not all(_agrees(tickets.get(pid), status) for pid, status in statuses.items()):
            self.invalidate()
            tickets = self.all()
        return {pid: tickets[pid] for pid in statuses if pid in tickets}

    def slots(self) -> int:
        with self._db.read() as conn:
            return self._live_slots(conn)

    def _compute(self) -> dict[str, Ticket]:
        now = self._clock()
        self._refresh_service_times(now)
        with self._db.read() as conn:
            queued = self._queued(conn)
            running = self._running(conn, now)
            slots = self._live_slots(conn)
        return plan(
            queued,
            running,
            slots=slots,
            service_seconds=self.service_times,
            dispatch_seconds=self._settings.queue_poll_seconds,
        )

    def _queued(self, conn: sa.Connection) -> list[QueuedJob]:
        rows = conn.execute(
            sa.select(
                podcasts.c.id,
                podcasts.c.user_id,
                podcasts.c.type,
                podcasts.c.priority,
                podcasts.c.created_at,
            ).where(podcasts.c.status == "queued")
        )
        return [
            QueuedJob(r.id, r.user_id, r.type, r.priority, r.created_at.timestamp()) for r in rows
        ]

    def _running(self, conn: sa.Connection, now: datetime) -> list[RunningJob]:
        rows = conn.execute(
            sa.select(
                podcasts.c.id,
                podcasts.c.user_id,
                podcasts.c.type,
                podcasts.c.started_at,
                podcasts.c.retry,
            ).where(podcasts.c.status == "processing")
        )
        return [self._remaining(row, now) for row in rows]

    def _remaining(self, row: Any, now: datetime) -> RunningJob:
        expected = self.service_times(row.type)
        elapsed = (now - (row.started_at or now)).total_seconds()
        wait = 0.0
        if row.retry and row.retry.get("next_attempt_at"):
            resume = datetime.fromisoformat(row.retry["next_attempt_at"])
            wait = max(0.0, (resume - now).total_seconds())
            elapsed = 0.0  # the stage starts over after the pause
        remaining = wait + max(expected - elapsed, 0.1 * expected)
        return RunningJob(row.id, row.user_id, remaining)

    def _live_slots(self, conn: sa.Connection) -> int:
        cutoff = self._clock() - timedelta(seconds=self._settings.worker_dead_after_seconds)
        total = conn.execute(
            sa.select(sa.func.sum(workers.c.slots)).where(
                workers.c.heartbeat_at >= cutoff, workers.c.stopped_at.is_(None)
            )
        ).scalar()
        # No live worker yet: plan for the configured one that serve or worker will start.
        return int(total or self._settings.worker_slots)

    def _refresh_service_times(self, now: datetime) -> None:
        if time.monotonic() - self._service_refreshed < _SERVICE_REFRESH_SECONDS:
            return
        self._service_refreshed = time.monotonic()
        samples: dict[str, list[float]] = {}
        with self._db.read() as conn:
            for episode_type in ("daily", "weekly"):
                rows = conn.execute(
                    sa.select(podcasts.c.started_at, podcasts.c.finished_at)
                    .where(podcasts.c.status == "completed", podcasts.c.type == episode_type)
                    .order_by(podcasts.c.finished_at.desc())
                    .limit(20)
                )
                durations = [
                    (r.finished_at - r.started_at).total_seconds()
                    for r in rows
                    if r.started_at and r.finished_at
                ]
                if durations:
                    samples[episode_type] = durations[::-1]
        self.service_times.replace(samples)
