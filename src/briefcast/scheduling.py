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

import bisect
import heapq
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import NamedTuple

__all__ = [
    "QueuedJob",
    "RunningJob",
    "Schedule",
    "ServiceTimes",
    "Ticket",
    "plan",
    "priority_for",
]


def priority_for(*, premium: bool, episode_type: str) -> int:
    """Lower starts first: premium before free, daily before weekly."""
    return (0 if premium else 2) + (1 if episode_type == "daily" else 2)


# Named tuples rather than dataclasses: a plan builds thousands of these several
# times a second, and tuples are several times cheaper to make.
class QueuedJob(NamedTuple):
    id: str
    user_id: str
    type: str
    priority: int
    arrival: float  # any increasing measure of arrival; ties broken by id
    held: bool = False  # waiting behind the same listener's released episode

    @property
    def order(self) -> tuple[int, float, str]:
        return (self.priority, self.arrival, self.id)


class RunningJob(NamedTuple):
    id: str
    user_id: str
    remaining_seconds: float


@dataclass(frozen=True)
class Ticket:
    """Where an episode stands: 0 while processing, N ≥ 1 while queued."""

    position: int
    eta_seconds: float


LineKey = tuple[int, int, float, str]
OrderKey = tuple[int, float, str]


class Schedule:
    """A simulated timeline of the queue: every job's ticket, and what it takes to place more.

    A queued job's position is its rank by start time (ties by dispatch
    preference), kept in a sorted list so reading or adding one is cheap even
    with thousands of jobs waiting.
    """

    def __init__(
        self,
        *,
        running: dict[str, float],
        starts: dict[str, float],
        finishes: dict[str, float],
        orders: dict[str, OrderKey],
        lines: dict[str, list[tuple[LineKey, float]]],
        idle: list[tuple[float, float]],
        dispatch_seconds: float,
    ) -> None:
        self._running = running
        self._starts = starts
        self._finishes = finishes
        self._orders = orders
        self._lines = lines  # per listener: (line key, finish)
        self._idle = idle  # (from, until) a slot has nothing it can start
        self._dispatch = dispatch_seconds
        self._order = sorted(orders.values())  # dispatch preference
        self._timeline = sorted((starts[job_id], key) for job_id, key in orders.items())

    def ticket(self, job_id: str) -> Ticket | None:
        if job_id in self._running:
            return Ticket(0, self._running[job_id])
        if job_id not in self._starts:
            return None
        rank = bisect.bisect_left(self._timeline, (self._starts[job_id], self._orders[job_id]))
        return Ticket(rank + 1, self._finishes[job_id])

    @property
    def tickets(self) -> dict[str, Ticket]:
        """Every job's ticket (running jobs at position 0)."""
        result = {job_id: Ticket(0, left) for job_id, left in self._running.items()}
        for rank, (_, key) in enumerate(self._timeline):
            result[key[2]] = Ticket(rank + 1, self._finishes[key[2]])
        return result

    def place(self, job: QueuedJob, service_seconds: float, not_before: float = 0.0) -> Ticket:
        """The ticket of one more arrival, without re-planning.

        Jobs ahead of it keep their start times; it takes the first slot that,
        in this schedule, went to a job behind it (or fell idle) once its
        listener is free. Exact for a single arrival into this snapshot.
        """
        start, _ = self._slot_for(job, not_before)
        rank = bisect.bisect_left(self._timeline, (start, job.order))
        return Ticket(rank + 1, start + self._dispatch + service_seconds)

    def add(self, job: QueuedJob, service_seconds: float, not_before: float = 0.0) -> Ticket:
        """Place ``job`` and keep it in the schedule, so the next arrival queues behind it.

        Exact while arrivals join the back of the line (the usual case). A job
        that overtakes others (a premium listener's) is placed exactly, but the
        ones it pushes back are only shifted approximately until the next plan.
        """
        if (known := self.ticket(job.id)) is not None:
            return known
        start, taken = self._slot_for(job, not_before)
        finish = start + self._dispatch + service_seconds
        if isinstance(taken, tuple):
            a, b = taken
            self._idle.remove(taken)
            self._idle.extend(gap for gap in ((a, start), (finish, b)) if gap[0] < gap[1])
        elif taken is not None:
            self._move(taken, finish)  # pushed back by the newcomer
        self._starts[job.id] = start
        self._finishes[job.id] = finish
        self._orders[job.id] = job.order
        bisect.insort(self._order, job.order)
        bisect.insort(self._timeline, (start, job.order))
        self._lines.setdefault(job.user_id, []).append((_line_key(job), finish))
        ticket = self.ticket(job.id)
        assert ticket is not None
        return ticket

    def _move(self, job_id: str, start: float) -> None:
        key = self._orders[job_id]
        self._timeline.remove((self._starts[job_id], key))
        self._finishes[job_id] += start - self._starts[job_id]
        self._starts[job_id] = start
        bisect.insort(self._timeline, (start, key))

    def _slot_for(
        self, job: QueuedJob, not_before: float
    ) -> tuple[float, tuple[float, float] | str | None]:
        """When ``job`` would start, and whose slot it would take (an idle gap or a job id)."""
        key = _line_key(job)
        user_line = self._lines.get(job.user_id, ())
        free = max([not_before, *(finish for k, finish in user_line if k < key)])
        behind_in_line = [k[3] for k, _ in user_line if k > key]
        best: tuple[float, tuple[float, float] | str | None] = (math.inf, None)
        for a, b in self._idle:
            if max(a, free) < b and max(a, free) < best[0]:
                best = (max(a, free), (a, b))
        behind = [other[2] for other in self._order[bisect.bisect_right(self._order, job.order) :]]
        for other_id in behind + behind_in_line:
            start = self._starts.get(other_id, math.inf)
            if free <= start < best[0]:
                best = (start, other_id)
        return best if best[0] < math.inf else (free, None)


def _line_key(job: QueuedJob) -> LineKey:
    """A listener's own line: the released episode first, then held ones by preference."""
    return (1 if job.held else 0, job.priority, job.arrival, job.id)


def plan(
    queued: Sequence[QueuedJob],
    running: Sequence[RunningJob],
    *,
    slots: int,
    service_seconds: Callable[[str], float],
    dispatch_seconds: float = 0.0,
) -> Schedule:
    """Simulate the dispatch policy over a snapshot of the queue."""
    free_at = sorted(max(job.remaining_seconds, 0.0) for job in running)
    # More running than slots (a worker just died): the surplus frees last.
    slot_times = free_at[:slots] + [0.0] * max(0, slots - len(free_at))
    heapq.heapify(slot_times)
    user_free: dict[str, float] = {}
    for job in running:
        user_free[job.user_id] = max(user_free.get(job.user_id, 0.0), job.remaining_seconds)
    lines = _per_user_lines(queued)
    ready: list[tuple[tuple[int, float, str], QueuedJob]] = []
    waiting: list[tuple[float, str]] = []  # (time the user is free, user)
    for user_id in lines:
        heapq.heappush(waiting, (user_free.get(user_id, 0.0), user_id))
    starts: dict[str, float] = {}
    finishes: dict[str, float] = {}
    idle: list[tuple[float, float]] = []
    finished: dict[str, list[tuple[LineKey, float]]] = defaultdict(list)
    while ready or waiting:
        now = heapq.heappop(slot_times)
        _admit(waiting, ready, lines, now)
        if not ready:
            # Nobody can start yet: this slot idles until the next listener is free.
            idle.append((now, waiting[0][0]))
            heapq.heappush(slot_times, waiting[0][0])
            continue
        chosen = heapq.heappop(ready)[1]
        finish = now + dispatch_seconds + service_seconds(chosen.type)
        starts[chosen.id] = now
        finishes[chosen.id] = finish
        finished[chosen.user_id].append((_line_key(chosen), finish))
        heapq.heappush(slot_times, finish)
        if lines[chosen.user_id]:
            heapq.heappush(waiting, (finish, chosen.user_id))
    for job in running:
        finished[job.user_id].append(((-1, 0, 0.0, job.id), max(job.remaining_seconds, 0.0)))
    return Schedule(
        running={job.id: max(job.remaining_seconds, 0.0) for job in running},
        starts=starts,
        finishes=finishes,
        orders={job.id: job.order for job in queued},
        lines=dict(finished),
        idle=idle + [(t, math.inf) for t in slot_times],
        dispatch_seconds=dispatch_seconds,
    )


def _per_user_lines(queued: Iterable[QueuedJob]) -> dict[str, deque[QueuedJob]]:
    by_user: dict[str, list[QueuedJob]] = defaultdict(list)
    for job in queued:
        by_user[job.user_id].append(job)
    return {user: deque(sorted(jobs, key=_line_key)) for user, jobs in by_user.items()}


def _admit(
    waiting: list[tuple[float, str]],
    ready: list[tuple[tuple[int, float, str], QueuedJob]],
    lines: dict[str, deque[QueuedJob]],
    now: float,
) -> None:
    """Move each listener who is free by ``now`` to the ready heap with their next job."""
    while waiting and waiting[0][0] <= now:
        _, user_id = heapq.heappop(waiting)
        job = lines[user_id].popleft()
        heapq.heappush(ready, (job.order, job))


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
