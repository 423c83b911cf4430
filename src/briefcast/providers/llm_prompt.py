"""What the language model is told: the rules, the bills' own fields, and the answer's schema.

The prompt grounds the hosts in the records given (nothing else may be
stated), fixes the structure (intro, one segment per bill in order, outro) and
the length budget, and forbids everything the script validator refuses
(stage directions, markup, addresses, speaker labels), so a good model's
answer passes validation the first time.
"""

from __future__ import annotations

import json
import math
from typing import Any

from briefcast.bills import BILL_STATUSES, Bill
from briefcast.prose import plain_text
from briefcast.scripts import Budget
from briefcast.writers import ScriptRequest

__all__ = ["messages", "script_schema", "unique_bills"]

_SUMMARY_CHARS = 4000
_RECENT_ACTIONS = 8
_SUBJECTS = 12


def unique_bills(request: ScriptRequest) -> tuple[Bill, ...]:
    """The request's bills, each once, in order."""
    seen: dict[str, Bill] = {}
    for bill in request.bills:
        seen.setdefault(str(bill.id), bill)
    return tuple(seen.values())


def script_schema(hosts: tuple[str, ...]) -> dict[str, Any]:
    """JSON Schema of the answer, strict-mode ready (every key required, no extras)."""
    turn = _object(
        speaker={"type": "string", "enum": list(hosts)},
        text={"type": "string"},
    )
    segment = _object(
        kind={"type": "string", "enum": ["intro", "bill", "outro"]},
        title={"type": "string"},
        bill_id={"type": ["string", "null"]},
        turns={"type": "array", "items": turn},
    )
    return _object(segments={"type": "array", "items": segment})


def _object(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def messages(request: ScriptRequest) -> list[dict[str, str]]:
    """The system and user messages for one episode."""
    return [
        {"role": "system", "content": _rules(request)},
        {"role": "user", "content": json.dumps(_material(request), ensure_ascii=False)},
    ]


def _budget(request: ScriptRequest) -> tuple[int, int]:
    target = round(request.target_seconds * request.words_per_minute / 60)
    ceiling = Budget.for_duration(request.target_seconds, request.words_per_minute).max_words
    return target, min(ceiling, math.ceil(target * 1.1))


def _rules(request: ScriptRequest) -> str:
    first, second = request.hosts
    target, ceiling = _budget(request)
    kind = "daily brief" if request.episode_type == "daily" else "weekly deep dive"
    return "\n".join(
        [
            f"You write the script of a {kind}: two hosts, {first} and {second}, talk a "
            "listener through bills in the U.S. Congress. The user message is JSON with the "
            "episode and the bills' official records.",
            "Facts: use only what the records say. Never add a fact, number, date, name, "
            "quote, opinion or prediction that is not in them; if a record lacks something, "
            "do not mention it. Stay neutral and non-partisan.",
            "Speech: every turn is words to be read aloud as written. No stage directions, "
            "brackets, parentheses, asterisks, markdown, lists, emoji, web or e-mail "
            "addresses, and never a name followed by a colon inside a turn. Spell out "
            "symbols as words.",
            f"Structure: one intro segment, then exactly one segment of kind bill per bill, "
            f"in the order given, with bill_id copied exactly, then one outro segment. "
            f"{first} and {second} alternate naturally, a few sentences per turn. Only the "
            "intro and outro may greet the listener by name, mention their state or the "
            "date; bill segments speak to any listener. The outro says that the voices are "
            "synthetic and the episode is drawn from public records.",
            f"Length: about {target} words in all, never more than {ceiling}; give each bill "
            "a fair share.",
            "Answer with JSON only, shaped as "
            + json.dumps(script_schema(request.hosts), separators=(",", ":")),
        ]
    )


def _material(request: ScriptRequest) -> dict[str, Any]:
    target, ceiling = _budget(request)
    return {
        "episode": {
            "type": request.episode_type,
            "date": request.day.isoformat(),
            "listener": {"name": request.listener.name, "state": request.listener.state},
            "hosts": list(request.hosts),
            "target_words": target,
            "max_words": ceiling,
        },
        "bills": [_record(bill) for bill in unique_bills(request)],
    }


def _record(bill: Bill) -> dict[str, Any]:
    sponsor = bill.sponsor
    summary = plain_text(bill.summary)[:_SUMMARY_CHARS] if bill.summary else None
    return {
        "bill_id": str(bill.id),
        "citation": bill.id.citation,
        "title": bill.title,
        "short_title": bill.short_title,
        "sponsor": {"name": sponsor.name, "party": sponsor.party, "state": sponsor.state}
        if sponsor
        else None,
        "cosponsors": bill.cosponsors_count,
        "policy_area": bill.policy_area,
        "subjects": list(bill.subjects[:_SUBJECTS]),
        "summary": summary,
        "introduced": bill.introduced_date.isoformat() if bill.introduced_date else None,
        "status": BILL_STATUSES.get(bill.status, bill.status),
        "recent_actions": [
            {"date": a.date.isoformat(), "chamber": a.chamber, "text": a.text}
            for a in (
                bill.actions[-_RECENT_ACTIONS:]
                or ((bill.latest_action,) if bill.latest_action else ())
            )
        ],
        "committees": [c.name for c in bill.committees],
    }
