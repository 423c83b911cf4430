"""Real databases for tests: an SQLite file, or a fresh database on the local Postgres."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

ADMIN_URL = os.environ.get(
    "BRIEFCAST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def require_postgres() -> None:
    """Skip when no Postgres answers — but never on CI, where it must be there."""
    if postgres_reachable():
        return
    if os.environ.get("CI"):
        pytest.fail(f"Postgres is required on CI but {ADMIN_URL} does not answer")
    pytest.skip(f"no Postgres at {ADMIN_URL} (set BRIEFCAST_TEST_POSTGRES_URL)")


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty database for one test module; dropped afterwards."""
    require_postgres()
    name = f"bc_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'briefcast.sqlite3'}"
    else:
        with fresh_postgres() as url:
            yield url
