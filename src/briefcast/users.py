"""Listeners and their API keys.

An API key is shown once, when the user is created; only its SHA-256 is
stored. Each listener also has a feed token: the secret part of their
private podcast feed's URL, which podcast apps keep, so it can be rotated on
its own without touching the API key. Keys are long random tokens, so a fast hash is the right tool here (a
password hash would only slow every request down).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from briefcast.db import Database
from briefcast.errors import Conflict, InvalidInput, NotFound
from briefcast.tables import users

__all__ = ["User", "UserStore", "hash_key", "new_feed_token"]

_KEY_PREFIX = "bc_"
_KEY_CACHE_SIZE = 10_000
_BY_KEY_HASH = users.select().where(users.c.api_key_hash == sa.bindparam("digest"))


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str | None
    state: str | None
    is_premium: bool
    is_admin: bool
    feed_token: str
    interests: tuple[str, ...]
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> User:
        return cls(
            id=row.id,
            name=row.name,
            email=row.email,
            state=row.state,
            is_premium=row.is_premium,
            is_admin=row.is_admin,
            feed_token=row.feed_token,
            interests=tuple(row.interests or ()),
            created_at=row.created_at,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "state": self.state,
            "premium": self.is_premium,
            "admin": self.is_admin,
            "interests": list(self.interests),
            "created_at": self.created_at.isoformat(),
        }


def new_feed_token() -> str:
    """A random URL-safe token (32 characters, no dots: it sits before ``.xml``)."""
    return secrets.token_urlsafe(24)


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class UserStore:
    """Create and look up listeners."""

    def __init__(self, db: Database, *, key_cache_seconds: float = 5.0) -> None:
        self._db = db
        # Every API request looks its key up; a short memory of recent keys spares the
        # database. A rotated key stops working at once in this process and within
        # ``key_cache_seconds`` in others.
        self._key_cache: dict[str, tuple[float, User]] = {}
        self._key_cache_seconds = key_cache_seconds
        self._key_cache_lock = threading.Lock()

    def create(
        self,
        name: str,
        *,
        email: str | None = None,
        state: str | None = None,
        premium: bool = False,
        admin: bool = False,
        interests: tuple[str, ...] = (),
    ) -> tuple[User, str]:
        """Create a listener; returns the user and the API key (shown only now)."""
        name = _valid_name(name)
        api_key = _KEY_PREFIX + secrets.token_urlsafe(32)
        values = {
            "id": str(uuid.uuid4()),
            "name": name,
            "email": email,
            "state": state.upper() if state else None,
            "is_premium": premium,
            "is_admin": admin,
            "api_key_hash": hash_key(api_key),
            "api_key_hint": api_key[:7],
            "feed_token": new_feed_token(),
            "interests": list(interests),
            "created_at": datetime.now(UTC),
        }
        with self._db.write() as conn:
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise Conflict(f"a user named {name!r} already exists")
            conn.execute(users.insert().values(values))
            row = conn.execute(users.select().where(users.c.id == values["id"])).one()
        return User.from_row(row), api_key

    def remembered(self, api_key: str) -> User | None:
        """The key's user if it was looked up moments ago (no database access)."""
        with self._key_cache_lock:
            cached = self._key_cache.get(hash_key(api_key))
        return cached[1] if cached is not None and cached[0] > time.monotonic() else None

    def by_api_key(self, api_key: str) -> User | None:
        if (user := self.remembered(api_key)) is not None:
            return user
        digest = hash_key(api_key)
        now = time.monotonic()
        with self._db.read() as conn:
            row = conn.execute(_BY_KEY_HASH, {"digest": digest}).first()
        if row is None:
            return None
        user = User.from_row(row)
        with self._key_cache_lock:
            if len(self._key_cache) >= _KEY_CACHE_SIZE:
                self._key_cache.clear()
            self._key_cache[digest] = (now + self._key_cache_seconds, user)
        return user

    def _forget(self, user_id: str) -> None:
        with self._key_cache_lock:
            for digest in [d for d, (_, u) in self._key_cache.items() if u.id == user_id]:
                del self._key_cache[digest]

    def by_name(self, name: str) -> User:
        with self._db.read() as conn:
            row = conn.execute(users.select().where(users.c.name == name)).first()
        if row is None:
            raise NotFound(f"no user named {name!r}")
        return User.from_row(row)

    def by_id(self, user_id: str) -> User:
        with self._db.read() as conn:
            row = conn.execute(users.select().where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound("no such user")
        return User.from_row(row)

    def by_feed_token(self, token: str) -> User | None:
        with self._db.read() as conn:
            row = conn.execute(users.select().where(users.c.feed_token == token)).first()
        return User.from_row(row) if row else None

    def rotate_feed_token(self, user_id: str) -> str:
        """Replace the listener's feed token; the old feed URL stops working at once."""
        token = new_feed_token()
        with self._db.write() as conn:
            updated = conn.execute(
                users.update().where(users.c.id == user_id).values(feed_token=token)
            ).rowcount
        if not updated:
            raise NotFound("no such user")
        return token

    def rotate_key(self, user_id: str) -> str:
        """Replace the user's API key; the old one stops working at once."""
        api_key = _KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db.write() as conn:
            conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(api_key_hash=hash_key(api_key), api_key_hint=api_key[:7])
            )
        self._forget(user_id)
        return api_key


def _valid_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 80 or any(ch.isspace() and ch != " " for ch in name):
        raise InvalidInput("a user name is 1 to 80 characters on one line")
    return name
