"""The renderer port: where a job's audio gets made (synthesis, then mastering).

Implementations live in :mod:`briefcast.renderers`; this module holds only the
contract and the values that cross it (they are pickled to render processes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from briefcast.scripts import Turn

__all__ = ["MasterRequest", "MasterResult", "Renderer", "SynthesisResult", "episode_keys"]


@dataclass(frozen=True)
class SynthesisResult:
    keys: tuple[str, ...]
    synthesized_chars: int
    cached_chars: int


@dataclass(frozen=True)
class MasterRequest:
    podcast_id: str
    user_id: str
    script: dict[str, Any]
    title: str
    show: str
    day: date
    description: str
    disclosure: str
    artist: str


@dataclass(frozen=True)
class MasterResult:
    audio_key: str
    transcript_key: str
    chapters_key: str
    audio_bytes: int
    duration_seconds: float
    chapters: tuple[dict[str, Any], ...]
    loudness_lufs: float
    true_peak_dbtp: float


def episode_keys(user_id: str, podcast_id: str) -> dict[str, str]:
    """Deterministic storage keys of an episode's files (publishing twice is harmless)."""
    base = f"episodes/{user_id}/{podcast_id}"
    return {
        "audio": f"{base}/episode.mp3",
        "transcript": f"{base}/transcript.vtt",
        "chapters": f"{base}/chapters.json",
    }


class Renderer(Protocol):
    def synthesize(self, turns: Sequence[Turn]) -> SynthesisResult: ...

    def master(self, request: MasterRequest) -> MasterResult: ...

    def close(self) -> None: ...
