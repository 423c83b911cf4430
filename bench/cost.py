"""How many characters does the segment cache keep a paid voice from reading in a week?

A week of a realistic service: a few hundred listeners, each tracking a handful
of bills drawn with Zipf-like popularity from a pool of real bills (the shared
GovInfo/Congress.gov data when present, and the demo bills), with a policy-area
interest or two. Bills act on various days; an action changes what a host says
about the bill, so its segment must be read again. Every listener gets a daily
brief every day and a weekly deep dive on one day of the week, with bills chosen
the way the gathering stage chooses them (tracked bills first, then interests,
then what moved most recently, skipping bills already covered unless they have
acted since).

Each episode is written by the template writer and synthesised through the real
:class:`~briefcast.segment_cache.SegmentCache` (in-memory storage) with a voice
that counts the characters it is asked to read — what a paid voice bills — and
returns a short silence. Naive per-listener rendering would read every turn of
every episode. Target (DESIGN §4): at least 60 % fewer characters.

Prints a table and writes JSON under bench/results/.

    python bench/cost.py [--listeners 300] [--days 7] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.machine import describe_machine, results_path  # noqa: E402
from briefcast.bill_import import import_paths, load_demo_bills  # noqa: E402
from briefcast.bills import Action, Bill  # noqa: E402
from briefcast.errors import ScriptInvalid  # noqa: E402
from briefcast.providers.template_writer import TemplateWriter  # noqa: E402
from briefcast.scripts import Budget, Script, Turn, validate  # noqa: E402
from briefcast.segment_cache import SegmentCache  # noqa: E402
from briefcast.testing import InMemoryStorage  # noqa: E402
from briefcast.voices import Rendered  # noqa: E402
from briefcast.writers import EpisodeType, Listener, ScriptRequest  # noqa: E402

HOSTS = ("Maya", "Theo")
TARGET_SECONDS: dict[EpisodeType, float] = {"daily": 300.0, "weekly": 900.0}
BILL_COUNT: dict[EpisodeType, int] = {"daily": 3, "weekly": 8}  # the settings' defaults
FIRST_DAY = date(2026, 3, 2)  # a Monday
NAMES = (
    "Priya", "Jonas", "Maria", "Dev", "Aisha", "Tom", "Lena", "Omar", "Grace", "Luis",
    "Mei", "Sam", "Nora", "Ravi", "Chloe", "Ben", "Fatima", "Ivan", "Zoe", "Kwame",
)  # fmt: skip
STATES = ("CA", "TX", "NY", "FL", "OH", "PA", "VA", "WA", "GA", "MI", "AZ", "CO", None)
#: What a bill's record gains when it acts during the week (status is left as it was).
ACTIONS = (
    "Subcommittee hearings held",
    "Committee consideration and mark-up session held",
    "Referred to the Subcommittee on Oversight",
    "Sponsor introductory remarks on measure",
    "Cosponsor added to the record",
)


class CountingVoice:
    """A voice that bills by the character and says nothing (a short silence per turn)."""

    name = "counting"

    def __init__(self, words_per_minute: float) -> None:
        self._wpm = words_per_minute
        self.characters = 0
        self.turns = 0

    def identity(self, speaker: str) -> dict[str, str]:
        return {"provider": self.name, "model": "none", "voice": speaker, "settings": ""}

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        self.characters += sum(len(turn.text) for turn in turns)
        self.turns += len(turns)
        return [Rendered(np.zeros(64, dtype=np.float32), 22_050) for _ in turns]

    def words_per_minute(self, speaker: str) -> float:
        return self._wpm


@dataclass
class Person:
    """One listener of the simulated week."""

    number: int
    tracked: list[str]
    interests: list[str]
    weekly_day: int
    covered: dict[str, date] = field(default_factory=dict)

    @property
    def listener(self) -> Listener:
        name = NAMES[self.number % len(NAMES)]
        return Listener(f"{name} {self.number}", STATES[self.number % len(STATES)])


@dataclass
class Tally:
    episodes: int = 0
    naive: int = 0
    paid: int = 0
    from_cache: int = 0
    personal: int = 0
    personal_paid: int = 0
    failed: int = 0
    short: int = 0
    seconds: float = 0.0


def load_pool(source: str) -> list[Bill]:
    """Real bills from the shared data and/or the demo bills, one per id."""
    from tests.conftest import shared_data_dir

    bills: dict[str, Bill] = {}
    if source in ("shared", "both") and shared_data_dir().is_dir():
        bills.update((str(b.id), b) for b in import_paths([shared_data_dir()]).bills)
    if source in ("demo", "both") or not bills:
        bills.update((str(b.id), b) for b in load_demo_bills())
    return [bills[key] for key in sorted(bills)]


def zipf_weights(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


def make_people(pool: list[Bill], args: argparse.Namespace, rng: random.Random) -> list[Person]:
    """Listeners tracking bills (and interests) by popularity; the pool order is shuffled."""
    ranked = [str(b.id) for b in pool]
    rng.shuffle(ranked)
    weights = zipf_weights(len(ranked), args.zipf)
    areas = [a for a, _ in Counter(b.policy_area for b in pool if b.policy_area).most_common()]
    people = []
    for number in range(args.listeners):
        wanted = rng.randint(args.min_tracked, args.max_tracked)
        tracked: list[str] = []
        while len(tracked) < min(wanted, len(ranked)):
            pick = rng.choices(ranked, weights)[0]
            if pick not in tracked:
                tracked.append(pick)
        interests = rng.choices(areas, zipf_weights(len(areas), args.zipf), k=rng.randint(0, 2))
        people.append(Person(number, tracked, sorted(set(interests)), rng.randrange(args.days)))
    return people


def act(bills: dict[str, Bill], day: date, rng: random.Random, share: float) -> int:
    """Give a share of the bills a new action today; returns how many acted."""
    acted = 0
    for key, bill in bills.items():
        if rng.random() < share:
            action = Action(day, rng.choice(ACTIONS), bill.id.chamber)
            bills[key] = bill.with_(actions=(*bill.actions, action), latest_action=action)
            acted += 1
    return acted


def _latest(bill: Bill) -> date | None:
    return bill.latest_action.date if bill.latest_action else None


def _by_recency(bills: list[Bill]) -> list[Bill]:
    """Newest action first, bills with no action last, then by id (as the bill store orders)."""
    ordered = sorted(bills, key=lambda b: str(b.id))
    return sorted(ordered, key=lambda b: _latest(b) or date.min, reverse=True)


def pick(person: Person, bills: dict[str, Bill], count: int) -> list[Bill]:
    """The gathering stage's choice: tracked, then interests, then recent; skip stale repeats."""
    every = list(bills.values())
    candidates = (
        _by_recency([bills[key] for key in person.tracked])
        + _by_recency([b for b in every if b.policy_area in person.interests])
        + _by_recency(every)
    )
    picked: dict[str, Bill] = {}
    for bill in candidates:
        key = str(bill.id)
        covered, latest = person.covered.get(key), _latest(bill)
        if key in picked or (covered and (latest is None or latest <= covered)):
            continue
        picked[key] = bill
        if len(picked) == count:
            break
    return list(picked.values())


class Studio:
    """Writes and voices episodes: through the segment cache, and counting the naive cost."""

    def __init__(self, wpm: float) -> None:
        self.voice = CountingVoice(wpm)
        self.cache = SegmentCache(InMemoryStorage())
        self.writer = TemplateWriter()
        self.wpm = wpm
        self.tallies: dict[EpisodeType, Tally] = {"daily": Tally(), "weekly": Tally()}

    def produce(self, person: Person, kind: EpisodeType, day: date, bills: list[Bill]) -> None:
        tally = self.tallies[kind]
        began = time.perf_counter()
        request = ScriptRequest(
            person.listener, kind, day, tuple(bills), HOSTS, TARGET_SECONDS[kind], self.wpm
        )
        try:
            script = self.writer.write(request)
            validate(script, Budget.for_duration(TARGET_SECONDS[kind], self.wpm))
        except ScriptInvalid:
            tally.failed += 1
            return
        before = self.voice.characters
        for segment in script.segments:
            _, stats = self.cache.render_with_cache(self.voice, segment.turns)
            tally.from_cache += stats.characters_from_cache + stats.characters_repeated
            if segment.kind != "bill":
                tally.personal_paid += stats.characters_synthesised
        tally.paid += self.voice.characters - before
        tally.naive += script.characters
        tally.personal += _personal_characters(script)
        tally.short += script.words < 0.8 * TARGET_SECONDS[kind] * self.wpm / 60
        tally.episodes += 1
        tally.seconds += time.perf_counter() - began
        for segment in script.segments:
            if segment.bill_id:
                person.covered[segment.bill_id] = day


def _personal_characters(script: Script) -> int:
    return sum(len(t.text) for s in script.segments if s.kind != "bill" for t in s.turns)


def simulate(args: argparse.Namespace) -> tuple[Studio, dict[str, object]]:
    rng = random.Random(args.seed)
    pool = load_pool(args.pool)
    people = make_people(pool, args, rng)
    bills = {str(b.id): b for b in pool}
    studio = Studio(args.wpm)
    acted = []
    for offset in range(args.days):
        day = FIRST_DAY + timedelta(days=offset)
        acted.append(act(bills, day, rng, args.action_share))
        for person in people:
            studio.produce(person, "daily", day, pick(person, bills, BILL_COUNT["daily"]))
            if person.weekly_day == offset:
                studio.produce(person, "weekly", day, pick(person, bills, BILL_COUNT["weekly"]))
    popular = Counter(key for person in people for key in person.tracked).most_common(3)
    world = {
        "pool_bills": len(pool),
        "listeners": len(people),
        "days": args.days,
        "tracked_per_listener": [args.min_tracked, args.max_tracked],
        "zipf_exponent": args.zipf,
        "bills_acting_per_day": acted,
        "most_tracked": [{"bill": key, "listeners": n} for key, n in popular],
        "words_per_minute": args.wpm,
    }
    return studio, world


def summarise(studio: Studio) -> list[dict[str, object]]:
    rows = []
    total = Tally()
    for kind, tally in studio.tallies.items():
        rows.append(_row(kind, tally))
        for name in (
            "episodes", "naive", "paid", "from_cache", "personal", "personal_paid", "failed", "short"
        ):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        total.seconds += tally.seconds
    rows.append(_row("week", total))
    return rows


def _row(name: str, tally: Tally) -> dict[str, object]:
    saved = 1 - tally.paid / tally.naive if tally.naive else 0.0
    bills_naive, bills_paid = tally.naive - tally.personal, tally.paid - tally.personal_paid
    return {
        "episodes": name,
        "count": tally.episodes,
        "failed": tally.failed,
        "under_80_percent": tally.short,
        "naive_characters": tally.naive,
        "synthesised_characters": tally.paid,
        "reused_characters": tally.from_cache,
        "intro_outro_naive_characters": tally.personal,
        "intro_outro_synthesised_characters": tally.personal_paid,
        "bill_naive_characters": bills_naive,
        "bill_synthesised_characters": bills_paid,
        "saved_percent": round(100 * saved, 1),
        "bill_saved_percent": round(100 * (1 - bills_paid / bills_naive), 1) if bills_naive else 0,
        "writer_ms_per_episode": round(1000 * tally.seconds / max(1, tally.episodes), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=300)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--min-tracked", type=int, default=3)
    parser.add_argument("--max-tracked", type=int, default=12)
    parser.add_argument("--zipf", type=float, default=1.0, help="popularity exponent")
    parser.add_argument("--action-share", type=float, default=0.15, help="bills acting a day")
    parser.add_argument("--wpm", type=float, default=150.0, help="the voice's episode pace")
    parser.add_argument("--pool", choices=("shared", "demo", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name", default="cost")
    args = parser.parse_args()
    began = time.perf_counter()
    studio, world = simulate(args)
    rows = summarise(studio)
    print(
        f"\nTTS characters in a {args.days}-day week: {world['listeners']} listeners, "
        f"{world['pool_bills']} bills, Zipf {args.zipf:g}"
    )
    print(
        f"{'episodes':<10}{'count':>7}{'failed':>7}{'short':>7}{'naive chars':>14}"
        f"{'synthesised':>14}{'saved':>8}{'bills: naive':>14}{'synthesised':>13}{'saved':>8}"
    )
    for row in rows:
        print(
            f"{row['episodes']:<10}{row['count']:>7}{row['failed']:>7}{row['under_80_percent']:>7}"
            f"{row['naive_characters']:>14,}{row['synthesised_characters']:>14,}"
            f"{row['saved_percent']:>7}%{row['bill_naive_characters']:>14,}"
            f"{row['bill_synthesised_characters']:>13,}{row['bill_saved_percent']:>7}%"
        )
    week = rows[-1]
    verdict = "meets" if float(str(week["saved_percent"])) >= 60 else "MISSES"
    print(f"\n{verdict} the target of at least 60 % fewer characters than naive rendering")
    out = results_path(args.name)
    out.write_text(
        json.dumps(
            {
                "benchmark": "cost",
                "machine": describe_machine(),
                "scenario": world,
                "seed": args.seed,
                "rows": rows,
                "target_saved_percent": 60,
                "seconds": round(time.perf_counter() - began, 1),
            },
            indent=2,
        )
    )
    print(f"written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
