"""In-memory fakes of every port, for unit tests and for anyone embedding briefcast.

They behave like the real adapters where behaviour matters (keys, errors,
idempotence) and skip the I/O. A feature is never built from them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from briefcast.errors import NotFound
from briefcast.scripts import Turn
from briefcast.storage import ObjectInfo
from briefcast.voices import Rendered, WordTiming

__all__ = ["InMemoryQueue", "InMemoryStorage", "ToneVoice"]


class InMemoryStorage:
    """A :class:`~briefcast.storage.Storage` held in a dict."""

    name = "memory"

    def __init__(self) -> None:
        self._objects: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        self.puts = 0

    def put(self, key: str, data: bytes, content_type: str) -> ObjectInfo:
        with self._lock:
            self._objects[key] = (bytes(data), content_type)
            self.puts += 1
        return ObjectInfo(key, len(data), content_type)

    def get(self, key: str) -> bytes:
        with self._lock:
            if key not in self._objects:
                raise NotFound(f"no object {key}")
            return self._objects[key][0]

    def stat(self, key: str) -> ObjectInfo | None:
        with self._lock:
            item = self._objects.get(key)
        return ObjectInfo(key, len(item[0]), item[1]) if item else None

    def signed_url(self, key: str, expires_in: int) -> str | None:
        return None

    def keys(self) -> list[str]:
        with self._lock:
            return sorted(self._objects)


class ToneVoice:
    """A :class:`~briefcast.voices.Voice` that hums one short tone per word.

    Deterministic, instant, and shaped like speech for the mastering chain: a
    word every ``60 / words_per_minute`` seconds, each speaker at its own pitch,
    with exact word timings. ``rendered_characters`` counts what was "paid for".
    """

    name = "tone"
    sample_rate = 22_050
    max_request_chars = 5_000

    def __init__(self, words_per_minute: float = 160.0, pitches: dict[str, float] | None = None):
        self._wpm = words_per_minute
        self._pitches = pitches or {}
        self.rendered_characters = 0
        self.calls = 0

    def identity(self, speaker: str) -> dict[str, str]:
        return {
            "provider": self.name,
            "model": "sine",
            "voice": speaker,
            "settings": f"wpm={self._wpm:g},pitch={self._pitch(speaker):g}",
        }

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        self.calls += 1
        return [self._render_one(turn) for turn in turns]

    def words_per_minute(self, speaker: str) -> float:
        return self._wpm

    def _pitch(self, speaker: str) -> float:
        return self._pitches.get(speaker, 140.0 + (sum(map(ord, speaker)) % 7) * 20.0)

    def _render_one(self, turn: Turn) -> Rendered:
        self.rendered_characters += len(turn.text)
        slot = 60.0 / self._wpm
        tone = int(slot * 0.7 * self.sample_rate)
        gap = int(slot * self.sample_rate) - tone
        t = np.arange(tone, dtype=np.float32) / self.sample_rate
        envelope = np.sin(np.pi * np.arange(tone, dtype=np.float32) / tone)
        burst = (0.3 * envelope * np.sin(2 * np.pi * self._pitch(turn.speaker) * t)).astype(
            np.float32
        )
        words = turn.text.split()
        pieces: list[np.ndarray] = []
        timings: list[WordTiming] = []
        for index, word in enumerate(words):
            start = index * slot
            timings.append(WordTiming(start, start + slot * 0.7, word))
            pieces.extend([burst, np.zeros(gap, dtype=np.float32)])
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return Rendered(samples.astype(np.float32), self.sample_rate, tuple(timings))


class InMemoryQueue:
    """A :class:`~briefcast.engine.JobQueue` that only records what the engine was told.

    States follow the engine's vocabulary (ENQUEUED, DELAYED, CANCELLED, ...), so
    code that reconciles with the engine can be tested without running one.
    """

    def __init__(self) -> None:
        self.states_by_id: dict[str, str] = {}
        self.calls: list[tuple[str, str]] = []
        self.deliveries: list[str] = []

    def enqueue(self, conn: object, job_id: str, *, priority: int, hold: bool) -> None:
        self.states_by_id[job_id] = "DELAYED" if hold else "ENQUEUED"
        self.calls.append(("enqueue", job_id))

    def release(self, job_id: str) -> None:
        if self.states_by_id.get(job_id) == "DELAYED":
            self.states_by_id[job_id] = "ENQUEUED"
        self.calls.append(("release", job_id))

    def cancel(self, job_id: str) -> None:
        self.states_by_id[job_id] = "CANCELLED"
        self.calls.append(("cancel", job_id))

    def restart(self, job_id: str, stage: str) -> None:
        self.states_by_id[job_id] = "ENQUEUED"
        self.calls.append(("restart", job_id))

    def states(self, job_ids: Sequence[str]) -> dict[str, str]:
        return {j: self.states_by_id[j] for j in job_ids if j in self.states_by_id}

    def enqueue_delivery(self, conn: object, delivery_id: str) -> None:
        self.deliveries.append(delivery_id)
