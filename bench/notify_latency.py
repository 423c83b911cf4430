"""How soon after an episode completes does a connected listener hear of it?

Runs the deployment shape the target is about: ``briefcast worker`` in one
process, ``briefcast serve --no-worker`` in another, one database between
them (SQLite by default). A listener keeps ``GET /api/events`` open; the
benchmark requests short episodes one after another and, for each, measures
from the moment the worker recorded the completion (the ``completed`` event's
own timestamp, written in the completing transaction) to the moment the
event's bytes arrived at the client. Both processes share this machine's
clock, so the difference is the true delivery latency.

Prints p50/p95/max and writes JSON under bench/results/. Target (DESIGN §4):
completion → listener notified ≤ 1 s.

    python bench/notify_latency.py [--samples 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx
from httpx_sse import connect_sse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.server import cli, environment, free_port, started  # noqa: E402

from bench.machine import describe_machine, results_path  # noqa: E402


class Listener:
    """Reads one user's event stream in a thread; notes when each completion arrived."""

    def __init__(self, client: httpx.Client, key: str) -> None:
        self._client = client
        self._key = key
        self.arrivals: dict[str, tuple[float, float]] = {}
        self.ready = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        with contextlib.suppress(httpx.HTTPError):  # closed by the benchmark: done
            self._read()

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self._key}"}
        with connect_sse(self._client, "GET", "/api/events", headers=headers) as source:
            self.ready.set()
            for sse in source.iter_sse():
                if sse.event != "completed":
                    continue
                arrived = time.time()
                data = json.loads(sse.data)
                completed = datetime.fromisoformat(data["at"]).timestamp()
                with self._lock:
                    self.arrivals[data["podcast_id"]] = (completed, arrived)

    def latency(self, podcast_id: str, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if podcast_id in self.arrivals:
                    completed, arrived = self.arrivals[podcast_id]
                    return arrived - completed
            time.sleep(0.005)
        raise TimeoutError(f"no completed event for {podcast_id}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def measure(home: Path, samples: int, database_url: str | None) -> list[float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra = {"BRIEFCAST_DATABASE_URL": database_url} if database_url else {}
    env = environment(
        home,
        BRIEFCAST_PLUGINS="tests.support.plugin",
        BRIEFCAST_VOICE="ledger-tone",
        BRIEFCAST_WORKER_SLOTS="1",
        BRIEFCAST_DAILY_TARGET_SECONDS="90",
        BRIEFCAST_USER_QUEUE_LIMIT="100",
        BRIEFCAST_PUBLIC_URL=base,
        **extra,
    )
    cli(env, "bills", "import", "--demo")
    # One bill per episode, several listeners: every request is a new episode.
    keys = [cli(env, "users", "create", f"bench-{n}").stdout.split()[-1] for n in range(3)]
    latencies: list[float] = []
    with (
        started(env, "worker", log=home / "worker.log"),
        started(
            env,
            "serve",
            "--port",
            str(port),
            "--no-worker",
            log=home / "api.log",
            ready_url=f"{base}/readyz",
        ),
        httpx.Client(base_url=base, timeout=httpx.Timeout(30, read=None)) as client,
    ):
        listeners = [Listener(client, key) for key in keys]
        for listener in listeners:
            threading.Thread(target=listener.run, daemon=True).start()
            listener.ready.wait(10)
        auths = [{"Authorization": f"Bearer {key}"} for key in keys]
        page = client.get("/api/bills", params={"limit": 18}, headers=auths[0]).json()
        bills = [bill["id"] for bill in page["bills"]]
        for index in range(min(samples, len(bills) * len(keys))):
            who = index // len(bills)
            body = {"type": "daily", "bills": [bills[index % len(bills)]]}
            created = client.post("/api/podcasts", json=body, headers=auths[who])
            created.raise_for_status()
            latencies.append(listeners[who].latency(created.json()["id"]))
            print(f"  sample {index + 1:3d}: {latencies[-1] * 1000:7.1f} ms", flush=True)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--database-url", default=None, help="default: an SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefcast-bench-") as tmp:
        try:
            latencies = measure(Path(tmp), args.samples, args.database_url)
        except TimeoutError:
            for name in ("worker.log", "api.log"):
                print(f"--- {name}\n" + (Path(tmp) / name).read_text()[-3000:], file=sys.stderr)
            raise
    backend = "postgres" if args.database_url else "sqlite"
    summary = {
        "backend": backend,
        "samples": len(latencies),
        "p50_ms": round(pct(latencies, 50) * 1000, 1),
        "p95_ms": round(pct(latencies, 95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "target_ms": 1000,
        "meets_target": max(latencies) <= 1.0,
    }
    print()
    print(f"{'backend':<10}{'samples':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    print(
        f"{backend:<10}{summary['samples']:>8}{summary['p50_ms']:>10}"
        f"{summary['p95_ms']:>10}{summary['max_ms']:>10}"
    )
    out = results_path(f"notify_latency_{backend}")
    out.write_text(
        json.dumps(
            {
                "machine": describe_machine(),
                "summary": summary,
                "latencies_ms": [round(v * 1000, 2) for v in latencies],
            },
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
