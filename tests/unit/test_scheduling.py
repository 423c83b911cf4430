from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from briefcast.scheduling import QueuedJob, RunningJob, ServiceTimes, plan, priority_for

SERVICE = {"daily": 5.0, "weekly": 12.0}


def job(
    i: int, user: str, kind: str = "daily", priority: int = 3, arrival: float | None = None
) -> QueuedJob:
    return QueuedJob(f"j{i:03d}", user, kind, priority, float(i if arrival is None else arrival))


def test_fifo_with_one_slot_and_distinct_users() -> None:
    queued = [job(i, f"u{i}") for i in range(4)]
    tickets = plan(queued, [], slots=1, service_seconds=SERVICE.__getitem__).tickets
    assert [tickets[j.id].position for j in queued] == [1, 2, 3, 4]
    assert [tickets[j.id].eta_seconds for j in queued] == [5.0, 10.0, 15.0, 20.0]


def test_two_slots_halve_the_wait() -> None:
    queued = [job(i, f"u{i}") for i in range(4)]
    tickets = plan(queued, [], slots=2, service_seconds=SERVICE.__getitem__).tickets
    assert [tickets[j.id].eta_seconds for j in queued] == [5.0, 5.0, 10.0, 10.0]


def test_premium_and_daily_go_first() -> None:
    free_weekly = job(0, "a", "weekly", priority_for(premium=False, episode_type="weekly"))
    free_daily = job(1, "b", "daily", priority_for(premium=False, episode_type="daily"))
    premium_weekly = job(2, "c", "weekly", priority_for(premium=True, episode_type="weekly"))
    premium_daily = job(3, "d", "daily", priority_for(premium=True, episode_type="daily"))
    tickets = plan(
        [free_weekly, free_daily, premium_weekly, premium_daily],
        [],
        slots=1,
        service_seconds=SERVICE.__getitem__,
    ).tickets
    order = sorted(tickets, key=lambda k: tickets[k].position)
    assert order == [premium_daily.id, premium_weekly.id, free_daily.id, free_weekly.id]


def test_one_listener_runs_one_at_a_time_and_others_overtake() -> None:
    # u1 asked three times first; u2 later. With two slots u2 must not wait for all of u1's.
    queued = [job(0, "u1"), job(1, "u1"), job(2, "u1"), job(3, "u2")]
    tickets = plan(queued, [], slots=2, service_seconds=SERVICE.__getitem__).tickets
    assert tickets["j000"].eta_seconds == 5.0
    assert tickets["j003"].position == 2 and tickets["j003"].eta_seconds == 5.0
    assert tickets["j001"].eta_seconds == 10.0
    assert tickets["j002"].eta_seconds == 15.0


def test_running_jobs_have_position_zero_and_occupy_slots() -> None:
    running = [RunningJob("r1", "u9", remaining_seconds=3.0)]
    queued = [job(0, "u1"), job(1, "u9")]
    tickets = plan(queued, running, slots=1, service_seconds=SERVICE.__getitem__).tickets
    assert tickets["r1"].position == 0 and tickets["r1"].eta_seconds == 3.0
    assert tickets["j000"].eta_seconds == 8.0
    # u9's queued job waits for u9's running one and for the slot.
    assert tickets["j001"].eta_seconds == 13.0


def test_dispatch_delay_is_added_per_job() -> None:
    tickets = plan(
        [job(0, "a"), job(1, "b")],
        [],
        slots=1,
        service_seconds=SERVICE.__getitem__,
        dispatch_seconds=0.5,
    ).tickets
    assert tickets["j001"].eta_seconds == 11.0


def test_service_times_use_median_of_recent_samples() -> None:
    times = ServiceTimes({"daily": 8.0, "weekly": 20.0}, window=3)
    assert times("daily") == 8.0
    for value in (100.0, 2.0, 3.0, 4.0):
        times.record("daily", value)
    assert times("daily") == 3.0  # 100 fell out of the window
    assert times("weekly") == 20.0


jobs_strategy = st.lists(
    st.tuples(st.integers(0, 6), st.sampled_from(["daily", "weekly"]), st.integers(1, 4)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(jobs_strategy, st.integers(1, 4), st.lists(st.floats(0, 30), max_size=4))
def test_invariants(spec: list[tuple[int, str, int]], slots: int, remaining: list[float]) -> None:
    queued = [
        QueuedJob(f"q{i}", f"u{u}", kind, prio, float(i)) for i, (u, kind, prio) in enumerate(spec)
    ]
    running = [RunningJob(f"r{i}", f"v{i}", rem) for i, rem in enumerate(remaining)]
    tickets = plan(queued, running, slots=slots, service_seconds=SERVICE.__getitem__).tickets
    # Positions are 1..N for queued jobs, 0 for running ones, and no ETA is negative.
    assert sorted(tickets[q.id].position for q in queued) == list(range(1, len(queued) + 1))
    assert all(tickets[r.id].position == 0 for r in running)
    assert all(t.eta_seconds >= 0 for t in tickets.values())
    # A listener's episodes never overlap, and each is ready after the one before.
    by_user: dict[str, list[tuple[float, float]]] = {}
    for q in queued:
        finish = tickets[q.id].eta_seconds
        by_user.setdefault(q.user_id, []).append((finish - SERVICE[q.type], finish))
    for spans in by_user.values():
        spans.sort()
        assert all(a[1] <= b[0] + 1e-9 for a, b in itertools.pairwise(spans))
    # Starting clearly later always means a later position.
    starts = [(tickets[q.id].eta_seconds - SERVICE[q.type], tickets[q.id].position) for q in queued]
    for start_a, pos_a in starts:
        for start_b, pos_b in starts:
            if start_a < start_b - 1e-6:
                assert pos_a < pos_b


def test_a_released_episode_runs_before_the_listeners_held_ones() -> None:
    # u1's weekly was released first; their later daily waits even though dailies outrank weeklies.
    released = QueuedJob("w", "u1", "weekly", 4, 0.0, held=False)
    held = QueuedJob("d", "u1", "daily", 3, 1.0, held=True)
    tickets = plan([held, released], [], slots=2, service_seconds=SERVICE.__getitem__).tickets
    assert tickets["w"].position == 1
    assert tickets["d"].eta_seconds == 12.0 + 5.0


@settings(max_examples=400, deadline=None)
@given(
    jobs_strategy,
    st.integers(1, 3),
    st.lists(st.tuples(st.integers(0, 6), st.floats(0, 30)), max_size=3),
    st.tuples(st.integers(0, 7), st.sampled_from(["daily", "weekly"]), st.integers(1, 4)),
)
def test_placing_one_arrival_matches_replanning(
    spec: list[tuple[int, str, int]],
    slots: int,
    busy: list[tuple[int, float]],
    arrival: tuple[int, str, int],
) -> None:
    running = [RunningJob(f"r{i}", f"u{u}", rem) for i, (u, rem) in enumerate(busy)]
    active_users = {r.user_id for r in running}
    queued: list[QueuedJob] = []
    for i, (u, kind, prio) in enumerate(spec):
        user = f"u{u}"
        queued.append(QueuedJob(f"q{i}", user, kind, prio, float(i), held=user in active_users))
        active_users.add(user)
    u, kind, prio = arrival
    user = f"u{u}"
    new = QueuedJob("new", user, kind, prio, float(len(spec)), held=user in active_users)
    before = plan(queued, running, slots=slots, service_seconds=SERVICE.__getitem__)
    after = plan([*queued, new], running, slots=slots, service_seconds=SERVICE.__getitem__)
    assert before.place(new, SERVICE[kind]) == after.tickets["new"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["daily", "weekly"]), st.integers(1, 4)), max_size=20),
    st.integers(1, 3),
    st.lists(st.sampled_from(["daily", "weekly"]), min_size=1, max_size=20),
)
def test_a_burst_from_many_listeners_is_planned_exactly(
    spec: list[tuple[str, int]], slots: int, burst: list[str]
) -> None:
    # Every queued job and every arrival belongs to a different listener; arrivals join the
    # back of the line. That is the shape of a burst, and adding stays exact for it.
    queued = [
        QueuedJob(f"q{i}", f"u{i}", kind, prio, float(i)) for i, (kind, prio) in enumerate(spec)
    ]
    schedule = plan(queued, [], slots=slots, service_seconds=SERVICE.__getitem__)
    arrivals = [QueuedJob(f"n{n}", f"b{n}", kind, 9, 100.0 + n) for n, kind in enumerate(burst)]
    for job in arrivals:
        schedule.add(job, SERVICE[job.type])
    replanned = plan([*queued, *arrivals], [], slots=slots, service_seconds=SERVICE.__getitem__)
    assert schedule.tickets == replanned.tickets


@settings(max_examples=300, deadline=None)
@given(
    jobs_strategy,
    st.integers(1, 3),
    st.lists(
        st.tuples(st.integers(0, 9), st.sampled_from(["daily", "weekly"])), min_size=1, max_size=15
    ),
)
def test_added_arrivals_queue_behind_each_other(
    spec: list[tuple[int, str, int]], slots: int, burst: list[tuple[int, str]]
) -> None:
    queued = [
        QueuedJob(f"q{i}", f"u{u}", kind, prio, float(i)) for i, (u, kind, prio) in enumerate(spec)
    ]
    schedule = plan(queued, [], slots=slots, service_seconds=SERVICE.__getitem__)
    seen: set[str] = set()
    tickets = []
    for n, (u, kind) in enumerate(burst):
        user = f"b{u}"
        tickets.append(
            schedule.add(
                QueuedJob(f"n{n}", user, kind, 9, 100.0 + n, held=user in seen), SERVICE[kind]
            )
        )
        seen.add(user)
    positions = sorted(t.position for t in schedule.tickets.values() if t.position > 0)
    assert positions == list(range(1, len(queued) + len(burst) + 1))
    assert all(t.eta_seconds > 0 for t in tickets)
