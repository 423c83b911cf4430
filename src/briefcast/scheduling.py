"""Queue positions and honest ETAs.

The engine dispatches like this: whenever a worker slot frees up, it starts the
first waiting episode in (priority, arrival) order whose listener has nothing
running — one episode at a time per listener. :func:`plan` replays exactly that
policy forward in time, with service times measured from recent episodes, so
``position`` is the order in which episodes will really start and
``eta_seconds`` is when each should be ready. It is a pure function; the
podcasts service feeds it a snapshot of the queue.
"""

from __future__ import annotations

import heapq
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

__all__ = [
    "QueuedJob",
    "RunningJob",
    "ServiceTimes",
    "Ticket",
    "plan",
    "priority_for",
]


def priority_for(*, premium: bool, episode_type: str) -> int:
    """Lower starts first: premium before free, daily before weekly."""
    return (0 if premium else 2) + (1 if episode_type == "daily" else 2)


@dataclass(frozen=True)
class QueuedJob:
    id: str
    user_id: str
    type: str
    priority: int
    arrival: float  # seconds since epoch; ties broken by id


@dataclass(frozen=True)
class RunningJob:
    id: str
    user_id: str
    remaining_seconds: float


@dataclass(frozen=True)
class Ticket:
    """Where an episode stands: 0 while processing, N ≥ 1 while queued."""

    position: int
    eta_seconds: float


def plan(
    queued: Sequence[QueuedJob],
    running: Sequence[RunningJob],
    *,
    slots: int,
    service_seconds: Callable[[str], float],
    dispatch_seconds: float = 0.0,
) -> dict[str, Ticket]:
    """Simulate the dispatch policy; return a ticket for every job given."""
    tickets = {job.id: Ticket(0, max(job.remaining_seconds, 0.0)) for job in running}
    free_at = sorted(max(job.remaining_seconds, 0.0) for job in running)
    # More running than slots (a worker just died): the surplus frees last.
    slot_times = free_at[:slots] + [0.0] * max(0, slots - len(free_at))
    heapq.heapify(slot_times)
    user_free: dict[str, float] = {}
    for job in running:
        user_free[job.user_id] = max(user_free.get(job.user_id, 0.0), job.remaining_seconds)
    lines = _per_user_lines(queued)
    ready: list[tuple[int, float, str, QueuedJob]] = []
    waiting: list[tuple[float, str]] = []  # (time the user is free, user)
    for user_id in lines:
        heapq.heappush(waiting, (user_free.get(user_id, 0.0), user_id))
    position = 0
    while ready or waiting:
        now = heapq.heappop(slot_times)
        _admit(waiting, ready, lines, now)
        if not ready:
            # Nobody can start yet: this slot idles until the next listener is free.
            heapq.heappush(slot_times, waiting[0][0])
            continue
        chosen = heapq.heappop(ready)[3]
        position += 1
        finish = now + dispatch_seconds + service_seconds(chosen.type)
        tickets[chosen.id] = Ticket(position, finish)
        heapq.heappush(slot_times, finish)
        if lines[chosen.user_id]:
            heapq.heappush(waiting, (finish, chosen.user_id))
    return tickets


def _per_user_lines(queued: Iterable[QueuedJob]) -> dict[str, deque[QueuedJob]]:
    by_user: dict[str, list[QueuedJob]] = defaultdict(list)
    for job in queued:
        by_user[job.user_id].append(job)
    return {
        user: deque(sorted(jobs, key=lambda j: (j.priority, j.arrival, j.id)))
        for user, jobs in by_user.items()
    }


def _admit(
    waiting: list[tuple[float, str]],
    ready: list[tuple[int, float, str, QueuedJob]],
    lines: dict[str, deque[QueuedJob]],
    now: float,
) -> None:
    """Move each listener who is free by ``now`` to the ready heap with their next job."""
    while waiting and waiting[0][0] <= now:
        _, user_id = heapq.heappop(waiting)
        job = lines[user_id].popleft()
        heapq.heappush(ready, (job.priority, job.arrival, job.id, job))


class ServiceTimes:
    """How long an episode of each type takes, from the most recent completions.

    The median of the last ``window`` durations per type resists the odd slow
    episode; before anything has been measured the given defaults apply.
    """

    def __init__(self, defaults: dict[str, float], window: int = 20) -> None:
        self._defaults = dict(defaults)
        self._window = window
        self._samples: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=window))

    def replace(self, samples: Mapping[str, Sequence[float]]) -> None:
        """Swap in freshly measured durations (newest last)."""
        for episode_type, values in samples.items():
            self._samples[episode_type] = deque(values[-self._window :], maxlen=self._window)

    def record(self, episode_type: str, seconds: float) -> None:
        self._samples[episode_type].append(seconds)

    def __call__(self, episode_type: str) -> float:
        samples = self._samples.get(episode_type)
        if samples:
            return float(median(samples))
        return self._defaults.get(episode_type, max(self._defaults.values(), default=30.0))
