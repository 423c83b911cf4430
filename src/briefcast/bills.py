"""Bills: the identifier every interface shares, and the bill a script is written from.

A bill id is ``{congress}-{type}-{number}`` (``119-hr-1234``) with the eight
types Congress uses for bills and resolutions. Everything else is rejected with
:class:`~briefcast.errors.InvalidBillId`, which the API answers with a 422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from briefcast.errors import InvalidBillId

__all__ = [
    "BILL_STATUSES",
    "BILL_TYPES",
    "Action",
    "Bill",
    "BillId",
    "Committee",
    "Sponsor",
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
        match = _ID_PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
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
