"""``briefcast bills fetch`` in a subprocess, against a loopback stand-in for Congress.gov.

The stand-in serves the real Congress.gov API responses saved under the
shared data folder (a detail file and its sub-resources), and checks the key
the way the API does. Expected values were read off those files by hand.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import environment
from tests.support.stub_http import Handler, Reply, Request, StubServer, stub_server

KEY = "congress-test-key-5a6b7c-never-printed"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefcast", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def congress_gov(folder: Path) -> Handler:
    def answer(request: Request) -> Reply:
        if request.query.get("api_key") != [KEY]:
            return Reply.json({"error": {"code": "API_KEY_INVALID"}}, 403)
        parts = request.path.removeprefix("/v3/").split("/")
        if len(parts) not in (4, 5) or parts[0] != "bill":
            return Reply.json({"error": "not found"}, 404)
        path = folder / ("_".join(parts) + ".json")
        if not path.is_file():
            return Reply.json({"error": f"{request.path} not found"}, 404)
        return Reply(200, path.read_bytes(), {"Content-Type": "application/json"})

    return answer


@pytest.fixture
def api(shared_data: Path) -> Iterator[StubServer]:
    with stub_server(congress_gov(shared_data / "congress-api")) as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, api: StubServer) -> dict[str, str]:
    return environment(
        tmp_path,
        BRIEFCAST_CONGRESS_API_URL=f"{api.url}/v3",
        BRIEFCAST_CONGRESS_API_KEY=KEY,
    )


def test_fetch_stores_the_bill_and_reports_the_ones_it_could_not_find(
    env: dict[str, str], tmp_path: Path, api: StubServer
) -> None:
    done = run(env, "bills", "fetch", "117-hr-21", "117-hr-9999")
    assert done.returncode == 1, done.stderr
    assert "1 added, 0 updated, 0 unchanged, 1 failed" in done.stdout
    assert "117-hr-9999" in done.stderr
    assert KEY not in done.stdout + done.stderr
    # The detail and the six sub-resources a bill is built from were asked for.
    assert sorted(p for p in api.paths() if p.startswith("/v3/bill/117/hr/21")) == sorted(
        ["/v3/bill/117/hr/21"]
        + [
            f"/v3/bill/117/hr/21/{name}"
            for name in ("actions", "committees", "cosponsors", "subjects", "summaries", "titles")
        ]
    )

    from briefcast.bill_store import BillStore
    from briefcast.bills import BillId
    from briefcast.db import Database

    # The command's default database under BRIEFCAST_HOME.
    db = Database(f"sqlite:///{tmp_path / 'briefcast.sqlite3'}")
    try:
        (bill,) = BillStore(db).get_many(["117-hr-21"])
    finally:
        db.dispose()
    assert bill.id == BillId(117, "hr", 21)
    assert bill.short_title == "FedRAMP Authorization Act"
    assert bill.sponsor is not None and bill.sponsor.name == "Gerald E. Connolly"
    assert len(bill.actions) == 10
    assert bill.policy_area == "Government Operations and Politics"

    again = run(env, "bills", "fetch", "117-hr-21")
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 1 unchanged, 0 failed" in again.stdout


def test_a_refused_key_is_an_error_that_never_prints_the_key(env: dict[str, str]) -> None:
    wrong = "wrong-congress-key-must-not-appear"
    done = run({**env, "BRIEFCAST_CONGRESS_API_KEY": wrong}, "bills", "fetch", "117-hr-21")
    assert done.returncode == 1
    assert "refused the API key" in done.stderr
    assert wrong not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_fetch_needs_a_key(env: dict[str, str]) -> None:
    without = {k: v for k, v in env.items() if k != "BRIEFCAST_CONGRESS_API_KEY"}
    done = run(without, "bills", "fetch", "117-hr-21")
    assert done.returncode == 2
    assert "BRIEFCAST_CONGRESS_API_KEY is required" in done.stderr


def test_fetch_refuses_a_malformed_id_before_any_request(
    env: dict[str, str], api: StubServer
) -> None:
    done = run(env, "bills", "fetch", "117-HR-21")
    assert done.returncode == 1
    assert "not a bill id" in done.stderr
    assert api.requests == []
