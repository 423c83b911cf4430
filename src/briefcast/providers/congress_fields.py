"""Field readers shared by both Congress.gov formats: BILLSTATUS XML and API v3 JSON.

The two formats carry the same facts under different names; once a parser has
pulled out the raw values, the rules for turning them into a :class:`Bill`'s
fields live here, once: which title is the official one, how a sponsor's name
reads aloud, which summary is the latest, how summary markup becomes text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import lxml.html

from briefcast.bills import Action, Sponsor
from briefcast.errors import BillSourceError

__all__ = [
    "SummaryVersion",
    "action_chamber",
    "choose_titles",
    "chronological",
    "clean_text",
    "is_number",
    "latest_summary",
    "parse_date",
    "parse_datetime",
    "sponsor_from",
    "summary_text",
]

# "[D-VA-11]", "[R-UT]", "[D-DC-At Large]" at the end of a member's full name.
_MEMBER_TAG = re.compile(
    r"\s*\[(?P<party>[A-Za-z]+)-(?P<state>[A-Z]{2})(?:-(?P<district>[^\]]+))?\]\s*$"
)
_MEMBER_TITLES = ("Resident Commissioner", "Commissioner", "Rep.", "Sen.", "Del.", "Rep", "Sen")

# Official titles rank by how late in the bill's life they were given.
_OFFICIAL_TITLE_RANKS = (
    ("official title as agreed to", 3),
    ("official titles as amended", 2),
    ("official title as amended", 2),
    ("official title as introduced", 1),
)
_SHORT_TITLE_PREFERENCE = ("enacted", "passed", "reported", "introduced")

_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "br", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def clean_text(value: str | None) -> str:
    """The text with every run of whitespace (newlines, non-breaking spaces) made one space."""
    return " ".join((value or "").split())


def is_number(text: str) -> bool:
    """Whether ``text`` is a whole number written in ASCII digits (``int()`` takes more)."""
    return text.isascii() and text.isdigit()


def parse_date(value: str | None, what: str) -> date | None:
    """``2021-01-04`` (or the date part of a timestamp); empty is ``None``."""
    text = clean_text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise BillSourceError(f"{what} {text!r} is not a date") from exc


def parse_datetime(value: str | None, what: str) -> datetime | None:
    """``2022-03-25T01:16:59Z`` as an aware datetime; a bare date is midnight UTC."""
    text = clean_text(value)
    if not text:
        return None
    if len(text) == 10:
        text += "T00:00:00"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BillSourceError(f"{what} {text!r} is not a timestamp") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def action_chamber(source_name: str | None) -> str | None:
    """``House``/``Senate`` from an action's source system ("House floor actions")."""
    name = (source_name or "").lower()
    if "senate" in name:
        return "Senate"
    return "House" if "house" in name else None


def chronological(actions_newest_first: Iterable[Action]) -> tuple[Action, ...]:
    """Actions oldest first. Both formats list the newest first, same-day ones too.

    Actions without text are left out: older files hold a few empty placeholders
    (a date and nothing else), which no listener could be told about.
    """
    kept = [action for action in actions_newest_first if action.text]
    return tuple(sorted(reversed(kept), key=lambda a: a.date))


def sponsor_from(
    full_name: str | None,
    *,
    party: str | None = None,
    state: str | None = None,
    district: str | int | None = None,
    bioguide_id: str | None = None,
) -> Sponsor | None:
    """A sponsor from a member's record; party, state and district fall back to the name tag.

    ``Rep. Connolly, Gerald E. [D-VA-11]`` becomes ``Gerald E. Connolly`` of
    ``D``/``VA``/``11``: the name as a host would say it, the rest in fields.
    District ``0`` is an at-large seat.
    """
    text = clean_text(full_name)
    if not text:
        return None
    tag = _MEMBER_TAG.search(text)
    name = _spoken_name(text[: tag.start()] if tag else text)
    return Sponsor(
        name=name,
        party=clean_text(party) or (tag["party"] if tag else None),
        state=clean_text(state) or (tag["state"] if tag else None),
        district=_district(district, tag["district"] if tag else None),
        bioguide_id=clean_text(bioguide_id) or None,
    )


def _spoken_name(formal: str) -> str:
    """``Rep. Casey, Robert P., Jr.`` → ``Robert P. Casey Jr.``."""
    for title in _MEMBER_TITLES:
        if formal.startswith(title + " "):
            formal = formal[len(title) :].strip()
            break
    parts = [part.strip() for part in formal.split(",") if part.strip()]
    if len(parts) < 2:
        return formal
    return " ".join([parts[1], parts[0], *parts[2:]])


def _district(value: str | int | None, from_tag: str | None) -> str | None:
    text = clean_text(str(value)) if value is not None else ""
    if not text:
        text = clean_text(from_tag)
    if text == "0":
        return "At Large"
    return text or None


def choose_titles(display: str | None, titles: Iterable[tuple[str, str]]) -> tuple[str, str | None]:
    """The official title and a short title from ``(title type, title)`` pairs.

    The official title is the latest kind given (agreed to by both chambers, then
    as amended, then as introduced), the first of its kind in the file. The short
    title is the display title when it is not an official one, else the furthest
    whole-bill short title ("as Enacted" … "as Introduced"), else ``None``.
    Without any official title the display title stands in for it.
    """
    pairs = [(kind.lower(), clean_text(text)) for kind, text in titles if clean_text(text)]
    display = clean_text(display) or None
    official = _official_title(pairs) or display
    if official is None:
        raise BillSourceError("the bill has no title")
    officials = {text for kind, text in pairs if kind.startswith("official title")}
    if display and display != official and display not in officials:
        return official, display
    short = _short_title(pairs)
    return official, short if short != official else None


def _official_title(pairs: list[tuple[str, str]]) -> str | None:
    best: tuple[int, str] | None = None
    for kind, text in pairs:
        rank = next((r for prefix, r in _OFFICIAL_TITLE_RANKS if kind.startswith(prefix)), 0)
        if rank and (best is None or rank > best[0]):
            best = (rank, text)
    return best[1] if best else None


def _short_title(pairs: list[tuple[str, str]]) -> str | None:
    whole_bill = [
        (kind, text)
        for kind, text in pairs
        if "short title" in kind and "portions" not in kind and "other" not in kind
    ]
    for stage in _SHORT_TITLE_PREFERENCE:
        for kind, text in whole_bill:
            if stage in kind:
                return text
    return None


@dataclass(frozen=True)
class SummaryVersion:
    """One version of a bill's summary, as the source gives it (markup included)."""

    action_date: date | None
    update_date: datetime | None
    markup: str


def latest_summary(versions: Iterable[SummaryVersion]) -> str | None:
    """The plain text of the newest version (latest action, then latest update)."""
    ordered = sorted(
        enumerate(versions),
        key=lambda item: (
            item[1].action_date or date.min,
            item[1].update_date or datetime.min.replace(tzinfo=UTC),
            item[0],
        ),
    )
    for _, version in reversed(ordered):
        text = summary_text(version.markup)
        if text:
            return text
    return None


def summary_text(markup: str | None) -> str:
    """Summary markup as plain text: one paragraph per block, tags gone, entities resolved."""
    if not markup or not markup.strip():
        return ""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    pieces: list[str] = []
    _collect_text(root, pieces)
    paragraphs = (clean_text(chunk) for chunk in "".join(pieces).split("\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _collect_text(element: lxml.html.HtmlElement, pieces: list[str]) -> None:
    block = element.tag in _BLOCK_TAGS
    if block:
        pieces.append("\n")
    pieces.append(element.text or "")
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions say nothing
            _collect_text(child, pieces)
        pieces.append(child.tail or "")
    if block:
        pieces.append("\n")
