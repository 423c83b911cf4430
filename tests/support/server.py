"""Run the real ``briefcast`` command in a subprocess: a real HTTP server, a real worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFCAST_")}
    env.update(
        {
            "BRIEFCAST_HOME": str(home),
            "BRIEFCAST_LOG_FORMAT": "json",
            "BRIEFCAST_QUEUE_POLL_SECONDS": "0.05",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        }
    )
    env.update(extra)
    return env


def cli(
    env: Mapping[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``briefcast ARGS`` to completion; raise with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "briefcast", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"briefcast {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


@dataclass
class Process:
    proc: subprocess.Popen[bytes]
    log: Path
    url: str | None = None

    def kill(self) -> None:
        """kill -9: no clean-up, no goodbye."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def started(
    env: Mapping[str, str], *args: str, log: Path, ready_url: str | None = None
) -> Iterator[Process]:
    """Start ``briefcast ARGS`` in the background; stop it (SIGTERM, then SIGKILL) afterwards."""
    handle = log.open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefcast", *args],
        env=dict(env),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    process = Process(proc, log, ready_url.rsplit("/", 1)[0] if ready_url else None)
    try:
        if ready_url:
            _wait_ready(process, ready_url)
        yield process
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        handle.close()


def _wait_ready(process: Process, url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.output()[-4000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server not ready after {timeout}s:\n{process.output()[-4000:]}")


@contextmanager
def server(env: Mapping[str, str], log: Path, *extra: str) -> Iterator[Process]:
    port = free_port()
    with started(
        env,
        "serve",
        "--port",
        str(port),
        *extra,
        log=log,
        ready_url=f"http://127.0.0.1:{port}/readyz",
    ) as process:
        yield process


def wait_final(client: httpx.Client, podcast_id: str, timeout: float = 120) -> dict[str, object]:
    """Poll a podcast until it is completed, failed or cancelled; its last JSON."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, object] = client.get(f"/api/podcasts/{podcast_id}").json()
        if body["status"] in ("completed", "failed", "cancelled"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"podcast {podcast_id} did not finish in {timeout}s")
