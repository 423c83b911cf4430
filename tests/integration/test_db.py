"""The SQLite write lock the durable engine's connections share with ours."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import sqlalchemy as sa

from briefcast.db import Database


def test_the_engine_librarys_connections_hand_the_write_lock_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'lock.sqlite3'}")
    engine = db.engine_for_durable_engine()
    assert engine is not None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            with engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        # The pool's listeners are called with SQLAlchemy 2's arguments, not through its
        # deprecated adapter (whose warning the pool would log as a failed reset).
        assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []
        wrote = threading.Event()

        def write_elsewhere() -> None:
            with db.write() as conn:
                conn.execute(sa.text("INSERT INTO t VALUES (2)"))
            wrote.set()

        threading.Thread(target=write_elsewhere, daemon=True).start()
        assert wrote.wait(5), "the write lock was not handed back"
    finally:
        db.dispose()
