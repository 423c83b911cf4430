"""A burst of thousands of requests from hundreds of listeners (DESIGN §5).

Everything is real: ``briefcast serve`` in its own process, a real database,
real workers; only the voice is the quick test tone (``ledger-tone``) and the
episodes are short, so the workers get through many of them. The burst mixes
listeners asking for several different episodes (more than the per-listener
queue limit), exact repeats, repeats under one ``Idempotency-Key``, and one
greedy listener hammering the API on many connections. Then:

* every answer is a 202, a 200 (a repeat) or a 429 with ``Retry-After`` —
  never a 5xx or a dropped connection;
* every accepted podcast exists exactly once, in our tables and as one
  workflow in the durable queue; every repeat got the same podcast back;
* no listener ever had more than the queue limit waiting, and none was
  refused before reaching it — the greedy one took nothing from the others;
* while the workers drain the queue, no listener ever has two episodes in
  production at once, every stage of every finished episode ran exactly once,
  and nothing is lost or failed.

The whole backlog (600-odd episodes) takes minutes to drain on two cores —
measured with this mix: about 3.8 episodes a second on SQLite, 2.7 with two
one-slot workers on Postgres — so the workers finish a fixed number of
episodes and the checks cover what ran; the rest must still be waiting,
whole, in the queue.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from bench.rawhttp import Pool, Reply

from briefcast.bill_import import load_demo_bills
from briefcast.engine import WORKFLOW_NAME
from briefcast.engine.dbos_adapter import DbosQueue
from briefcast.runtime import Runtime
from briefcast.settings import Settings
from briefcast.stages import STAGES
from briefcast.tables import podcast_events, podcasts
from tests.support.databases import database
from tests.support.server import cli, environment, server, started

pytestmark = pytest.mark.slow

LIMIT = 3  # BRIEFCAST_USER_QUEUE_LIMIT, set explicitly below
LISTENERS = 220
GREEDY_REQUESTS = 400
DRAIN_EPISODES, DRAIN_TIMEOUT = 30, 60.0  # all of them take minutes (see above)
CALM_CONNECTIONS, GREEDY_CONNECTIONS = 48, 16
IN_FLIGHT = CALM_CONNECTIONS + GREEDY_CONNECTIONS


@dataclass(frozen=True)
class Ask:
    """One POST /api/podcasts: who, which bills, and an Idempotency-Key if any."""

    listener: int
    bills: tuple[str, ...]
    key: str | None = None

    @property
    def request(self) -> tuple[int, tuple[str, ...]]:
        """Asks with the same request must all be answered with the same podcast."""
        return (self.listener, self.bills)


@dataclass(frozen=True)
class Answer:
    ask: Ask
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def burst_plan(rng: random.Random, bills: list[str]) -> tuple[list[Ask], list[Ask]]:
    """The ordinary listeners' asks (shuffled) and the greedy listener's (``LISTENERS``)."""
    small = [tuple(c) for n in (1, 2) for c in itertools.combinations(sorted(bills), n)]
    ordinary: list[Ask] = []
    for listener in range(LISTENERS):
        for n, chosen in enumerate(rng.sample(small, rng.randint(2, 6))):
            keyed = listener % 3 == 0 and n == 0
            key = f"burst-{listener}" if keyed else None
            copies = 3 if keyed else rng.choice((1, 1, 2, 3))
            ordinary += [Ask(listener, chosen, key)] * copies
    rng.shuffle(ordinary)
    large = [tuple(c) for c in itertools.combinations(sorted(bills), 3)]
    greedy = [Ask(LISTENERS, chosen) for chosen in rng.sample(large, GREEDY_REQUESTS)]
    return ordinary, greedy


async def _fire(url: str, keys: list[str], ordinary: list[Ask], greedy: list[Ask]) -> list[Answer]:
    """All asks at once: the greedy listener on connections of its own, starting a
    moment ahead so its episodes head the line; the ordinary listeners on the others."""
    answers: list[Answer] = []
    calm, hog = Pool(url, CALM_CONNECTIONS), Pool(url, GREEDY_CONNECTIONS)

    async def one(pool: Pool, ask: Ask) -> None:
        headers = {"Authorization": f"Bearer {keys[ask.listener]}"}
        if ask.key is not None:
            headers["Idempotency-Key"] = ask.key
        body = {"type": "daily", "bills": list(ask.bills)}
        reply: Reply = await pool.send_json("/api/podcasts", body, headers)
        payload = json.loads(reply.body) if reply.body else {}
        answers.append(Answer(ask, reply.status, reply.headers, payload))

    try:
        hogging = [asyncio.create_task(one(hog, ask)) for ask in greedy]
        await asyncio.sleep(0.25)
        await asyncio.gather(*(one(calm, ask) for ask in ordinary), *hogging)
    finally:
        await calm.close()
        await hog.close()
    return answers


# --- checks on the answers -----------------------------------------------------


def check_statuses(answers: list[Answer]) -> Counter[int]:
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {200, 202, 429}, statuses
    for answer in answers:
        if answer.status == 429:
            assert int(answer.headers["retry-after"]) >= 1
            assert answer.body["error"]["code"] == "queue_limit_reached"
        else:
            check_ticket(answer)
    return statuses


def check_ticket(answer: Answer) -> None:
    """Position and ETA as the design defines them, for the podcast's status."""
    body = answer.body
    if answer.status == 202:
        assert body["status"] == "queued" and body["message"].startswith("Queued!"), body
    if body["status"] == "queued":
        assert body["position"] >= 1 and body["eta_seconds"] > 0, body
    elif body["status"] == "processing":
        assert body["position"] == 0 and body["eta_seconds"] > 0, body
    else:
        assert body["status"] == "completed" and body["position"] is None, body


def check_repeats(answers: list[Answer]) -> dict[str, int]:
    """Every ask of one request got one podcast (made once); returns podcast → listener."""
    by_request: dict[tuple[int, tuple[str, ...]], list[Answer]] = defaultdict(list)
    for answer in answers:
        by_request[answer.ask.request].append(answer)
    accepted: dict[str, int] = {}
    for request, group in by_request.items():
        ids = {a.body["id"] for a in group if a.status in (200, 202)}
        made = [a for a in group if a.status == 202]
        assert len(ids) <= 1, (request, ids)
        assert len(made) == len(ids), (request, [a.status for a in group])
        if made:
            accepted[made[0].body["id"]] = request[0]
    repeats = sum(len(g) - 1 for g in by_request.values())
    assert repeats > 500, "the burst must repeat many requests"
    return accepted


def check_admission(answers: list[Answer], accepted: dict[str, int]) -> Counter[int]:
    """No listener was refused before reaching the limit (the greedy one took no one's
    place); returns how many podcasts each listener got."""
    per_listener = Counter(accepted.values())
    for listener, requests in _distinct_requests(answers).items():
        assert per_listener[listener] >= min(requests, LIMIT), listener
    return per_listener


def _distinct_requests(answers: list[Answer]) -> dict[int, int]:
    """How many different episodes each listener asked for."""
    return dict(Counter(listener for listener, _ in {a.ask.request for a in answers}))


# --- checks on the database and the durable queue -------------------------------


def check_stored(runtime: Runtime, accepted: dict[str, int], users: list[str]) -> None:
    """Each accepted podcast exists once, for its listener, with exactly one workflow."""
    with runtime.db.read() as conn:
        rows = conn.execute(sa.select(podcasts.c.id, podcasts.c.user_id)).all()
    assert Counter(r.id for r in rows) == Counter(accepted.keys())
    assert {r.id: r.user_id for r in rows} == {p: users[n] for p, n in accepted.items()}
    assert isinstance(runtime.queue, DbosQueue)
    workflows = runtime.queue.client.list_workflows(
        name=WORKFLOW_NAME, load_input=False, load_output=False
    )
    assert Counter(w.workflow_id for w in workflows) == Counter(accepted.keys())


def check_queue_limit(runtime: Runtime) -> int:
    """Replaying the event log in order, no listener ever had more than LIMIT waiting.

    On SQLite the log's order is the order of the transactions; on Postgres a
    start may be placed before an enqueue that did see it waiting, which can
    only make this check more lenient, never fail a correct run.
    """
    waiting: Counter[str] = Counter()
    started: set[str] = set()
    most = 0
    for event in _events(runtime):
        if event.type == "queued":
            waiting[event.user_id] += 1
            most = max(most, waiting[event.user_id])
            assert waiting[event.user_id] <= LIMIT, event
        elif event.type == "stage" and event.podcast_id not in started:
            started.add(event.podcast_id)
            waiting[event.user_id] -= 1
    return most


def _events(runtime: Runtime) -> Iterator[Any]:
    with runtime.db.read() as conn:
        yield from conn.execute(podcast_events.select().order_by(podcast_events.c.id)).all()


# --- draining -------------------------------------------------------------------


def drain(runtime: Runtime, episodes: int, timeout: float) -> tuple[int, float]:
    """Let the workers finish ``episodes`` more episodes: how many they did, in how long."""
    began = time.monotonic()
    before = done = _completed(runtime)
    while done - before < episodes:
        assert time.monotonic() - began < timeout, f"only {done - before} episodes completed"
        time.sleep(0.25)
        done = _completed(runtime)
    return done - before, time.monotonic() - began


def _completed(runtime: Runtime) -> int:
    with runtime.db.read() as conn:
        query = sa.select(sa.func.count()).where(podcasts.c.status == "completed")
        return int(conn.execute(query).scalar_one())


def check_ran_fairly(runtime: Runtime, greedy_user: str) -> dict[str, int]:
    """What ran: once per stage, one episode at a time per listener, nothing lost."""
    with runtime.db.read() as conn:
        rows = conn.execute(podcasts.select()).all()
    statuses = Counter(r.status for r in rows)
    assert set(statuses) <= {"queued", "processing", "completed"}, [
        (r.id, r.status, r.error_message) for r in rows if r.status in ("failed", "cancelled")
    ]
    check_stages_once(runtime, {r.id for r in rows if r.status == "completed"})
    check_engine_agrees(runtime, rows)
    spans = _spans(rows)
    for user_id, intervals in spans.items():
        for (_, end), (start, _) in itertools.pairwise(sorted(intervals)):
            assert end <= start, f"{user_id} had two episodes in production at once"
    greedy = spans[greedy_user]
    others = [span for user, s in spans.items() if user != greedy_user for span in s]
    assert len(greedy) >= 2, "the greedy listener's first episodes are near the front"
    for start, end in greedy:
        assert any(s < end and start < e for s, e in others), "the greedy one ran alone"
    return dict(statuses)


def check_stages_once(runtime: Runtime, completed: set[str]) -> None:
    begins = Counter(
        (e.podcast_id, e.data["stage"])
        for e in _events(runtime)
        if e.type == "stage" and e.data["progress"] == 0.0
    )
    assert set(begins.values()) <= {1}, [k for k, v in begins.items() if v > 1]
    for podcast_id in completed:
        assert all(begins[(podcast_id, stage)] == 1 for stage, _ in STAGES), podcast_id


def check_engine_agrees(runtime: Runtime, rows: list[Any]) -> None:
    assert isinstance(runtime.queue, DbosQueue)
    states = runtime.queue.states([r.id for r in rows])
    # A job stopped with its worker is PENDING, to be resumed (a completed one may
    # still have had its notifications to send); a queued one about to start, too.
    expected = {
        "completed": {"SUCCESS", "PENDING"},
        "processing": {"PENDING"},
        "queued": {"ENQUEUED", "DELAYED", "PENDING"},
    }
    for row in rows:
        assert states[row.id] in expected[row.status], (row.id, row.status, states[row.id])


def _spans(rows: list[Any]) -> dict[str, list[tuple[datetime, datetime]]]:
    """Per listener, when each episode was in production (until now if it still is)."""
    now = datetime.now(UTC)
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in rows:
        if row.started_at is not None:
            end = row.finished_at if row.finished_at is not None else now
            spans[row.user_id].append((_utc(row.started_at), _utc(end)))
    return spans


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the test -------------------------------------------------------------------


def _listeners(env: dict[str, str]) -> tuple[Runtime, list[tuple[str, str]], list[str]]:
    """Demo bills and many listeners, created through the product's own code (fast)."""
    cli(env, "migrate")
    settings = Settings(
        home=Path(env["BRIEFCAST_HOME"]), database_url=env.get("BRIEFCAST_DATABASE_URL")
    )
    runtime = Runtime(settings)
    runtime.bills.upsert(load_demo_bills())
    # The ordinary listeners, the greedy one, and one who warms the worker up.
    made = [runtime.users.create(f"listener-{n:04d}") for n in range(LISTENERS + 2)]
    return runtime, [(user.id, key) for user, key in made], [str(b.id) for b in load_demo_bills()]


def warm_up(url: str, key: str, bill: str) -> str:
    """One episode through the worker, so the burst meets a worker that is running."""
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=auth, timeout=30) as client:
        podcast = client.post("/api/podcasts", json={"type": "daily", "bills": [bill]}).json()
        deadline = time.monotonic() + 60
        while client.get(f"/api/podcasts/{podcast['id']}").json()["status"] != "completed":
            assert time.monotonic() < deadline, "the warm-up episode did not complete"
            time.sleep(0.1)
    return str(podcast["id"])


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_burst_from_hundreds_of_listeners(tmp_path: Path, kind: str) -> None:
    """SQLite: one `serve`, its worker busy during the burst. Postgres: the burst
    reaches an API with no worker (nothing moves, so the limit and the positions
    can be checked exactly), then two separate workers drain the queue."""
    with database(kind, tmp_path) as url:
        env = environment(
            tmp_path,
            BRIEFCAST_DATABASE_URL=url,
            BRIEFCAST_PLUGINS="tests.support.plugin",
            BRIEFCAST_VOICE="ledger-tone",
            BRIEFCAST_DAILY_TARGET_SECONDS="25",
            BRIEFCAST_USER_QUEUE_LIMIT=str(LIMIT),
            BRIEFCAST_WORKER_SLOTS="2",
            BRIEFCAST_LOG_LEVEL="warning",
        )
        runtime, listeners, bills = _listeners(env)
        try:
            _burst_and_drain(tmp_path, env, runtime, listeners, bills, static=kind == "postgres")
        finally:
            runtime.close()


def _burst_and_drain(
    tmp_path: Path,
    env: dict[str, str],
    runtime: Runtime,
    listeners: list[tuple[str, str]],
    bills: list[str],
    *,
    static: bool,
) -> None:
    users = [user for user, _ in listeners]
    keys = [key for _, key in listeners]
    ordinary, greedy = burst_plan(random.Random(5), bills)
    with ExitStack() as stack:
        srv = stack.enter_context(
            server(env, tmp_path / "server.log", *(["--no-worker"] if static else []))
        )
        url = srv.url or ""
        warmed = {} if static else {warm_up(url, keys[-1], bills[0]): len(users) - 1}
        began = time.monotonic()
        answers = asyncio.run(_fire(url, keys, ordinary, greedy))
        burst_seconds = time.monotonic() - began
        statuses = check_statuses(answers)
        accepted = check_repeats(answers)
        per_listener = check_admission(answers, accepted)
        check_stored(runtime, accepted | warmed, users)
        assert check_queue_limit(runtime) == LIMIT
        if static:
            shifts = check_static_positions(runtime, answers, per_listener)
            print(f"\nposition given minus position in a fresh plan: {sorted(shifts.items())}")
            for name in ("worker-a", "worker-b"):
                worker_env = env | {"BRIEFCAST_EXECUTOR_ID": name, "BRIEFCAST_WORKER_SLOTS": "1"}
                stack.enter_context(started(worker_env, "worker", log=tmp_path / f"{name}.log"))
        completed, drained = drain(runtime, DRAIN_EPISODES, DRAIN_TIMEOUT)
    # Workers stopped: the tables and the engine hold still while they are compared.
    final = check_ran_fairly(runtime, users[LISTENERS])
    print(
        f"\n{len(answers)} requests in {burst_seconds:.1f}s ({len(answers) / burst_seconds:.0f}/s):"
        f" {dict(statuses)}; {len(accepted)} podcasts accepted, the greedy listener's"
        f" {per_listener[LISTENERS]} of {GREEDY_REQUESTS}; then {completed} completed in"
        f" {drained:.1f}s; now {final}"
    )


def check_static_positions(
    runtime: Runtime, answers: list[Answer], per_listener: Counter[int]
) -> Counter[int]:
    """Nothing started during the burst: the limit is exact, and each position given
    is where the podcast stands in a fresh plan of the whole queue, give or take the
    requests in flight beside it (their order is settled only as they commit, and
    the running schedule shifts the ones they overtake approximately until the
    next plan). Returns how far each position given was off."""
    for listener, requests in _distinct_requests(answers).items():
        assert per_listener[listener] == min(requests, LIMIT), listener
    now = runtime.tickets.refresh().schedule.tickets
    given = {a.body["id"]: a.body["position"] for a in answers if a.status == 202}
    assert set(now) == set(given)
    shifts = Counter(now[podcast].position - position for podcast, position in given.items())
    assert max(abs(shift) for shift in shifts) <= IN_FLIGHT, shifts
    return shifts
