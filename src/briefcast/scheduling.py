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


@dataclass(frozen=True)
class QueuedJob:
    id: str
    user_id: str
    type: str
    priority: int
    arrival: float  # any increasing measure of arrival; ties broken by id
    held: bool = False  # waiting behind the same listener's released episode

    @property
    def order(self) -> tuple[int, float, str]:
        return (self.priority, self.arrival, self.id)


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


@dataclass
class Schedule:
    """A simulated timeline of the queue: every job's ticket, and what it takes to place more."""

    tickets: dict[str, Ticket]
    starts: dict[str, float]
    order: list[tuple[int, float, str]]  # queued jobs in dispatch-preference order
    lines: dict[
        str, list[tuple[tuple[int, int, float, str], float]]
    ]  # per listener: (line key, finish)
    idle: list[tuple[float, float]]  # (from, until) a slot has nothing it can start
    dispatch_seconds: float

    def place(self, job: QueuedJob, service_seconds: float, not_before: float = 0.0) -> Ticket:
        """The ticket of one more arrival, without re-planning.

        Jobs ahead of it keep their start times; it takes the first slot that,
        in this schedule, went to a job behind it (or fell idle) once its
        listener is free. Exact for a single arrival into this snapshot.
        """
        start, _ = self._slot_for(job, not_before)
        return Ticket(self._position(job, start), start + self.dispatch_seconds + service_seconds)

    def add(self, job: QueuedJob, service_seconds: float, not_before: float = 0.0) -> Ticket:
        """Place ``job`` and keep it in the schedule, so the next arrival queues behind it.

        Exact while arrivals join the back of the line (the usual case). A job
        that overtakes others (a premium listener's) is placed exactly, but the
        ones it pushes back are only shifted approximately until the next plan.
        """
        start, taken = self._slot_for(job, not_before)
        ticket = Ticket(self._position(job, start), start + self.dispatch_seconds + service_seconds)
        finish = ticket.eta_seconds
        if isinstance(taken, tuple):
            a, b = taken
            self.idle.remove(taken)
            self.idle.extend(gap for gap in ((a, start), (finish, b)) if gap[0] < gap[1])
        elif taken is not None:
            self.starts[taken] = finish  # pushed back by the newcomer
            self.tickets[taken] = Ticket(
                self.tickets[taken].position, finish + self.tickets[taken].eta_seconds - start
            )
        for other in self.order:  # everyone starting after the newcomer moves back one place
            other_start = self.starts[other[2]]
            if other_start > start or (other_start == start and other > job.order):
                behind = self.tickets[other[2]]
                self.tickets[other[2]] = Ticket(behind.position + 1, behind.eta_seconds)
        self.tickets[job.id] = ticket
        self.starts[job.id] = start
        bisect.insort(self.order, job.order)
        self.lines.setdefault(job.user_id, []).append((_line_key(job), finish))
        return ticket

    def _slot_for(
        self, job: QueuedJob, not_before: float
    ) -> tuple[float, tuple[float, float] | str | None]:
        """When ``job`` would start, and whose slot it would take (an idle gap or a job id)."""
        key = _line_key(job)
        user_line = self.lines.get(job.user_id, ())
        free = max((finish for k, finish in user_line if k < key), default=not_before)
        free = max(free, not_before)
        behind_in_line = {k[3] for k, _ in user_line if k > key}
        best: tuple[float, tuple[float, float] | str | None] = (math.inf, None)
        for a, b in self.idle:
            if max(a, free) < b and max(a, free) < best[0]:
                best = (max(a, free), (a, b))
        for other in self.order[bisect.bisect_right(self.order, job.order) :]:
            start = self.starts[other[2]]
            if free <= start < best[0]:
                best = (start, other[2])
        for other_id in behind_in_line:
            start = self.starts.get(other_id, math.inf)
            if free <= start < best[0]:
                best = (start, other_id)
        return best if best[0] < math.inf else (free, None)

    def _position(self, job: QueuedJob, start: float) -> int:
        return 1 + sum(
            1
            for other in self.order
            if self.starts[other[2]] < start
            or (self.starts[other[2]] == start and other < job.order)
        )


def _line_key(job: QueuedJob) -> tuple[int, int, float, str]:
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
    tickets = {job.id: Ticket(0, max(job.remaining_seconds, 0.0)) for job in running}
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
    idle: list[tuple[float, float]] = []
    finished: dict[str, list[tuple[tuple[int, int, float, str], float]]] = defaultdict(list)
    position = 0
    while ready or waiting:
        now = heapq.heappop(slot_times)
        _admit(waiting, ready, lines, now)
        if not ready:
            # Nobody can start yet: this slot idles until the next listener is free.
            idle.append((now, waiting[0][0]))
            heapq.heappush(slot_times, waiting[0][0])
            continue
        chosen = heapq.heappop(ready)[1]
        position += 1
        finish = now + dispatch_seconds + service_seconds(chosen.type)
        tickets[chosen.id] = Ticket(position, finish)
        starts[chosen.id] = now
        finished[chosen.user_id].append((_line_key(chosen), finish))
        heapq.heappush(slot_times, finish)
        if lines[chosen.user_id]:
            heapq.heappush(waiting, (finish, chosen.user_id))
    for job in running:
        finished[job.user_id].append(((-1, 0, 0.0, job.id), max(job.remaining_seconds, 0.0)))
    return Schedule(
        tickets=tickets,
        starts=starts,
        order=sorted(job.order for job in queued),
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
