"""How fast does "Generate" answer while the workers keep both cores busy rendering?

Starts the real server (``briefcast serve``: API + embedded worker, SQLite by
default) in a subprocess, fills the queue with weekly episodes so rendering
runs flat out, then measures HTTP POST /api/podcasts → 202 from many listeners:

* open loop at a fixed request rate (50/s, then 100/s) — latency is measured
  from the moment each request was *due*, so a stalled server cannot hide its
  backlog (no coordinated omission);
* closed loop: 50 clients sending back to back — throughput.

Prints a table and writes JSON under bench/results/. Targets (DESIGN §4, on
SQLite): p99 ≤ 20 ms at 50/s, p99 ≤ 50 ms at 100/s, ≥ 150 requests/s closed loop.

    python bench/enqueue.py [--database-url URL] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.server import cli, environment, server, started  # noqa: E402

from bench.machine import describe_machine, results_path  # noqa: E402
from bench.rawhttp import Pool  # noqa: E402


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_percent: float = 0.0
    server_cpu_ms_per_request: float = 0.0
    client_cpu_ms_per_request: float = 0.0
    server_p99_ms_at_most: float | None = 0.0

    def record(self, status: int, latency_ms: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies_ms.append(latency_ms)

    def summary(self) -> dict[str, object]:
        values = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return (
                round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2)
                if values
                else 0.0
            )

        return {
            "phase": self.name,
            "requests": len(values),
            "throughput_per_s": round(len(values) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "max_ms": round(values[-1], 2) if values else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "machine_cpu_percent": round(self.cpu_percent, 1),
            "server_cpu_ms_per_request": round(self.server_cpu_ms_per_request, 2),
            "client_cpu_ms_per_request": round(self.client_cpu_ms_per_request, 2),
            # The server's own timer (from the request's arrival at the handler to the
            # answer), as a histogram bucket bound; the rest of the latency is queueing.
            "server_p99_ms_at_most": self.server_p99_ms_at_most,
        }


class Listeners:
    """Hands out (key, body) pairs so every request creates a new episode."""

    def __init__(self, keys: list[str], bills: list[str]) -> None:
        self._keys = itertools.cycle(keys)
        self._bills = bills
        self._rng = random.Random(7)
        self._per_key: dict[str, int] = {}

    def next(self) -> tuple[str, dict[str, object]]:
        key = next(self._keys)
        count = self._per_key.get(key, 0)
        self._per_key[key] = count + 1
        chosen = sorted(self._rng.sample(self._bills, 1 + count % 3))
        return key, {"type": "daily", "bills": chosen}


async def _post(client: Pool, listeners: Listeners) -> int:
    """The status code, or 0 when the connection failed (counted, never hidden)."""
    key, body = listeners.next()
    return await client.post_json("/api/podcasts", body, {"Authorization": f"Bearer {key}"})


async def open_loop(client: Pool, listeners: Listeners, rate: float, seconds: float) -> Phase:
    phase = Phase(f"open loop {rate:g}/s")
    start = time.perf_counter() + 0.05
    tasks = []

    async def one(due: float) -> None:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        status = await _post(client, listeners)
        phase.record(status, (time.perf_counter() - due) * 1000)

    psutil.cpu_percent(None)
    for i in range(int(rate * seconds)):
        tasks.append(asyncio.create_task(one(start + i / rate)))
    await asyncio.gather(*tasks)
    phase.seconds = time.perf_counter() - start
    phase.cpu_percent = psutil.cpu_percent(None)
    return phase


async def closed_loop(client: Pool, listeners: Listeners, clients: int, seconds: float) -> Phase:
    phase = Phase(f"closed loop {clients} clients")
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            status = await _post(client, listeners)
            phase.record(status, (time.perf_counter() - sent) * 1000)

    psutil.cpu_percent(None)
    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    phase.seconds = time.perf_counter() - began
    phase.cpu_percent = psutil.cpu_percent(None)
    return phase


def prepare(env: dict[str, str], listeners: int) -> tuple[list[str], list[str]]:
    """Demo bills and many listeners, created directly in the database (fast)."""
    from briefcast.bill_import import load_demo_bills
    from briefcast.runtime import Runtime
    from briefcast.settings import Settings

    cli(env, "migrate")
    settings = Settings(
        home=Path(env["BRIEFCAST_HOME"]), database_url=env.get("BRIEFCAST_DATABASE_URL")
    )
    runtime = Runtime(settings)
    runtime.bills.upsert(load_demo_bills())
    keys = [runtime.users.create(f"listener-{i:05d}")[1] for i in range(listeners)]
    bills = [str(b.id) for b in load_demo_bills()]
    runtime.close()
    return keys, bills


async def fill_backlog(client: Pool, keys: list[str], bills: list[str]) -> None:
    """One weekly deep dive per background listener: rendering for the whole run."""
    for key in keys:
        status = await client.post_json(
            "/api/podcasts",
            {"type": "weekly", "bills": bills[:8]},
            {"Authorization": f"Bearer {key}"},
        )
        assert status == 202, f"the backlog request was answered {status}"


def _enqueue_histogram(url: str) -> dict[float, float]:
    """Cumulative bucket counts of the server's own enqueue timer (seconds → count)."""
    text = urllib.request.urlopen(f"{url}/metrics", timeout=10).read().decode()
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith("briefcast_enqueue_seconds_bucket"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float("inf") if bound == "+Inf" else float(bound)] = float(
                line.rsplit(" ", 1)[1]
            )
    return buckets


def _server_p99_ms(before: dict[float, float], after: dict[float, float]) -> float | None:
    """The bucket bound below which 99 % of this phase's requests were answered in-server
    (None: above the largest bound)."""
    counts = {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}
    total = counts[float("inf")]
    for bound, count in counts.items():
        if total and count >= 0.99 * total:
            return bound * 1000 if bound != float("inf") else None
    return None


class CpuMeter:
    """CPU seconds used by the server process (not its render children) and by this client."""

    def __init__(self, server_pid: int) -> None:
        self._server = psutil.Process(server_pid)
        self._client = psutil.Process()

    def sample(self) -> tuple[float, float]:
        s, c = self._server.cpu_times(), self._client.cpu_times()
        return s.user + s.system, c.user + c.system

    def charge(self, phase: Phase, before: tuple[float, float]) -> Phase:
        after = self.sample()
        count = max(1, len(phase.latencies_ms))
        phase.server_cpu_ms_per_request = (after[0] - before[0]) * 1000 / count
        phase.client_cpu_ms_per_request = (after[1] - before[1]) * 1000 / count
        return phase


async def run(
    url: str,
    keys: list[str],
    background: list[str],
    bills: list[str],
    seconds: float,
    meter: CpuMeter,
) -> list[Phase]:
    client = Pool(url, size=256)
    try:
        await fill_backlog(client, background, bills)
        await asyncio.sleep(3)  # let rendering get going on both cores
        listeners = Listeners(keys, bills)
        await open_loop(client, listeners, 50, 8)  # warm-up to a steady state, not reported
        phases = []
        for make in (
            lambda: open_loop(client, listeners, 50, seconds),
            lambda: open_loop(client, listeners, 100, seconds),
            lambda: closed_loop(client, listeners, 50, seconds),
        ):
            before, histogram = meter.sample(), _enqueue_histogram(url)
            phase = meter.charge(await make(), before)
            phase.server_p99_ms_at_most = _server_p99_ms(histogram, _enqueue_histogram(url))
            phases.append(phase)
        return phases
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: an SQLite file in a temporary home")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--listeners", type=int, default=2400)
    parser.add_argument("--home", help="keep the data (and server.log) in this folder")
    parser.add_argument(
        "--worker",
        choices=("embedded", "process", "separate"),
        default="embedded",
        help="embedded: serve's default, the worker in the API process; process: serve with "
        "BRIEFCAST_SERVE_WORKER=process; separate: briefcast worker beside serve --no-worker",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefcast-bench-") as scratch:
        home = args.home or scratch
        Path(home).mkdir(parents=True, exist_ok=True)
        extra = {
            "BRIEFCAST_WORKER_SLOTS": str(psutil.cpu_count() or 2),
            "BRIEFCAST_LOG_LEVEL": "warning",
            # The product's own polling interval (the test helpers poll faster).
            "BRIEFCAST_QUEUE_POLL_SECONDS": "0.2",
            "BRIEFCAST_SERVE_WORKER": "process" if args.worker == "process" else "embedded",
        }
        if args.database_url:
            extra["BRIEFCAST_DATABASE_URL"] = args.database_url
        env = environment(Path(home), **extra)
        keys, bills = prepare(env, args.listeners + 60)
        with contextlib.ExitStack() as stack:
            if args.worker == "separate":
                stack.enter_context(started(env, "worker", log=Path(home) / "worker.log"))
            extra_args = ("--no-worker",) if args.worker == "separate" else ()
            srv = stack.enter_context(server(env, Path(home) / "server.log", *extra_args))
            assert srv.url is not None
            meter = CpuMeter(srv.proc.pid)
            phases = asyncio.run(run(srv.url, keys[60:], keys[:60], bills, args.seconds, meter))
    rows = [p.summary() for p in phases]
    database = "postgres" if args.database_url else "sqlite"
    print(f"\nenqueue latency, {database}, {args.worker} worker rendering on every core")
    print(
        f"{'phase':<26}{'req':>7}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>9}{'cpu%':>7}  statuses"
    )
    for row in rows:
        print(
            f"{row['phase']:<26}{row['requests']:>7}{row['throughput_per_s']:>8}{row['p50_ms']:>8}"
            f"{row['p95_ms']:>8}{row['p99_ms']:>8}{row['max_ms']:>9}{row['machine_cpu_percent']:>7}  {row['statuses']}"
        )
    out = results_path(f"enqueue-{database}-{args.worker}")
    out.write_text(
        json.dumps(
            {
                "benchmark": "enqueue",
                "database": database,
                "worker": args.worker,
                "machine": describe_machine(),
                "phases": rows,
            },
            indent=2,
        )
    )
    print(f"\nwritten to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
