"""Prose from public records: markup and reference noise removed, sentences split.

Bill records mix prose with HTML, Congressional Record references and enumerators.
These helpers keep the prose and hand it to :func:`~briefcast.speech.normalise`
unchanged otherwise: they never reword what the record says.
"""

from __future__ import annotations

import html
import re

from briefcast.speech import tidy

__all__ = ["plain_text", "split_sentences"]

_ABBREVIATIONS = frozenset(
    {
        "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Sen", "Rep", "Del", "Gov", "Gen",
        "Col", "Lt", "Sgt", "Capt", "No", "Nos", "Sec", "Secs", "Inc", "Co", "Corp",
        "Ltd", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
        "Nov", "Dec", "Pub", "vs", "v", "etc", "al",
    }
)  # fmt: skip
_BOUNDARY = re.compile(r"(?<=[.!?])(?P<close>[\"”’)]?)\s+(?=[\"“(]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping abbreviations, initials and citations whole."""
    sentences: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.start() + len(boundary["close"])
        if _ends_with_abbreviation(text[start:end]):
            continue
        sentences.append(text[start:end].strip())
        start = boundary.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _ends_with_abbreviation(chunk: str) -> bool:
    words = chunk.rstrip('"”’)').split()
    if not words or not words[-1].endswith("."):
        return False
    word = words[-1].rstrip(".").lstrip('"“(')
    # "U.S." or "H.R." (dotted letters) and single initials ("Charles E.") are not ends.
    return word in _ABBREVIATIONS or len(word) == 1 or "." in word


_HEADING = re.compile(r"<p>\s*<(b|strong)>.*?</\1>\s*</p>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]{0,200}>")
_RECORD_ASIDES = re.compile(
    r"\s*\((?i:text|consideration|CR|Roll\s+no|Record\s+Vote)\b[^()]*\)"  # Record refs
    r"|\s*\((?i:Secs?)\.[^()]*\)"  # "(Sec. 3)" section pointers
    r"|(?<![\w)])\((?:\d{1,2}|[A-Za-z]|[ivxlc]{2,5})\)"  # "(1)", "(A)", "(ii)" enumerators
    r"|\s*\([A-Z][A-Za-z0-9&.\-]{0,11}?[A-Z][A-Za-z0-9&.\-]{0,11}\)"  # "(FEMA)", "(GSA)"
)
_BRACKETED = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")
_SUBSECTIONS = re.compile(r"(?<=\d)(?:\(\w{1,4}\))+")
_LEFTOVER_MARKUP = re.compile(r"[()\[\]{}<>*_`#|~^\\]+")


def plain_text(record: str) -> str:
    """Prose from a public record: HTML, headings, references and brackets removed.

    Congressional records carry HTML paragraphs with bold headings, Congressional
    Record page references ``(text: CR S4049)``, section pointers ``(Sec. 3)``,
    enumerators ``(1)`` and acronym definitions ``(FEMA)``. None of them is worth
    saying, so they go; any other aside in brackets becomes a clause between commas.
    Party tags such as ``[D-NY]`` become ``, D-NY,`` for
    :func:`~briefcast.speech.normalise` to read.
    """
    text = html.unescape(_TAG.sub(" ", _HEADING.sub(" ", record)))
    text = _RECORD_ASIDES.sub("", text)
    text = _BRACKETED.sub(_aside, text)
    text = _strip_markup(text.replace("--", ", "))
    return tidy(re.sub(r"\s+", " ", text))


def _strip_markup(text: str) -> str:
    """Drop markup characters, except the brackets of subsections like ``501(c)(3)``."""
    pieces, start = [], 0
    for kept in _SUBSECTIONS.finditer(text):
        pieces += [_LEFTOVER_MARKUP.sub(" ", text[start : kept.start()]), kept[0]]
        start = kept.end()
    return "".join([*pieces, _LEFTOVER_MARKUP.sub(" ", text[start:])])


def _aside(m: re.Match[str]) -> str:
    inner = m[1].strip()
    before = m.string[m.start() - 1 : m.start()]
    if before and (before.isdigit() or before == ")") and re.fullmatch(r"\w{1,4}", inner):
        return m[0]  # a statute subsection such as 501(c)(3), read by normalise()
    if before.isalpha() and inner == "s":
        return "s"  # "member(s)"
    return f", {inner}," if inner else ""  # a party tag "[D-NY]" too: normalise() reads it
