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
    tickets = plan(queued, [], slots=1, service_seconds=SERVICE.__getitem__)
    assert [tickets[j.id].position for j in queued] == [1, 2, 3, 4]
    assert [tickets[j.id].eta_seconds for j in queued] == [5.0, 10.0, 15.0, 20.0]


def test_two_slots_halve_the_wait() -> None:
    queued = [job(i, f"u{i}") for i in range(4)]
    tickets = plan(queued, [], slots=2, service_seconds=SERVICE.__getitem__)
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
    )
    order = sorted(tickets, key=lambda k: tickets[k].position)
    assert order == [premium_daily.id, premium_weekly.id, free_daily.id, free_weekly.id]


def test_one_listener_runs_one_at_a_time_and_others_overtake() -> None:
    # u1 asked three times first; u2 later. With two slots u2 must not wait for all of u1's.
    queued = [job(0, "u1"), job(1, "u1"), job(2, "u1"), job(3, "u2")]
    tickets = plan(queued, [], slots=2, service_seconds=SERVICE.__getitem__)
    assert tickets["j000"].eta_seconds == 5.0
    assert tickets["j003"].position == 2 and tickets["j003"].eta_seconds == 5.0
    assert tickets["j001"].eta_seconds == 10.0
    assert tickets["j002"].eta_seconds == 15.0


def test_running_jobs_have_position_zero_and_occupy_slots() -> None:
    running = [RunningJob("r1", "u9", remaining_seconds=3.0)]
    queued = [job(0, "u1"), job(1, "u9")]
    tickets = plan(queued, running, slots=1, service_seconds=SERVICE.__getitem__)
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
    )
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
    tickets = plan(queued, running, slots=slots, service_seconds=SERVICE.__getitem__)
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
