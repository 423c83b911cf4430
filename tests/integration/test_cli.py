"""The command line, run as a listener or operator would run it (a real subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import miniaudio
import pytest

from tests.support.server import cli, environment


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefcast", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return environment(tmp_path, BRIEFCAST_WORKER_SLOTS="1")


def test_users_create_prints_the_key_alone_on_its_last_line(env: dict[str, str]) -> None:
    done = cli(env, "users", "create", "ada", "--email", "ada@example.org", "--premium")
    key = done.stdout.strip().splitlines()[-1]
    assert key.startswith("bc_")
    assert len(key) > 30
    assert " " not in key
    again = run(env, "users", "create", "ada")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr + again.stdout


def test_bills_import_reports_bad_files_by_name_and_never_duplicates(
    env: dict[str, str], tmp_path: Path, shared_data: Path
) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name in ("BILLSTATUS-117hr4350.xml", "BILLSTATUS-117s1260.xml"):
        (folder / name).write_bytes((shared_data / "billstatus" / "current" / name).read_bytes())
    (folder / "BILLSTATUS-broken.xml").write_text("<billStatus><bill><number>12")
    first = cli(env, "bills", "import", str(folder))
    assert "2 added, 0 updated, 0 unchanged, 1 skipped" in first.stdout
    assert "BILLSTATUS-broken.xml" in first.stderr
    second = cli(env, "bills", "import", str(folder))
    assert "0 added, 0 updated, 2 unchanged, 1 skipped" in second.stdout
    listing = cli(env, "bills", "list", "defense authorization")
    assert "117-hr-4350" in listing.stdout
    assert "117-s-1260" not in listing.stdout


def test_generate_wait_follows_progress_and_prints_the_mp3(env: dict[str, str]) -> None:
    cli(env, "demo")
    done = cli(env, "generate", "--user", "demo", "--type", "daily", "--wait")
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path.suffix == ".mp3"
    assert path.is_file()
    decoded = miniaudio.decode(path.read_bytes())
    assert decoded.num_frames / decoded.sample_rate > 60
    queue = cli(env, "queue")
    assert "0 active" in queue.stdout


def test_invalid_settings_fail_at_start_with_a_clear_message(env: dict[str, str]) -> None:
    done = run(env | {"BRIEFCAST_USER_QUEUE_LIMIT": "zero"}, "migrate")
    assert done.returncode == 2
    assert "BRIEFCAST_USER_QUEUE_LIMIT" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_listener_is_an_error_not_a_crash(env: dict[str, str]) -> None:
    done = run(env, "generate", "--user", "nobody", "--type", "daily")
    assert done.returncode == 1
    assert "no user named 'nobody'" in done.stderr
    bad = run(
        env | {"BRIEFCAST_HOME": env["BRIEFCAST_HOME"]},
        "generate",
        "--user",
        "nobody",
        "--type",
        "hourly",
    )
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr
