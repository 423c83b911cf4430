"""The script of an episode: segments of turns spoken by two hosts.

A script is data, never I/O. It is validated (see :func:`validate`) before any
voice is paid to read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Script", "Segment", "SegmentKind", "Turn"]

SegmentKind = Literal["intro", "bill", "outro"]


@dataclass(frozen=True)
class Turn:
    """One host saying one thing."""

    speaker: str
    text: str


@dataclass(frozen=True)
class Segment:
    """A chapter of the episode: the intro, one bill, or the outro."""

    kind: SegmentKind
    title: str
    turns: tuple[Turn, ...]
    bill_id: str | None = None


@dataclass(frozen=True)
class Script:
    """A whole episode's words, in order."""

    title: str
    hosts: tuple[str, ...]
    segments: tuple[Segment, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(turn for segment in self.segments for turn in segment.turns)

    @property
    def characters(self) -> int:
        return sum(len(turn.text) for turn in self.turns)

    @property
    def words(self) -> int:
        return sum(len(turn.text.split()) for turn in self.turns)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "hosts": list(self.hosts),
            "notes": list(self.notes),
            "segments": [
                {
                    "kind": s.kind,
                    "title": s.title,
                    "bill_id": s.bill_id,
                    "turns": [{"speaker": t.speaker, "text": t.text} for t in s.turns],
                }
                for s in self.segments
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Script:
        return cls(
            title=data["title"],
            hosts=tuple(data["hosts"]),
            notes=tuple(data.get("notes") or ()),
            segments=tuple(
                Segment(
                    kind=s["kind"],
                    title=s["title"],
                    bill_id=s.get("bill_id"),
                    turns=tuple(Turn(t["speaker"], t["text"]) for t in s["turns"]),
                )
                for s in data["segments"]
            ),
        )
