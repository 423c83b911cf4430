"""The podcast event log: every change a listener may want pushed to them.

Events are rows in the app database, written in the same transaction as the
change they describe, so any process (an API server, a worker elsewhere) sees
them in order by ``id``. Live streams and notifications read from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from briefcast.tables import podcast_events

__all__ = ["EVENT_TYPES", "Event", "append", "latest_id", "since"]

EVENT_TYPES = ("queued", "position", "stage", "retry", "completed", "failed", "cancelled")


@dataclass(frozen=True)
class Event:
    id: int
    podcast_id: str
    user_id: str
    type: str
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> Event:
        return cls(row.id, row.podcast_id, row.user_id, row.type, dict(row.data), row.created_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "podcast_id": self.podcast_id,
            "type": self.type,
            "at": self.created_at.isoformat(),
            **self.data,
        }


# Built once: a statement object reused with parameters skips re-building and
# re-hashing the SQL on every call (appends happen on every state change).
_INSERT = podcast_events.insert()


def append(
    conn: sa.Connection,
    *,
    podcast_id: str,
    user_id: str,
    type: str,
    data: dict[str, Any],
    at: datetime,
) -> int:
    """Record an event inside the caller's transaction; returns its id."""
    assert type in EVENT_TYPES, type
    values = {
        "podcast_id": podcast_id,
        "user_id": user_id,
        "type": type,
        "data": data,
        "created_at": at,
    }
    result = conn.execute(_INSERT, values)
    key = result.inserted_primary_key
    assert key is not None, "an insert always has a primary key"
    return int(key[0])


def since(
    conn: sa.Connection,
    *,
    after_id: int,
    user_id: str | None = None,
    podcast_id: str | None = None,
    limit: int = 500,
) -> list[Event]:
    """Events newer than ``after_id``, oldest first, optionally for one user or podcast."""
    query = podcast_events.select().where(podcast_events.c.id > after_id)
    if user_id is not None:
        query = query.where(podcast_events.c.user_id == user_id)
    if podcast_id is not None:
        query = query.where(podcast_events.c.podcast_id == podcast_id)
    rows = conn.execute(query.order_by(podcast_events.c.id).limit(limit))
    return [Event.from_row(row) for row in rows]


def latest_id(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(podcast_events.c.id))).scalar() or 0)
