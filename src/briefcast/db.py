"""The application database: one engine, read and write transactions, migrations.

SQLite (the embedded default) runs in WAL mode so readers never wait for the
writer. Write transactions start with ``BEGIN IMMEDIATE`` so a check followed by
a write is atomic across processes, and writers inside one process queue on a
Python lock: that hands the file over the moment it is free, instead of
leaving a waiting thread in SQLite's busy handler, which sleeps in growing
steps and turns a 1 ms wait into tens of milliseconds.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
import structlog
from sqlalchemy import event
from sqlalchemy.engine import make_url

__all__ = ["Database", "is_disconnect", "migrate_app_schema", "patiently"]

log = structlog.get_logger("briefcast.db")
T = TypeVar("T")

_WRITE = "briefcast_write"
_CHECKPOINT_SECONDS = 1.0
_LOCK_WAIT_SECONDS = 30.0
_checkpointer_start = threading.Lock()
_file_locks: dict[str, threading.RLock] = {}
_file_locks_guard = threading.Lock()


class Database:
    """The app's engine plus transaction helpers. Thread-safe; share one per process."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            _ensure_parent_dir(url)
            self.engine = sa.create_engine(url, pool_size=pool_size, max_overflow=20, echo=echo)
            _configure_sqlite(self.engine)
        else:
            self.engine = sa.create_engine(
                url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True, echo=echo
            )
        self._write_lock = _file_lock(url) if self.is_sqlite else None
        self._engine_library_engine: sa.Engine | None = None
        self._checkpointer: threading.Thread | None = None
        self._closed = threading.Event()

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A transaction that will write; committed on success, rolled back on error."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        self._ensure_checkpointer()
        with self._write_lock, self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    def engine_for_durable_engine(self) -> sa.Engine | None:
        """An engine the durable engine can use for its tables in this database.

        On SQLite it shares this process's write lock: the engine library's writes
        and ours then take turns in Python instead of colliding in SQLite, whose
        busy handler would make the loser sleep (measured: up to 55 ms per request
        under load). On Postgres, None: the library manages its own connections.
        """
        if self._write_lock is None:
            return None
        if self._engine_library_engine is None:
            engine = sa.create_engine(self.url, pool_size=10, max_overflow=20)
            _configure_engine_library_sqlite(engine, self._write_lock)
            self._engine_library_engine = engine
        return self._engine_library_engine

    def _ensure_checkpointer(self) -> None:
        if self._checkpointer is None:
            with _checkpointer_start:
                if self._checkpointer is None:
                    self._checkpointer = threading.Thread(
                        target=self._checkpoint_loop, name="briefcast-checkpoint", daemon=True
                    )
                    self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        """Fold the write-ahead log back into the database file every second.

        PASSIVE never blocks writers or readers; several processes doing this at
        once is harmless.
        """
        while not self._closed.wait(_CHECKPOINT_SECONDS):
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except sa.exc.SQLAlchemyError:
                continue

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read-only transaction with a consistent snapshot."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def lock_user(self, conn: sa.Connection, user_id: str) -> None:
        """Serialise one listener's writes (Postgres row lock; SQLite already has one writer)."""
        if not self.is_sqlite:
            conn.execute(sa.text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": user_id})

    def ping(self) -> None:
        """Raise if the database cannot answer."""
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self._closed.set()
        self.engine.dispose()
        if self._engine_library_engine is not None:
            self._engine_library_engine.dispose()


def is_disconnect(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is unreachable for now (restarting, network)."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc, (sa.exc.OperationalError, sa.exc.InterfaceError)
    ) and not _is_sqlite_busy(exc)


def _is_sqlite_busy(exc: BaseException) -> bool:
    return "database is locked" in str(exc)


def patiently(action: Callable[[], T], *, patience: float = 300.0, what: str = "database") -> T:
    """Run ``action``, retrying while the database is unreachable (up to ``patience`` s).

    Workers use this for the writes a job cannot do without: a database restart
    pauses their work instead of failing listeners' episodes.
    """
    deadline = time.monotonic() + patience
    pause = 0.2
    while True:
        try:
            return action()
        except sa.exc.SQLAlchemyError as exc:
            if not is_disconnect(exc) or time.monotonic() + pause > deadline:
                raise
            log.warning("database.unreachable", doing=what, retry_in=pause)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _ensure_parent_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver; transactions are begun explicitly below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Checkpoints run in the background (see _checkpoint_loop), never inside a
        # request's commit, so a commit costs one WAL append and fsync.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get(_WRITE, False):
            _begin_immediate(conn.connection.dbapi_connection)
        else:
            conn.exec_driver_sql("BEGIN")


def _begin_immediate(dbapi_conn: Any) -> None:
    """Take the write lock, asking again every fraction of a millisecond while another
    process holds it. SQLite's own busy handler waits 1, 2, 5, 10, … ms between tries,
    so a writer that needed the lock for 3 ms cost its waiter 8."""
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    pause = 0.0002
    dbapi_conn.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 1.5, 0.002)
    finally:
        dbapi_conn.execute("PRAGMA busy_timeout=30000")


def _file_lock(url: str) -> threading.RLock:
    """One write lock per database file per process, whoever opens it."""
    path = str(Path(make_url(url).database or ":memory:").resolve())
    with _file_locks_guard:
        return _file_locks.setdefault(path, threading.RLock())


_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLAC", "WITH")
_HOLDS = "briefcast_holds_write_lock"


def _configure_engine_library_sqlite(engine: sa.Engine, lock: threading.RLock) -> None:
    """The durable engine's own SQLite settings, plus the shared write lock.

    It relies on the driver's implicit ``BEGIN IMMEDIATE`` before the first
    write of a transaction, so the lock is taken right before a connection's
    first write and handed back when the connection returns to the pool.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = "IMMEDIATE"
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _take(conn: sa.Connection, _c: Any, statement: str, *_: Any) -> None:
        info = conn.connection.info
        if not info.get(_HOLDS) and statement.lstrip()[:6].upper() in _WRITE_VERBS:
            lock.acquire()
            info[_HOLDS] = True

    # reset and invalidate pass a third argument, checkin and close do not. Named rather than
    # ``*args``: SQLAlchemy reads a two-argument reset listener as its pre-2.0 form.
    def _give_back(_dbapi_conn: Any, record: Any, _detail: Any = None) -> None:
        if record.info.pop(_HOLDS, False):
            lock.release()

    for moment in ("checkin", "reset", "invalidate", "close"):
        event.listen(engine.pool, moment, _give_back)


def migrate_app_schema(url: str) -> None:
    """Bring the app tables to the newest migration (Alembic ``upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("briefcast") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
