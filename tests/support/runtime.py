"""Build a real runtime (real database, real engine schema) for a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from briefcast.runtime import Runtime
from briefcast.settings import Settings


def make_settings(home: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": home,
        "database_url": database_url,
        "worker_slots": 2,
        "queue_poll_seconds": 0.05,
        "retry_delays": (0.2, 0.4),
        "retry_jitter": 0.0,
        "janitor_seconds": 0.5,
        "executor_id": "test-worker",
        "log_format": "json",
        "log_level": "warning",
    }
    values.update(overrides)
    return Settings(**values)


def make_runtime(home: Path, database_url: str, **overrides: Any) -> Runtime:
    runtime = Runtime(make_settings(home, database_url, **overrides))
    runtime.migrate()
    return runtime
