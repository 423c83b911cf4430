"""The voice port: turns of a script in, audio with word timings out.

A voice adapter lives in :mod:`briefcast.providers` and is chosen by name. Audio
is mono float32 in ``[-1, 1]``; word timings are seconds from the start of the
turn's own audio, read from the synthesiser (never estimated from text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from briefcast.scripts import Turn

__all__ = ["Rendered", "Voice", "WordTiming"]


@dataclass(frozen=True)
class WordTiming:
    """When one word is heard, in seconds from the start of its turn."""

    start: float
    end: float
    text: str


@dataclass(frozen=True, eq=False)
class Rendered:
    """The audio of one turn."""

    samples: npt.NDArray[np.float32]
    sample_rate: int
    words: tuple[WordTiming, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@runtime_checkable
class Voice(Protocol):
    """Renders turns. Adapters translate vendor errors into :mod:`briefcast.errors`."""

    #: provider name, part of every cache key
    name: str

    def identity(self, speaker: str) -> dict[str, str]:
        """What determines this speaker's sound: provider, model, voice, settings.

        Two renders with equal identity and equal text are interchangeable, so
        this (with the text) is the segment cache key.
        """
        ...

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        """Render each turn; one result per turn, in order."""
        ...

    def words_per_minute(self, speaker: str) -> float:
        """The measured speaking rate of this speaker, for length budgets."""
        ...
