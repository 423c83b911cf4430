"""The script of an episode: segments of turns spoken by two hosts.

A script is data, never I/O. It is validated (see :func:`validate`) before any
voice is paid to read it: every turn must be words a voice can say as written.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from briefcast.bills import BillId
from briefcast.errors import InvalidBillId, ScriptInvalid

__all__ = [
    "Budget",
    "Problem",
    "Script",
    "Segment",
    "SegmentKind",
    "Turn",
    "check",
    "check_text",
    "validate",
]

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


# --- validation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """How many words a script may have (spoken at the listener's pace)."""

    max_words: int
    min_words: int = 0

    def __post_init__(self) -> None:
        if self.min_words < 0 or self.max_words < self.min_words:
            raise ValueError(f"bad word budget {self.min_words}..{self.max_words}")

    @classmethod
    def for_duration(
        cls, seconds: float, words_per_minute: float, tolerance: float = 0.2
    ) -> Budget:
        """At most ``tolerance`` over the words that fill ``seconds``; no minimum."""
        target = seconds * words_per_minute / 60
        return cls(max_words=math.ceil(target * (1 + tolerance)))


@dataclass(frozen=True)
class Problem:
    """One broken rule, located by segment and turn index (both counted from 0)."""

    rule: str
    detail: str
    segment: int | None = None
    turn: int | None = None
    where: str = ""

    def __str__(self) -> str:
        place = []
        if self.segment is not None:
            place.append(f"segment {self.segment}{self.where}")
        if self.turn is not None:
            place.append(f"turn {self.turn}")
        prefix = ", ".join(place) or "script"
        return f"{prefix}: {self.detail} [{self.rule}]"


def validate(script: Script, budget: Budget) -> None:
    """Raise :class:`~briefcast.errors.ScriptInvalid` listing every problem, if any."""
    problems = check(script, budget)
    if problems:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise ScriptInvalid(
            f"script failed validation with {len(problems)} problem(s): {shown}{more}",
            tuple(str(p) for p in problems),
        )


def check(script: Script, budget: Budget) -> tuple[Problem, ...]:
    """Every problem in ``script``, in reading order; empty when it may be voiced."""
    return (
        *_structure_problems(script),
        *(
            p
            for i, segment in enumerate(script.segments)
            for p in _segment_problems(script, i, segment)
        ),
        *_length_problems(script, budget),
    )


def check_text(text: str, hosts: Sequence[str]) -> tuple[Problem, ...]:
    """The problems of one turn's text, unlocated; writers use it to vet material."""
    if not any(ch.isalnum() for ch in text):
        return (Problem("empty-turn", "turn has no words to say"),)
    return (
        *_markup_problems(text),
        *_address_problems(text),
        *_label_problems(text, hosts),
        *_character_problems(text),
    )


def _structure_problems(script: Script) -> Iterator[Problem]:
    kinds = [segment.kind for segment in script.segments]
    if not kinds or kinds[0] != "intro":
        yield Problem("structure", "the script must open with an intro segment")
    if not kinds or kinds[-1] != "outro":
        yield Problem("structure", "the script must close with an outro segment")
    for kind in ("intro", "outro"):
        if kinds.count(kind) > 1:
            yield Problem(
                "structure", f"the script has {kinds.count(kind)} {kind} segments; one is allowed"
            )
    seen: dict[str, int] = {}
    for index, segment in enumerate(script.segments):
        if segment.kind == "bill" and segment.bill_id:
            if segment.bill_id in seen:
                first = seen[segment.bill_id]
                detail = f"bill {segment.bill_id} is covered again (first in segment {first})"
                yield Problem("bill-id", detail, index, where=_where(segment))
            seen.setdefault(segment.bill_id, index)


def _segment_problems(script: Script, index: int, segment: Segment) -> Iterator[Problem]:
    where = _where(segment)
    for problem in _segment_kind_problems(segment):
        yield replace(problem, segment=index, where=where)
    if not segment.turns:
        yield Problem("empty-segment", "segment has no turns", index, where=where)
    for number, turn in enumerate(segment.turns):
        for problem in _turn_problems(script.hosts, turn):
            yield replace(problem, segment=index, turn=number, where=where)


def _where(segment: Segment) -> str:
    return f" ({segment.kind} {segment.bill_id})" if segment.bill_id else f" ({segment.kind})"


def _segment_kind_problems(segment: Segment) -> Iterator[Problem]:
    if segment.kind not in ("intro", "bill", "outro"):
        yield Problem("structure", f"unknown segment kind {segment.kind!r}")
    elif segment.kind == "bill":
        yield from _bill_id_problems(segment.bill_id)
    elif segment.bill_id is not None:
        yield Problem("bill-id", f"an {segment.kind} segment must not carry a bill id")


def _bill_id_problems(bill_id: str | None) -> Iterator[Problem]:
    if not bill_id:
        yield Problem("bill-id", "a bill segment must name its bill id")
        return
    try:
        BillId.parse(bill_id)
    except InvalidBillId as exc:
        yield Problem("bill-id", str(exc))


def _turn_problems(hosts: Sequence[str], turn: Turn) -> Iterator[Problem]:
    if turn.speaker not in hosts:
        known = ", ".join(repr(h) for h in hosts) or "none"
        yield Problem("speaker", f"unknown speaker {turn.speaker!r} (hosts: {known})")
    if not turn.text.strip():
        yield Problem("empty-turn", "turn is empty")
    else:
        yield from check_text(turn.text, hosts)


# Anything in brackets or parentheses, emphasis marks, tags and markdown punctuation: a
# voice reads these aloud ("bracket nodding") or silently drops meaning. Asides are
# written as words instead, which is how stage directions never reach a listener.
_MARKUP = re.compile(
    r"\[[^\]\n]{0,60}\]|\([^)\n]{0,60}\)|\{[^}\n]{0,60}\}|<[^<>\n]{0,60}>"
    r"|\*{1,2}[^*\n]{1,60}\*{1,2}|(?<!\w)_[^_\n]{1,60}_(?!\w)|`[^`\n]{0,60}`"
    r"|[\[\](){}<>*_`#|~^\\]"
)
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[-+•]|\d+[.)]|>)[ \t]")
_URL = re.compile(
    r"\b(?:https?|ftp)://\S+|\bwww\.\S+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:gov|com|org|net|edu|mil|io|us|info|co|ly)\b(?:/\S*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"@\w*")
_LABEL = re.compile(r"(?:^|\n)[ \t]*(?P<label>[^\W\d][\w .'-]{0,30}?)[ \t]*:(?=\s|$)")
_ROLE = re.compile(
    r"(?:host|co-host|speaker|narrator|announcer|guest|anchor|interviewer|voice)(?:\s*\w)?",
    re.IGNORECASE,
)
_ODD_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "So", "Sk", "Sm", "Me"})


def _markup_problems(text: str) -> Iterator[Problem]:
    for match in _MARKUP.finditer(text):
        yield Problem("markup", f"stage direction or markup {match[0]!r} would be read aloud")
    for match in _LIST_MARKER.finditer(text):
        yield Problem("markup", f"list or quote marker {match[0].strip()!r} at the start of a line")


def _address_problems(text: str) -> Iterator[Problem]:
    for match in _URL.finditer(text):
        yield Problem("url", f"URL {match[0]!r} must not be read aloud")
    emails = list(_EMAIL.finditer(text))
    for match in emails:
        yield Problem("email", f"e-mail address {match[0]!r} must not be read aloud")
    for match in _HANDLE.finditer(text):
        if not any(e.start() <= match.start() < e.end() for e in emails):
            yield Problem("email", f"handle or at sign {match[0]!r} must not be read aloud")


def _label_problems(text: str, hosts: Sequence[str]) -> Iterator[Problem]:
    names = {host.casefold() for host in hosts}
    for match in _LABEL.finditer(text):
        label = match["label"].strip()
        if label.casefold() in names or _ROLE.fullmatch(label) or _shouted(label):
            yield Problem("speaker-label", f"speaker label {label + ':'!r} inside the text")


def _shouted(label: str) -> bool:
    letters = [ch for ch in label if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _character_problems(text: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for ch in text:
        if ch in seen or ch == "\n":
            continue
        if unicodedata.category(ch) in _ODD_CATEGORIES or 0xFE00 <= ord(ch) <= 0xFE0F:
            seen.add(ch)
            name = unicodedata.name(ch, "unnamed")
            yield Problem("character", f"character U+{ord(ch):04X} ({name}) reads oddly")


def _length_problems(script: Script, budget: Budget) -> Iterator[Problem]:
    words = script.words
    if words > budget.max_words:
        yield Problem(
            "length", f"script has {words} words; the budget allows at most {budget.max_words}"
        )
    if words < budget.min_words:
        yield Problem(
            "length", f"script has {words} words; the budget needs at least {budget.min_words}"
        )
