"""The storage port: episode files and cached audio under deterministic keys.

Keys are ``/``-separated relative paths. Writing the same key twice with the
same bytes is harmless, which makes the publish step safe to re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["ObjectInfo", "Storage"]


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str


@runtime_checkable
class Storage(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str) -> ObjectInfo:
        """Store ``data`` under ``key`` atomically (readers never see half a file)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`~briefcast.errors.NotFound` if absent."""
        ...

    def stat(self, key: str) -> ObjectInfo | None:
        """Size and type of ``key``, or ``None`` when it does not exist."""
        ...

    def signed_url(self, key: str, expires_in: int) -> str | None:
        """A time-limited URL for ``key``, or ``None`` when the API serves it itself."""
        ...
