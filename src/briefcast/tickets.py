"""Position and ETA for every waiting or running podcast, from a snapshot of the queue.

Reads the queue, the live workers' slots and recent service times from the
database, and asks :func:`briefcast.scheduling.plan` where each job stands.
Planning thousands of waiting episodes takes tens of milliseconds — far too
long for every request — so a background thread re-plans a few times a
second while anyone is asking, and requests read the latest schedule:

* an arrival since the schedule was made is *added* to it (exact for
  arrivals joining the back of the line, see :meth:`Schedule.add`), so a burst
  of requests gets positions 1, 2, 3, … rather than all the same one. Requests
  in flight at the same moment may commit in another order than they arrived,
  so under heavy concurrency two answers can share a position or be off by a
  few places (the burst test measures it); the live ``position`` events that
  follow come from a fresh plan and are exact;
* ETAs count down with the time elapsed since the schedule was made;
* a podcast whose status contradicts the schedule (it just started) gets a
  ticket from its own row rather than a stale one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from briefcast.db import Database
from briefcast.scheduling import QueuedJob, RunningJob, Schedule, ServiceTimes, Ticket, plan
from briefcast.settings import Settings
from briefcast.tables import podcasts, workers

if TYPE_CHECKING:
    from briefcast.podcasts import Podcast

__all__ = ["TicketOffice"]

_SERVICE_REFRESH_SECONDS = 10.0
_IDLE_AFTER_SECONDS = 30.0
_ARRIVAL_MEMORY_SECONDS = 10.0
_COST_SHARE = 30  # at most 1/30 of the time spent planning
_MAX_REFRESH_SECONDS = 2.0
# An ETA never reaches zero while the episode is still being made.
_MIN_ETA_SECONDS = 1.0


class _Snapshot:
    """One planned schedule, and when it was made."""

    def __init__(self, schedule: Schedule, made_at: float) -> None:
        self.schedule = schedule
        self.made_at = made_at

    def age(self) -> float:
        return time.monotonic() - self.made_at

    def now(self, ticket: Ticket) -> Ticket:
        """The ticket as of now: the ETA counts down with the snapshot's age."""
        return Ticket(ticket.position, max(ticket.eta_seconds - self.age(), _MIN_ETA_SECONDS))


class TicketOffice:
    """Tickets (position + ETA) for queued and processing podcasts. Thread-safe."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        refresh_seconds: float = 0.25,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._refresh = refresh_seconds
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._arrivals: dict[str, tuple[float, QueuedJob]] = {}
        self._wanted = threading.Event()
        self._last_asked = 0.0
        self._thread: threading.Thread | None = None
        self._service_refreshed = -_SERVICE_REFRESH_SECONDS
        # First guesses before any episode has been measured on this installation.
        self.service_times = ServiceTimes({"daily": 8.0, "weekly": 20.0})

    # --- reading -----------------------------------------------------------
    def for_podcast(self, podcast: Podcast) -> Ticket | None:
        """The podcast's ticket now, or None when it is no longer active."""
        return self.for_podcasts([podcast]).get(podcast.id)

    def for_podcasts(self, items: Iterable[Podcast]) -> dict[str, Ticket]:
        snapshot = self._current()
        tickets: dict[str, Ticket] = {}
        with self._lock:
            for podcast in items:
                ticket = self._ticket(snapshot, podcast)
                if ticket is not None:
                    tickets[podcast.id] = ticket
        return tickets

    def all(self) -> dict[str, Ticket]:
        """Every active podcast's ticket as of the current schedule."""
        snapshot = self._current()
        with self._lock:
            return {pid: snapshot.now(t) for pid, t in snapshot.schedule.tickets.items()}

    def invalidate(self) -> None:
        """The queue changed in a way adding cannot express (a cancel): re-plan soon."""
        self._wanted.set()

    def slots(self) -> int:
        with self._db.read() as conn:
            return self._live_slots(conn)

    def _ticket(self, snapshot: _Snapshot, podcast: Podcast) -> Ticket | None:
        known = snapshot.schedule.ticket(podcast.id)
        if podcast.status == "processing":
            if known is not None and known.position == 0:
                return snapshot.now(known)
            self._wanted.set()  # it started after the schedule was made: re-plan soon
            return Ticket(0, self._remaining(podcast, self._clock()))
        if podcast.status != "queued":
            return None
        if known is None or known.position == 0:
            job = _queued_job(podcast)
            self._arrivals[job.id] = (time.monotonic(), job)
            known = self._add(snapshot, job)
        return snapshot.now(known)

    def _add(self, snapshot: _Snapshot, job: QueuedJob) -> Ticket:
        service = self.service_times(job.type)
        return snapshot.schedule.add(job, service, not_before=snapshot.age())

    # --- keeping the schedule fresh -----------------------------------------
    def _current(self) -> _Snapshot:
        self._last_asked = time.monotonic()
        with self._lock:
            snapshot = self._snapshot
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._keep_fresh, name="briefcast-tickets", daemon=True
                )
                self._thread.start()
        if snapshot is None or snapshot.age() > 20 * self._refresh:
            snapshot = self.refresh()  # first use, or the refresher is falling behind
        return snapshot

    def refresh(self) -> _Snapshot:
        """Re-plan now from the database, keeping arrivals it could not yet see."""
        began = time.monotonic()
        schedule = self._compute()
        snapshot = _Snapshot(schedule, began)
        with self._lock:
            self._arrivals = {
                pid: (seen, job)
                for pid, (seen, job) in self._arrivals.items()
                if began - seen < _ARRIVAL_MEMORY_SECONDS
            }
            for seen, job in sorted(self._arrivals.values(), key=lambda item: item[1].order):
                if schedule.ticket(job.id) is None and seen >= began:
                    self._add(snapshot, job)
            self._snapshot = snapshot
        return snapshot

    def _keep_fresh(self) -> None:
        pause = self._refresh
        while time.monotonic() - self._last_asked < _IDLE_AFTER_SECONDS:
            self._wanted.wait(pause)
            self._wanted.clear()
            started = time.monotonic()
            try:
                self.refresh()
            except sa.exc.SQLAlchemyError:
                time.sleep(self._refresh)  # the database is restarting; requests still answer
            # A long queue takes longer to plan: re-plan less often, so planning never
            # takes more than a small share of the process (arrivals are added meanwhile).
            cost = time.monotonic() - started
            pause = min(max(self._refresh, _COST_SHARE * cost), _MAX_REFRESH_SECONDS)

    def _compute(self) -> Schedule:
        now = self._clock()
        self._refresh_service_times()
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
        # Plain SQL, arrival computed by the database: this runs several times a
        # second over thousands of rows.
        rows = conn.exec_driver_sql(_QUEUED_SQL[conn.dialect.name])
        return [QueuedJob(r[0], r[1], r[2], r[3], float(r[4]), bool(r[5])) for r in rows]

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
        return [RunningJob(row.id, row.user_id, self._remaining(row, now)) for row in rows]

    def _remaining(self, row: Any, now: datetime) -> float:
        """Seconds left for a running episode: expected duration minus time spent,
        plus any retry pause still to wait."""
        expected = self.service_times(row.type)
        elapsed = (now - (row.started_at or now)).total_seconds()
        wait = 0.0
        if row.retry and row.retry.get("next_attempt_at"):
            resume = datetime.fromisoformat(row.retry["next_attempt_at"])
            wait = max(0.0, (resume - now).total_seconds())
            elapsed = 0.0  # the stage starts over after the pause
        return max(wait + max(expected - elapsed, 0.1 * expected), _MIN_ETA_SECONDS)

    def _live_slots(self, conn: sa.Connection) -> int:
        cutoff = self._clock() - timedelta(seconds=self._settings.worker_dead_after_seconds)
        total = conn.execute(
            sa.select(sa.func.sum(workers.c.slots)).where(
                workers.c.heartbeat_at >= cutoff, workers.c.stopped_at.is_(None)
            )
        ).scalar()
        # No live worker yet: plan for the configured one that serve or worker will start.
        return int(total or self._settings.worker_slots)

    def _refresh_service_times(self) -> None:
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


# Waiting podcasts, with their arrival in seconds since the epoch (stored as UTC).
_QUEUED_SQL = {
    "sqlite": "SELECT id, user_id, type, priority, (julianday(created_at) - 2440587.5) * 86400.0,"
    " held FROM podcasts WHERE status = 'queued'",
    "postgresql": "SELECT id, user_id, type, priority, extract(epoch from created_at), held"
    " FROM podcasts WHERE status = 'queued'",
}


def _queued_job(podcast: Podcast) -> QueuedJob:
    return QueuedJob(
        podcast.id,
        podcast.user_id,
        podcast.type,
        podcast.priority,
        podcast.created_at.timestamp(),
        podcast.held,
    )
