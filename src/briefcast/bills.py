"""Bills: the identifier every interface shares, and the bill a script is written from.

A bill id is ``{congress}-{type}-{number}`` (``119-hr-1234``) with the eight
types Congress uses for bills and resolutions, spelled exactly so: lower case,
no spaces, no leading zeros. Everything else (``119-HR-1234``, `` 119-hr-1``,
``119-hr-01``) is rejected with :class:`~briefcast.errors.InvalidBillId`, which
the API answers with a 422; one spelling per bill keeps ids usable as keys and
URLs.

:func:`derive_status` reads a bill's action history and says how far it got.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from briefcast.errors import InvalidBillId

__all__ = [
    "BILL_ID_PATTERN",
    "BILL_STATUSES",
    "BILL_TYPES",
    "Action",
    "Bill",
    "BillId",
    "Committee",
    "Sponsor",
    "classify_action",
    "derive_status",
]

#: Bill types, with the citation prefix a listener would hear.
BILL_TYPES: dict[str, str] = {
    "hr": "H.R.",
    "s": "S.",
    "hjres": "H.J.Res.",
    "sjres": "S.J.Res.",
    "hconres": "H.Con.Res.",
    "sconres": "S.Con.Res.",
    "hres": "H.Res.",
    "sres": "S.Res.",
}

#: Where a bill stands, furthest stage reached, with a phrase a host can say.
BILL_STATUSES: dict[str, str] = {
    "introduced": "has been introduced",
    "in_committee": "is in committee",
    "reported": "has been reported out of committee",
    "passed_house": "has passed the House",
    "passed_senate": "has passed the Senate",
    "passed_both": "has passed both chambers",
    "to_president": "is on the President's desk",
    "became_law": "has become law",
    "vetoed": "was vetoed",
    "agreed_to": "has been agreed to",
    "failed": "failed",
}

#: Every id :meth:`BillId.parse` accepts and nothing else, as a JSON Schema ``pattern``
#: (the API documents its bill ids with it; the parser still gives the reason for a refusal).
BILL_ID_PATTERN = rf"^[1-9][0-9]{{0,2}}-({'|'.join(BILL_TYPES)})-[1-9][0-9]{{0,5}}$"

_ID_PATTERN = re.compile(
    r"(?P<congress>[1-9][0-9]{0,2})-(?P<type>[a-z]+)-(?P<number>[1-9][0-9]{0,5})"
)


@dataclass(frozen=True, order=True)
class BillId:
    """A bill's identity: congress, type and number."""

    congress: int
    type: str
    number: int

    def __post_init__(self) -> None:
        if self.type not in BILL_TYPES:
            raise InvalidBillId(
                f"unknown bill type {self.type!r}; use one of {', '.join(BILL_TYPES)}"
            )
        if not 1 <= self.congress <= 999 or not 1 <= self.number <= 999_999:
            raise InvalidBillId(f"bill {self.congress}-{self.type}-{self.number} is out of range")

    @classmethod
    def parse(cls, text: str) -> BillId:
        """Parse ``119-hr-1234``; anything else raises :class:`InvalidBillId`."""
        match = _ID_PATTERN.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidBillId(
                f"{text!r} is not a bill id; expected congress-type-number such as 119-hr-1234"
            )
        return cls(int(match["congress"]), match["type"], int(match["number"]))

    @property
    def citation(self) -> str:
        """How the bill is cited in print, e.g. ``H.R. 1234``."""
        return f"{BILL_TYPES[self.type]} {self.number}"

    @property
    def chamber(self) -> str:
        """The chamber the bill starts in: ``House`` or ``Senate``."""
        return "House" if self.type.startswith("h") else "Senate"

    def __str__(self) -> str:
        return f"{self.congress}-{self.type}-{self.number}"


@dataclass(frozen=True)
class Sponsor:
    """The member who introduced the bill."""

    name: str
    party: str | None = None  # "D", "R", "I", ...
    state: str | None = None  # two-letter postal code
    district: str | None = None
    bioguide_id: str | None = None


@dataclass(frozen=True)
class Action:
    """One step in a bill's history."""

    date: date
    text: str
    chamber: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Committee:
    """A committee the bill was referred to."""

    name: str
    chamber: str | None = None
    activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bill:
    """Everything a script needs to talk about one bill. No I/O."""

    id: BillId
    title: str
    short_title: str | None = None
    sponsor: Sponsor | None = None
    cosponsors_count: int = 0
    policy_area: str | None = None
    subjects: tuple[str, ...] = ()
    summary: str | None = None
    introduced_date: date | None = None
    latest_action: Action | None = None
    actions: tuple[Action, ...] = ()
    committees: tuple[Committee, ...] = ()
    status: str = "introduced"
    update_date: datetime | None = None
    source: str = "unknown"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def display_title(self) -> str:
        """The short title when there is one, else the official title."""
        return self.short_title or self.title

    def with_(self, **changes: Any) -> Bill:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_json` reverses it."""
        return {
            "id": str(self.id),
            "congress": self.id.congress,
            "type": self.id.type,
            "number": self.id.number,
            "citation": self.id.citation,
            "title": self.title,
            "short_title": self.short_title,
            "sponsor": _sponsor_json(self.sponsor),
            "cosponsors_count": self.cosponsors_count,
            "policy_area": self.policy_area,
            "subjects": list(self.subjects),
            "summary": self.summary,
            "introduced_date": _iso(self.introduced_date),
            "latest_action": _action_json(self.latest_action),
            "actions": [_action_json(a) for a in self.actions],
            "committees": [
                {"name": c.name, "chamber": c.chamber, "activities": list(c.activities)}
                for c in self.committees
            ],
            "status": self.status,
            "update_date": _iso(self.update_date),
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bill:
        sponsor = data.get("sponsor")
        latest = data.get("latest_action")
        return cls(
            id=BillId.parse(data["id"]),
            title=data["title"],
            short_title=data.get("short_title"),
            sponsor=Sponsor(**sponsor) if sponsor else None,
            cosponsors_count=int(data.get("cosponsors_count") or 0),
            policy_area=data.get("policy_area"),
            subjects=tuple(data.get("subjects") or ()),
            summary=data.get("summary"),
            introduced_date=_parse_date(data.get("introduced_date")),
            latest_action=_action_from_json(latest) if latest else None,
            actions=tuple(_action_from_json(a) for a in data.get("actions") or ()),
            committees=tuple(
                Committee(c["name"], c.get("chamber"), tuple(c.get("activities") or ()))
                for c in data.get("committees") or ()
            ),
            status=data.get("status") or "introduced",
            update_date=_parse_datetime(data.get("update_date")),
            source=data.get("source") or "unknown",
        )


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _parse_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _sponsor_json(sponsor: Sponsor | None) -> dict[str, Any] | None:
    if sponsor is None:
        return None
    return {
        "name": sponsor.name,
        "party": sponsor.party,
        "state": sponsor.state,
        "district": sponsor.district,
        "bioguide_id": sponsor.bioguide_id,
    }


def _action_json(action: Action | None) -> dict[str, Any] | None:
    if action is None:
        return None
    return {
        "date": action.date.isoformat(),
        "text": action.text,
        "chamber": action.chamber,
        "code": action.code,
    }


def _action_from_json(data: dict[str, Any]) -> Action:
    parsed = _parse_date(data["date"])
    assert parsed is not None
    return Action(parsed, data["text"], data.get("chamber"), data.get("code"))


# --- status -------------------------------------------------------------------------------

_SIMPLE_RESOLUTIONS = frozenset({"hres", "sres"})
_CONCURRENT_RESOLUTIONS = frozenset({"hconres", "sconres"})

# What an action means for a bill's progress, matched against its lower-cased text.
# Order matters: the first match wins, so outcomes come before the words that merely
# mention them ("vetoed" before "presented", failures before passages). A ``chamber``
# group says where a vote happened; otherwise the action's own chamber does, and failing
# that the chamber the bill started in.
_ACTION_EVENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("law", re.compile(r"became (?:public|private) law|signed by (?:the )?president")),
    ("veto", re.compile(r"vetoed by (?:the )?president|pocket vetoed")),
    ("presented", re.compile(r"presented to (?:the )?president")),
    (
        "failed",
        re.compile(
            r"failed of passage|(?:resolution )?not agreed to in (?P<chamber>house|senate)"
            r"|^on (?:passage|agreeing to the (?:concurrent )?resolution"
            r"|motion to suspend the rules and (?:pass|agree to))\b.*\bfailed\b"
        ),
    ),
    (
        "passed",
        re.compile(
            r"passed/agreed to in (?P<chamber>house|senate)"
            r"|^passed (?P<chamber2>house|senate)\b"
            r"|considered (?:passed|agreed to) (?:in )?(?P<chamber3>house|senate)"
            r"|(?:resolution|conference report) agreed to in (?P<chamber4>house|senate)"
            r"|(?P<chamber5>house|senate) agreed to (?:the )?(?:house|senate) amendment"
            r"|considered,? and agreed to\b"
            r"|^on (?:passage|agreeing to the (?:concurrent )?(?:resolution|conference report)"
            r"|motion to suspend the rules and (?:pass|agree to)"
            r"|motion that the house agree to the senate amendment)\b.*\b(?:passed|agreed to)\b"
        ),
    ),
    (
        "reported",
        re.compile(r"\breported\b|\bdischarged\b|placed on the (?:union|house) calendar"),
    ),
    ("referred", re.compile(r"\breferred\b")),
)


def derive_status(bill_type: str, actions: Iterable[Action]) -> str:
    """How far a bill got, as a key of :data:`BILL_STATUSES`, read from its actions.

    The furthest stage reached wins: law, then veto, then the President's desk,
    then votes (a simple resolution agreed to in its chamber, or a concurrent one
    agreed to in both, is ``agreed_to``; a bill or joint resolution passed by both
    chambers is ``passed_both``), then committee stages. A floor vote that failed
    and was not followed by a passing one makes the bill ``failed``. Actions are
    taken in date order; those on the same day keep their given order.
    """
    events: set[str] = set()
    passed: set[str] = set()
    last_vote: str | None = None
    for action in sorted(actions, key=lambda a: a.date):
        event, chamber = classify_action(action)
        if event is None:
            continue
        events.add(event)
        if event in ("passed", "failed"):
            last_vote = event
        if event == "passed":
            passed.add(chamber or ("House" if bill_type.startswith("h") else "Senate"))
    return _status_from(bill_type, events, passed, last_vote)


def classify_action(action: Action) -> tuple[str | None, str | None]:
    """What one action means for progress, and in which chamber a vote took place.

    The event is one of ``law veto presented failed passed reported referred`` or
    ``None`` for actions that move nothing (debate, motions, messages). The chamber
    (``House``/``Senate``) comes from the text, else from the action itself.
    """
    text = " ".join(action.text.lower().split())
    for event, pattern in _ACTION_EVENTS:
        match = pattern.search(text)
        if match:
            named = next((v for v in match.groupdict().values() if v), None)
            return event, named.capitalize() if named else action.chamber
    return None, None


def _status_from(bill_type: str, events: set[str], passed: set[str], last_vote: str | None) -> str:
    if "law" in events:
        return "became_law"
    if "veto" in events:
        return "vetoed"
    if "presented" in events:
        return "to_president"
    if last_vote == "failed":
        return "failed"
    if passed:
        return _passed_status(bill_type, passed)
    if "reported" in events:
        return "reported"
    return "in_committee" if "referred" in events else "introduced"


def _passed_status(bill_type: str, passed: set[str]) -> str:
    both = {"House", "Senate"} <= passed
    if bill_type in _SIMPLE_RESOLUTIONS or (both and bill_type in _CONCURRENT_RESOLUTIONS):
        return "agreed_to"
    if both:
        return "passed_both"
    return "passed_house" if "House" in passed else "passed_senate"
