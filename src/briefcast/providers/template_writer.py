"""The offline script writer: a deterministic two-host conversation built from bill records.

Every sentence comes from the bill's own fields (CRS summary, sponsor, committees,
actions, status, policy area, subjects) or from how Congress works in general; nothing
is invented. Each bill becomes a list of *beats* ranked by how essential they are; a
bill is told to the depth whose length comes nearest its *allowance*, the words one
bill gets in an episode of its type written for its usual number of bills. Phrasing
varies by a hash of the bill id, so it is stable across runs and listeners but differs
between bills.

A bill segment therefore depends only on the bill, the hosts and the episode type
(with the deployment's episode lengths and voice pace) — never on the listener, the
day, or the other bills in the episode — so every listener following a bill shares
its audio. The episode meets its length by how many bills it covers: bills are taken
in the order given while they fit. Personal words (name, state, date) stay in the
intro and outro.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

from briefcast.bills import BILL_STATUSES, Action, Bill, BillId, Committee, Sponsor
from briefcast.prose import plain_text, split_sentences
from briefcast.providers import template_phrases as say
from briefcast.scripts import Budget, Script, Segment, Turn, check_text, validate
from briefcast.speech import (
    normalise,
    party_phrase,
    spoken_date,
    spoken_number,
    spoken_ordinal,
    state_name,
)
from briefcast.writers import EpisodeType, Listener, ScriptRequest

__all__ = ["BILLS_PER_EPISODE", "TemplateWriter"]

#: Bill sources whose summaries are CRS summaries and whose facts are public records.
PUBLIC_RECORD_SOURCES = ("billstatus", "govinfo", "congress")
#: How many bills an episode of each type is written for (the settings' defaults).
BILLS_PER_EPISODE: Mapping[EpisodeType, int] = MappingProxyType({"daily": 3, "weekly": 8})
_TOLERANCE = 0.2
_STAND_IN = Listener("Listener")
_STAND_IN_DAY = date(2001, 1, 1)
#: Stands in for the bills in the intro and outro: a public record with a summary, as most are.
_STAND_IN_BILL = Bill(BillId(100, "hr", 1), "A bill.", summary="A summary.", source="billstatus")
_LEAD, _OTHER = 0, 1
_MEMO_SIZE = 512


@dataclass(frozen=True)
class _Beat:
    """One thing a host says about a bill; ``rank`` 0 is essential, higher is depth."""

    rank: int
    order: int
    role: int
    text: str


@dataclass(frozen=True)
class _Told:
    """A bill's segment at its chosen depth, and the passages that could not be read."""

    bill: Bill
    segment: Segment
    words: int
    dropped: int


class TemplateWriter:
    """A :class:`~briefcast.writers.ScriptWriter` that needs no network and no model.

    ``bills_per_episode`` sets each bill's allowance (see the module notes); pass
    the deployment's bill counts when they differ from the defaults.
    """

    name = "template"

    def __init__(
        self,
        hosts: tuple[str, str] = ("Maya", "Theo"),
        bills_per_episode: Mapping[EpisodeType, int] = BILLS_PER_EPISODE,
    ) -> None:
        if min(bills_per_episode.values()) < 1:
            raise ValueError("an episode is written for at least one bill")
        self.hosts = hosts
        self.bills_per_episode = dict(bills_per_episode)
        # Segments are pure functions of their inputs; listeners share bills, so keep some.
        self._told: OrderedDict[tuple[Bill, tuple[str, ...], int], _Told] = OrderedDict()

    def write(self, request: ScriptRequest) -> Script:
        """Write the episode; raises :class:`~briefcast.errors.ScriptInvalid` if it can't fit.

        The request's hosts speak; this writer's own hosts stand in when it names none.
        """
        hosts = tuple(request.hosts or self.hosts)
        unique = replace(request, bills=_unique(request.bills))
        allowance = self.allowance(unique)
        told = [self._tell(bill, hosts, allowance) for bill in unique.bills]
        chosen = _choose(told, unique, hosts, self.bills_per_episode[unique.episode_type])
        episode = replace(unique, bills=tuple(t.bill for t in chosen))
        segments = (_intro(episode, hosts), *(t.segment for t in chosen), _outro(episode, hosts))
        notes = _notes(request, told, chosen, segments)
        script = Script(_title(episode), hosts, segments, notes)
        validate(script, Budget.for_duration(request.target_seconds, request.words_per_minute))
        return script

    def allowance(self, request: ScriptRequest) -> int:
        """Words one bill gets in this type of episode, whoever listens and whatever else is in it.

        The episode's words, less what the intro and outro take for a stand-in listener
        on a stand-in day, shared among the bills an episode of this type is written for.
        """
        count = self.bills_per_episode[request.episode_type]
        hosts = tuple(request.hosts or self.hosts)
        stand_in = replace(
            request, listener=_STAND_IN, day=_STAND_IN_DAY, bills=(_STAND_IN_BILL,) * count
        )
        personal = _words(_intro(stand_in, hosts)) + _words(_outro(stand_in, hosts))
        return max(1, round((_target_words(request) - personal) / count))

    def _tell(self, bill: Bill, hosts: tuple[str, ...], allowance: int) -> _Told:
        key = (bill, hosts, allowance)
        told = self._told.get(key)
        if told is None:
            told = _tell(bill, hosts, allowance)
            self._told[key] = told
            if len(self._told) > _MEMO_SIZE:
                self._told.popitem(last=False)
        self._told.move_to_end(key)
        return told


def _target_words(request: ScriptRequest) -> float:
    return request.target_seconds * request.words_per_minute / 60


def _unique(bills: Sequence[Bill]) -> tuple[Bill, ...]:
    first: dict[str, Bill] = {}
    for bill in bills:
        first.setdefault(str(bill.id), bill)
    return tuple(first.values())


# --- depth and choice --------------------------------------------------------------------


class _BillPlan:
    """A bill's beats and the depth chosen for it."""

    def __init__(self, bill: Bill, hosts: Sequence[str]) -> None:
        self.bill = bill
        self.hosts = hosts
        self.dropped = 0
        self.beats = _beats(bill, self)
        self.ranks = sorted({beat.rank for beat in self.beats})
        self.level = 0

    def words(self, level: int | None = None) -> int:
        rank = self.ranks[self.level if level is None else level]
        return sum(len(b.text.split()) for b in self.beats if b.rank <= rank)

    def segment(self) -> Segment:
        rank = self.ranks[self.level]
        chosen = sorted((b for b in self.beats if b.rank <= rank), key=lambda b: b.order)
        lead = _choice(str(self.bill.id), "lead", (0, 1))
        speakers = (self.hosts[lead], self.hosts[1 - lead])
        title = f"{self.bill.id.citation}: {self.bill.display_title}"
        return Segment("bill", title, _turns(chosen, speakers), str(self.bill.id))


def _tell(bill: Bill, hosts: Sequence[str], allowance: int) -> _Told:
    """The bill at the depth whose length is nearest ``allowance`` (the shallower on a tie)."""
    plan = _BillPlan(bill, hosts)
    levels = range(len(plan.ranks))
    plan.level = min(levels, key=lambda level: (abs(plan.words(level) - allowance), level))
    segment = plan.segment()
    return _Told(bill, segment, _words(segment), plan.dropped)


def _choose(
    told: Sequence[_Told], request: ScriptRequest, hosts: Sequence[str], usual: int
) -> list[_Told]:
    """The bills the episode covers, in the order given.

    A bill is taken when it fits the word budget and either the episode is still
    short of its usual number of bills or the bill brings it nearer its target.
    The intro and outro are counted as they read with every bill, which is never
    less than with some of them.
    """
    limit = Budget.for_duration(request.target_seconds, request.words_per_minute).max_words
    target = _target_words(request)
    total = _words(_intro(request, hosts)) + _words(_outro(request, hosts))
    chosen: list[_Told] = []
    for item in told:
        grown = total + item.words
        wanted = len(chosen) < usual or abs(grown - target) < abs(total - target)
        if grown <= limit and wanted:
            chosen.append(item)
            total = grown
    return chosen


def _turns(beats: Sequence[_Beat], speakers: tuple[str, str]) -> tuple[Turn, ...]:
    turns: list[Turn] = []
    for beat in beats:
        speaker = speakers[beat.role]
        if turns and turns[-1].speaker == speaker:
            turns[-1] = Turn(speaker, f"{turns[-1].text} {beat.text}")
        else:
            turns.append(Turn(speaker, beat.text))
    return tuple(turns)


def _words(segment: Segment) -> int:
    return sum(len(turn.text.split()) for turn in segment.turns)


# --- spoken text -----------------------------------------------------------------------


def _spoken(text: str, hosts: Sequence[str]) -> str | None:
    """Record text as a voice should read it, or None when it cannot be made safe."""
    words = normalise(plain_text(text).replace("\n", " "))
    words = "".join(ch for ch in words if not _odd(ch)).strip()
    return words if words and not check_text(words, hosts) else None


def _odd(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "CS" or 0xFE00 <= ord(ch) <= 0xFE0F


def _choice(seed: str, slot: str, options: Sequence[int]) -> int:
    digest = hashlib.sha256(f"{seed}|{slot}".encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _pick(seed: str, slot: str, options: Sequence[str]) -> str:
    return options[_choice(seed, slot, range(len(options)))]


def _join(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])}, and {items[-1]}"


# --- bill beats ------------------------------------------------------------------------


def _beats(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    builders: tuple[Callable[[Bill, _BillPlan], list[_Beat]], ...] = (
        _opening,
        _summary,
        _sponsorship,
        _committee_beats,
        _history,
        _standing,
        _why,
    )
    beats = [beat for build in builders for beat in build(bill, plan)]
    return beats or [_Beat(0, 0, _LEAD, normalise(bill.id.citation) + ".")]


def _beat(plan: _BillPlan, rank: int, order: int, role: int, text: str) -> list[_Beat]:
    spoken = _spoken(text, plan.hosts)
    if spoken is None:
        plan.dropped += 1
        return []
    return [_Beat(rank, order, role, spoken[:1].upper() + spoken[1:])]


def _noun(bill: Bill) -> str:
    return say.NOUNS[bill.id.type]


def _opening(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    seed, cite = str(bill.id), bill.id.citation
    title = _title_phrase(bill)
    opener = _pick(seed, "open", say.OPENERS).format(cite=cite, title=title)
    beats = _beat(plan, 0, 0, _LEAD, opener) or _beat(plan, 0, 0, _LEAD, f"{cite}.")
    context = say.CONGRESS.format(
        chamber=bill.id.chamber, noun=_noun(bill), congress=spoken_ordinal(bill.id.congress)
    )
    return beats + _beat(plan, 8, 1, _LEAD, context)


def _title_phrase(bill: Bill) -> str:
    """``the Rural Broadband Access Act``, ``a bill to amend ...``, ``a resolution honoring``."""
    title = bill.display_title.strip().rstrip(".")
    first = title.split(" ", 1)[0] if title else ""
    if not title:
        return f"a {_noun(bill)}"
    if first in ("A", "An"):
        return title[:1].lower() + title[1:]
    if first.lower() == "to" or first.lower().endswith("ing"):
        return f"a {_noun(bill)} {first.lower()}{title[len(first) :]}"
    if " act" in f" {title.lower()}" and not title.lower().startswith("the "):
        return f"the {title}"
    return title


_SUMMARY_RANKS = (1, 3, 5, 7, 8, 10)


def _summary(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    seed, beats = str(bill.id), []
    offset = _choice(seed, "summary", range(len(say.SUMMARY_MORE)))
    for index, sentence in enumerate(_summary_sentences(bill)):
        rank = _SUMMARY_RANKS[index] if index < len(_SUMMARY_RANKS) else 11 + index
        if index == 0:
            lead_in = _pick(seed, "summary0", say.SUMMARY_FIRST)
        elif _connected(sentence):
            lead_in = ""  # it already says "Additionally," or "It also"
        else:  # walk the options in turn so consecutive sentences never open alike
            lead_in = say.SUMMARY_MORE[(offset + index) % len(say.SUMMARY_MORE)]
        beats += _beat(plan, rank, 10 + index, (index + 1) % 2, lead_in + _shortened(sentence))
    return beats


def _connected(sentence: str) -> bool:
    words = sentence.lower().replace(",", " ").split()
    return bool(words) and (words[0] in say.CONNECTIVES or "also" in words[:4])


def _shortened(sentence: str) -> str:
    """A sentence listing many provisions, cut after its first clauses (never mid-clause)."""
    clauses = sentence.rstrip(".").split("; ")
    if len(sentence.split()) <= say.LONG_SENTENCE or len(clauses) < 2:
        return sentence
    kept = clauses[:1]
    for clause in clauses[1:]:
        if len(" ".join(kept).split()) + len(clause.split()) > say.LONG_SENTENCE:
            break
        kept.append(clause)
    return "; ".join(kept) + say.AMONG_OTHERS


def _summary_sentences(bill: Bill) -> list[str]:
    if not bill.summary or not bill.summary.strip():
        return []
    text = plain_text(bill.summary)
    start = _first_substantive(text)
    sentences = split_sentences(text[start:])
    seen: set[str] = set()
    unique = []
    for sentence in sentences:
        key = " ".join(sentence.lower().split())
        if key not in seen and len(sentence.split()) >= 3:
            seen.add(key)
            unique.append(sentence)
    return unique


def _first_substantive(text: str) -> int:
    """Skip a leading title line ("X Act of 2021 This bill ...") that repeats the title."""
    lowered = text[:400].lower()
    starts = [lowered.find(f"this {noun}") for noun in say.SUMMARY_SUBJECTS]
    found = [s for s in starts if s > 0 and "." not in text[:s]]
    return min(found) if found else 0


def _sponsorship(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    seed, when = str(bill.id), bill.introduced_date
    on = f" on {spoken_date(when)}" if when else ""
    beats: list[_Beat] = []
    if bill.sponsor is not None and _member(bill, bill.sponsor):
        beats += _beat(plan, 1, 30, _OTHER, _pick(seed, "who", say.WHO_CUES))
        line = _pick(seed, "sponsor", say.SPONSOR)
        beats += _beat(plan, 1, 31, _LEAD, line.format(member=_member(bill, bill.sponsor), on=on))
    elif when:
        beats += _beat(plan, 1, 31, _LEAD, f"It was introduced{on}.")
    if bill.sponsor is not None:
        beats += _beat(plan, 3, 32, _LEAD, _cosponsors(seed, bill.cosponsors_count))
    return beats


def _cosponsors(seed: str, count: int) -> str:
    if count <= 0:
        return say.NO_COSPONSORS
    if count == 1:
        return say.ONE_COSPONSOR
    return _pick(seed, "cosponsors", say.COSPONSORS).format(count=spoken_number(count))


def _member(bill: Bill, sponsor: Sponsor) -> str:
    """``Senator Charles E. Schumer, a Democrat from New York`` from any record layout."""
    title, name = _split_title(sponsor.name)
    name = name.split("[")[0].strip().rstrip(",")
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    if not name:
        return ""
    title = title or _title_for(bill, sponsor)
    who = party_phrase(sponsor.party, sponsor.state, sponsor.district)
    return f"{title} {name}, {who}," if who else f"{title} {name}"


def _split_title(name: str) -> tuple[str, str]:
    for short, full in say.MEMBER_TITLES.items():
        if name.startswith(short + " "):
            return full, name[len(short) + 1 :]
    return "", name.strip()


def _title_for(bill: Bill, sponsor: Sponsor) -> str:
    if bill.id.chamber == "Senate":
        return "Senator"
    state = (sponsor.state or "").upper()
    return "Resident Commissioner" if state == "PR" else say.DELEGATES.get(state, "Representative")


def _committee_beats(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    if not bill.committees:
        return []
    names = [_committee_name(c) for c in bill.committees]
    listed = _join(names[:3])
    if len(names) > 3:
        listed = f"{spoken_number(len(names))} committees, including {listed}"
    line = _pick(str(bill.id), "committees", say.COMMITTEES).format(names=listed)
    beats = _beat(plan, 4, 40, _OTHER, line)
    for index, committee in enumerate(bill.committees[:3]):
        verbs = _committee_verbs(committee)
        who = "the committee" if len(names) == 1 else names[index]
        if verbs:
            beats += _beat(plan, 10, 41 + index, _OTHER, f"{who} {verbs}.")
    return beats


def _committee_name(committee: Committee) -> str:
    name = committee.name.strip()
    chamber = (committee.chamber or "").strip()
    if chamber and chamber.lower() not in name.lower():
        name = f"{chamber} {name}"
    return name if name.lower().startswith("the ") else f"the {name}"


def _committee_verbs(committee: Committee) -> str:
    done = [activity.lower() for activity in committee.activities]
    verbs = [verb for prefix, verb in say.ACTIVITIES if any(d.startswith(prefix) for d in done)]
    return _join(verbs)


def _history(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    latest = _latest(bill)
    skip = _action_text(latest) if latest else None
    earlier: dict[str, Action] = {}  # by text, so a step repeated on many days is told once
    for action in _distinct_actions(bill):
        text = _action_text(action)
        if text != skip and not text.lower().startswith(say.PROCEDURAL):
            earlier.pop(text, None)
            earlier[text] = action
    recent = list(earlier.values())[-3:]
    if not recent:
        return []
    previous = [None, *(a.date for a in recent)]
    steps = [
        f"{_when(a.date, before)}, {_action_text(a)}"
        for a, before in zip(recent, previous, strict=False)
    ]
    text = _pick(str(bill.id), "history", say.HISTORY) + "; ".join(steps) + "."
    return _beat(plan, 9, 45, _LEAD, text)


def _when(day: date, before: date | None) -> str:
    """ "on June eighth, twenty twenty-one", then "on June tenth", or "the same day"."""
    if day == before:
        return "the same day"
    return f"on {spoken_date(day, with_year=before is None or before.year != day.year)}"


def _distinct_actions(bill: Bill) -> list[Action]:
    """Actions oldest first, without the restatements BILLSTATUS records on the same day."""
    ordered = sorted(bill.actions, key=lambda a: a.date)
    texts = [_action_text(a) for a in ordered]
    return [a for i, a in enumerate(ordered) if texts[i] and not _restated(i, ordered, texts)]


def _restated(index: int, ordered: Sequence[Action], texts: Sequence[str]) -> bool:
    """Another action the same day says the same, or says it more briefly."""
    text, day = texts[index], ordered[index].date
    for other, (action, words) in enumerate(zip(ordered, texts, strict=True)):
        if other == index or not words or action.date != day:
            continue
        if (words == text and other < index) or (words != text and words in text):
            return True
    return False


def _action_text(action: Action) -> str:
    text = plain_text(action.text)
    for pattern in say.ACTION_NOISE:
        text = pattern.sub("", text)
    return text.strip().rstrip(".").strip()


def _latest(bill: Bill) -> Action | None:
    if bill.latest_action is not None:
        return bill.latest_action
    return max(bill.actions, key=lambda a: a.date) if bill.actions else None


def _standing(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    seed, latest = str(bill.id), _latest(bill)
    phrase = BILL_STATUSES.get(bill.status)
    beats: list[_Beat] = []
    if phrase:
        as_of = f"As of {spoken_date(latest.date)}, " if latest else ""
        text = _pick(seed, "status", say.STATUS).format(
            as_of=as_of, noun=_noun(bill), status=phrase
        )
        beats += _beat(plan, 0, 50, _OTHER, text)
    if latest is not None and _action_text(latest):
        on = f" on {spoken_date(latest.date)}" if not phrase else ""
        line = _pick(seed, "latest", say.LATEST).format(action=_action_text(latest), on=on)
        beats += _beat(plan, 0 if not phrase else 6, 51, _OTHER, line)
    step = say.next_step(bill)
    if step:
        beats += _beat(plan, 2, 60, _LEAD, _pick(seed, "next-cue", say.NEXT_CUES))
        beats += _beat(plan, 2, 61, _OTHER, step)
    beats += _beat(plan, 0, 90, _LEAD, _pick(seed, "closer", say.CLOSERS))
    return beats


def _why(bill: Bill, plan: _BillPlan) -> list[_Beat]:
    seed = str(bill.id)
    subjects = [s for s in bill.subjects if s and s != bill.policy_area]
    beats: list[_Beat] = []
    if bill.policy_area:
        line = _pick(seed, "why", say.WHY)
        beats += _beat(plan, 5, 70, _LEAD, line.format(area=bill.policy_area))
    if len(subjects) > say.MANY_SUBJECTS:
        # A long tag list is alphabetical, so its first entries say nothing about the bill.
        beats += _beat(plan, 7, 71, _LEAD, say.SPRAWLING.format(count=spoken_number(len(subjects))))
    elif subjects:
        beats += _subjects_beat(plan, seed, subjects[:3], 7, 71)
        beats += _subjects_beat(plan, seed, subjects[3:8], 11, 72, more=True)
    return beats


def _subjects_beat(
    plan: _BillPlan, seed: str, subjects: Sequence[str], rank: int, order: int, more: bool = False
) -> list[_Beat]:
    spoken = [s for s in (_spoken(x, plan.hosts) for x in subjects) if s]
    if not spoken:
        return []
    options = say.MORE_SUBJECTS if more else say.SUBJECTS
    line = _pick(seed, f"subjects{rank}", options)
    return _beat(plan, rank, order, _LEAD, line.format(subjects=_join(spoken)))


# --- intro, outro, notes ----------------------------------------------------------------


def _intro(request: ScriptRequest, hosts: Sequence[str]) -> Segment:
    listener = _spoken(request.listener.name, hosts) or "there"
    place = state_name(request.listener.state)
    seed = f"{request.day.isoformat()}|{request.episode_type}"
    hello = _pick(seed, "hello", say.HELLO[request.episode_type])
    weekday = say.WEEKDAYS[request.day.weekday()]
    lines = [
        (0, hello.format(name=listener, host=hosts[0])),
        (0, say.WITH_YOU.format(place=place) if place else ""),
        (1, say.DATE_LINE.format(host=hosts[1], weekday=weekday, day=spoken_date(request.day))),
        (1, _coverage(request)),
        (0, _pick(seed, "go", say.LETS_GO) if request.bills else ""),
    ]
    return Segment("intro", "Welcome", _plain_turns(lines, hosts))


def _coverage(request: ScriptRequest) -> str:
    count = len(request.bills)
    if count == 0:
        return say.NOTHING_NEW
    bills = f"{spoken_number(count)} {'bill' if count == 1 else 'bills'}"
    areas = list(dict.fromkeys(b.policy_area for b in request.bills if b.policy_area))
    topics = f", touching on {_join(areas[:4])}" if areas else ""
    template = say.COVERAGE[request.episode_type]
    return template.format(bills=bills, topics=topics + (" and more" if len(areas) > 4 else ""))


def _outro(request: ScriptRequest, hosts: Sequence[str]) -> Segment:
    listener = _spoken(request.listener.name, hosts) or "everyone"
    seed = f"{request.day.isoformat()}|{request.episode_type}"
    lines = [
        (1, _pick(seed, "bye", say.GOODBYE[request.episode_type]).format(name=listener)),
        (0, say.DISCLOSURE.format(first=hosts[0], second=hosts[1]) + _sources(request.bills)),
        (1, _pick(seed, "later", say.SEE_YOU)),
    ]
    return Segment("outro", "Until next time", _plain_turns(lines, hosts))


def _sources(bills: Sequence[Bill]) -> str:
    public = [b for b in bills if any(s in b.source.lower() for s in PUBLIC_RECORD_SOURCES)]
    if any(b.summary for b in public):
        return " " + say.CRS_SOURCE
    return " " + say.RECORD_SOURCE if public else ""


def _plain_turns(lines: Sequence[tuple[int, str]], hosts: Sequence[str]) -> tuple[Turn, ...]:
    beats = [_Beat(0, i, role, _spoken(text, hosts) or "") for i, (role, text) in enumerate(lines)]
    return _turns([b for b in beats if b.text], (hosts[0], hosts[1]))


def _title(request: ScriptRequest) -> str:
    kind = "Daily brief" if request.episode_type == "daily" else "Weekly deep dive"
    return f"{kind}: {request.day:%B} {request.day.day}, {request.day.year}"


def _notes(
    request: ScriptRequest,
    told: Sequence[_Told],
    chosen: Sequence[_Told],
    segments: Sequence[Segment],
) -> tuple[str, ...]:
    words = sum(_words(s) for s in segments)
    spoken = f"{words / request.words_per_minute:.1f} of {request.target_seconds / 60:g} minutes"
    notes = []
    if words < _target_words(request) * (1 - _TOLERANCE):
        notes.append(f"{_thin_reason(chosen)}: {spoken}")
    if len(chosen) < len(told):
        left = [str(t.bill.id) for t in told if t not in chosen]
        notes.append(f"left out {len(left)} bill(s) for time: {', '.join(left)}")
    if len(request.bills) > len(told):
        notes.append(f"skipped {len(request.bills) - len(told)} repeated bill(s)")
    if _spoken(request.listener.name, request.hosts) is None:
        notes.append("the listener's name could not be read aloud; greeted without it")
    for item in chosen:
        if item.dropped:
            notes.append(
                f"{item.bill.id}: left out {item.dropped} passage(s) a voice could not read"
            )
    return tuple(notes)


def _thin_reason(chosen: Sequence[_Told]) -> str:
    if not chosen:
        return "no bills to cover"
    count = f"{len(chosen)} {'bill' if len(chosen) == 1 else 'bills'}"
    missing = sum(1 for t in chosen if not t.bill.summary)
    if missing == len(chosen):
        return f"{count} without summaries"
    if missing:
        return f"{count}, {missing} without a summary"
    return f"{count} with short summaries"
