"""What a listener reads beside the audio: the WebVTT transcript and the chapters.

Both are timed from where each turn was placed in the episode plus the word
timings its voice reported, so a cue starts when its first word is heard.
Pure functions; mastering supplies the placements and the measured duration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefcast.voices import WordTiming

__all__ = [
    "CHAPTER_LEAD",
    "Chapter",
    "Cue",
    "Heard",
    "chapters_json",
    "place_chapters",
    "place_cues",
    "sentences",
    "webvtt",
]

#: A chapter begins this long before its first word (within the pause before it),
#: so skipping to it does not clip the first syllable.
CHAPTER_LEAD = 0.25
_MIN_CUE = 0.01
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_ABBREVIATION = re.compile(
    r"^(?:[a-z]\.){2,}$|^(?:mr|mrs|ms|dr|sen|rep|gov|st|jr|sr|no|vs|gen|lt|col|sgt)\.$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Heard:
    """One turn as placed in the episode: its audio begins ``offset`` seconds in."""

    segment: int
    offset: float
    duration: float
    speaker: str
    text: str
    words: tuple[WordTiming, ...] = ()


@dataclass(frozen=True)
class Cue:
    """One transcript cue: a sentence (or a whole turn) of one speaker."""

    start: float
    end: float
    speaker: str
    text: str


@dataclass(frozen=True)
class Chapter:
    """One chapter of the episode, in seconds; ``bill_id`` for a bill's segment."""

    title: str
    start: float
    end: float
    bill_id: str | None = None


def sentences(words: Sequence[WordTiming]) -> list[list[WordTiming]]:
    """``words`` split after each word that ends a sentence (not after "H.R." or "Dr.")."""
    groups: list[list[WordTiming]] = [[]]
    for word in words:
        groups[-1].append(word)
        last = word.text.split()[-1] if word.text.split() else ""
        if _SENTENCE_END.search(last) and not _ABBREVIATION.match(last):
            groups.append([])
    return [group for group in groups if group]


def _turn_cues(heard: Heard) -> list[Cue]:
    """Cues of one turn: a cue per sentence when the words cover the text, else one."""
    words = heard.words
    if words and " ".join(w.text for w in words).split() == heard.text.split():
        return [
            Cue(
                heard.offset + group[0].start,
                heard.offset + group[-1].end,
                heard.speaker,
                " ".join(w.text for w in group),
            )
            for group in sentences(words)
        ]
    start = heard.offset + (words[0].start if words else 0.0)
    end = heard.offset + (words[-1].end if words else heard.duration)
    return [Cue(start, end, heard.speaker, " ".join(heard.text.split()))]


def place_cues(turns: Sequence[Heard], duration: float) -> list[Cue]:
    """Cues for every turn, in order, never overlapping, all inside ``[0, duration]``."""
    placed: list[Cue] = []
    floor = 0.0
    for heard in turns:
        for cue in _turn_cues(heard):
            if not cue.text:
                continue
            start = min(max(cue.start, floor), duration)
            end = min(max(cue.end, start + _MIN_CUE), duration)
            placed.append(Cue(start, end, cue.speaker, cue.text))
            floor = end
    return placed


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    whole, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}.{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: Sequence[Cue]) -> str:
    """A WebVTT file with one numbered cue per :class:`Cue` and ``<v>`` speaker spans."""
    parts = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        parts += [
            str(number),
            f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}",
            f"<v {_escape(cue.speaker)}>{_escape(cue.text)}</v>",
            "",
        ]
    return "\n".join(parts)


def place_chapters(
    turns: Sequence[Heard], titles: Sequence[tuple[str, str | None]], duration: float
) -> tuple[Chapter, ...]:
    """One chapter per segment: the first starts at 0, the last ends at ``duration``.

    ``titles`` holds each segment's ``(title, bill_id)``; every segment needs
    at least one turn. Later chapters start :data:`CHAPTER_LEAD` before their
    first word, never before the previous segment's last word ends.
    """
    starts = [0.0]
    for index in range(1, len(titles)):
        first = next((t for t in turns if t.segment == index), None)
        before = [t for t in turns if t.segment == index - 1]
        if first is None or not before:
            raise ValueError(f"segment {index} or the one before it has no turns")
        spoken_end = before[-1].offset + before[-1].duration
        starts.append(min(max(spoken_end, first.offset - CHAPTER_LEAD), duration))
    ends = [*starts[1:], duration]
    return tuple(
        Chapter(title, start, max(start, end), bill_id)
        for (title, bill_id), start, end in zip(titles, starts, ends, strict=True)
    )


def chapters_json(chapters: Sequence[Chapter]) -> str:
    """The chapters as a Podcasting 2.0 JSON chapters file (version 1.2.0)."""
    document = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title}
            for c in chapters
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
