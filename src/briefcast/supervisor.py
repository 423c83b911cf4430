"""The worker that ``briefcast serve`` runs in a process of its own when
``BRIEFCAST_SERVE_WORKER=process``.

One command still starts everything, but the API and the worker no longer share
an interpreter lock: rendering orchestration, the engine's polling and the
janitor cannot delay a listener's request (measured: the enqueue p99 roughly
halves; see docs/benchmarks.md). The supervisor restarts a worker that dies —
under the same executor id, so it resumes its unfinished episodes — and the
worker exits by itself if the server dies, even by ``kill -9``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import structlog

__all__ = ["WorkerProcess"]

log = structlog.get_logger("briefcast.supervisor")

_STOP_SECONDS = 20.0
_FIRST_RESTART_SECONDS = 1.0
_LONGEST_RESTART_SECONDS = 30.0


class WorkerProcess:
    """``briefcast worker`` as a supervised child process (same settings, same output)."""

    def __init__(self, command: list[str] | None = None) -> None:
        self._command = command or [sys.executable, "-m", "briefcast", "worker"]
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._launch()
        self._watcher = threading.Thread(
            target=self._watch, name="briefcast-supervisor", daemon=True
        )
        self._watcher.start()

    def stop(self) -> None:
        """Ask the worker to finish its current steps, then make sure it is gone."""
        self._stopping.set()
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("supervisor.worker_killed", pid=process.pid)
            process.kill()
            process.wait(10)

    def _launch(self) -> None:
        command = [*self._command, "--parent-pid", str(os.getpid())]
        self._process = subprocess.Popen(command)  # noqa: S603  # our own executable
        log.info("supervisor.worker_started", pid=self._process.pid)

    def _watch(self) -> None:
        pause = _FIRST_RESTART_SECONDS
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            # A worker that ran a while earns a quick restart; one that keeps dying backs off.
            pause = (
                _FIRST_RESTART_SECONDS
                if time.monotonic() - started > 60
                else min(pause * 2, _LONGEST_RESTART_SECONDS)
            )
            log.warning("supervisor.worker_exited", code=code, restart_in=pause)
            if self._stopping.wait(pause):
                return
            self._launch()
