"""The script-writer port: bills and a listener in, a typed script out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol, runtime_checkable

from briefcast.bills import Bill
from briefcast.scripts import Script

__all__ = ["EpisodeType", "Listener", "ScriptRequest", "ScriptWriter"]

EpisodeType = Literal["daily", "weekly"]


@dataclass(frozen=True)
class Listener:
    """Who the episode is for. Personal words go only in the intro and outro."""

    name: str
    state: str | None = None


@dataclass(frozen=True)
class ScriptRequest:
    """Everything a writer needs; nothing it must fetch."""

    listener: Listener
    episode_type: EpisodeType
    day: date
    bills: tuple[Bill, ...]
    hosts: tuple[str, str]
    target_seconds: float
    words_per_minute: float


@runtime_checkable
class ScriptWriter(Protocol):
    name: str

    def write(self, request: ScriptRequest) -> Script:
        """Write the episode. May raise :class:`~briefcast.errors.RetryableError`."""
        ...
