"""How honest is the ETA a listener is given when the queue is long?

Starts the real server (API + embedded worker, eSpeak voice, SQLite by default),
warms it up with a few episodes so it has measured service times (as any running
installation has), then sends a burst of requests from distinct listeners and
compares the ETA each 202 promised with when the episode was really ready
(``finished_at`` − request time). Prints median and p90 absolute error and writes
JSON. Target (DESIGN §4): median absolute error ≤ 20 % during a 200-job burst.

    python bench/eta.py [--burst 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.server import environment, server  # noqa: E402

from bench.enqueue import prepare  # noqa: E402
from bench.machine import describe_machine, results_path  # noqa: E402


def _wait_done(
    client: httpx.Client, jobs: list[tuple[str, str]], timeout: float
) -> dict[str, dict[str, object]]:
    done: dict[str, dict[str, object]] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(jobs):
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(done)} of {len(jobs)} finished in {timeout}s")
        for key, pid in jobs:
            if pid in done:
                continue
            body = client.get(
                f"/api/podcasts/{pid}", headers={"Authorization": f"Bearer {key}"}
            ).json()
            if body["status"] in ("completed", "failed", "cancelled"):
                done[pid] = body
        time.sleep(1.0)
    return done


def run(url: str, keys: list[str], bills: list[str], burst: int, warmup: int) -> dict[str, object]:
    with httpx.Client(base_url=url, timeout=60) as client:
        return _measure(client, keys, bills, burst, warmup)


def _measure(
    client: httpx.Client, keys: list[str], bills: list[str], burst: int, warmup: int
) -> dict[str, object]:

    def post(key: str, n: int) -> tuple[float, dict[str, object]]:
        chosen = sorted(
            {
                bills[n % len(bills)],
                bills[(3 * n + 1) % len(bills)],
                bills[(7 * n + 2) % len(bills)],
            }
        )
        sent = time.time()
        response = client.post(
            "/api/podcasts",
            json={"type": "daily", "bills": chosen},
            headers={"Authorization": f"Bearer {key}"},
        )
        response.raise_for_status()
        return sent, response.json()

    warm = [(keys[n], post(keys[n], n)[1]["id"]) for n in range(warmup)]
    _wait_done(client, warm, 600)
    time.sleep(11)  # the service-time estimates refresh every 10 s
    promised: list[tuple[str, str, float, float]] = []
    for n in range(burst):
        key = keys[warmup + n]
        sent, body = post(key, warmup + n)
        promised.append((key, str(body["id"]), sent, float(body["eta_seconds"])))
    done = _wait_done(client, [(k, p) for k, p, _, _ in promised], 3600)
    errors = []
    jobs: list[dict[str, float]] = []
    for _key, pid, sent, eta in promised:
        body = done[pid]
        assert body["status"] == "completed", body
        actual = datetime.fromisoformat(str(body["finished_at"])).timestamp() - sent
        errors.append(abs(eta - actual) / actual)
        jobs.append({"eta_s": eta, "actual_s": round(actual, 2)})
    signed = [(j["eta_s"] - j["actual_s"]) / j["actual_s"] for j in jobs]
    errors.sort()
    return {
        "burst": burst,
        "median_abs_error": round(statistics.median(errors), 3),
        "p90_abs_error": round(errors[int(0.9 * (len(errors) - 1))], 3),
        "max_abs_error": round(errors[-1], 3),
        # > 0: the ETA promised more time than it took; < 0: the episode came late.
        "median_signed_error": round(statistics.median(signed), 3),
        "first_eta_s": promised[0][3],
        "last_eta_s": promised[-1][3],
        "jobs_in_request_order": jobs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=6)
    parser.add_argument("--home", help="keep the data (and server.log) in this folder")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefcast-eta-") as scratch:
        home = args.home or scratch
        Path(home).mkdir(parents=True, exist_ok=True)
        extra = {"BRIEFCAST_LOG_LEVEL": "warning", "BRIEFCAST_QUEUE_POLL_SECONDS": "0.2"}
        if args.database_url:
            extra["BRIEFCAST_DATABASE_URL"] = args.database_url
        env = environment(Path(home), **extra)
        keys, bills = prepare(env, args.burst + args.warmup)
        with server(env, Path(home) / "server.log") as srv:
            result = run(srv.url or "", keys, bills, args.burst, args.warmup)
    database = "postgres" if args.database_url else "sqlite"
    print(f"\nETA accuracy, {database}, burst of {args.burst} daily briefs from distinct listeners")
    for name, value in result.items():
        if not isinstance(value, list):
            print(f"  {name:<20} {value}")
    out = results_path(f"eta-{database}")
    out.write_text(
        json.dumps(
            {"benchmark": "eta", "database": database, "machine": describe_machine(), **result},
            indent=2,
        )
    )
    print(f"written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
