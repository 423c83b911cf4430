"""A bill's segment is the same in every episode of a type, so listeners share its audio.

Its text may depend on the bill, the hosts and the episode type — never on the
listener, the day, or which other bills share the episode — and the episode
keeps to its length by how many bills it covers.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefcast.bills import Bill, BillId
from briefcast.providers.template_writer import BILLS_PER_EPISODE, TemplateWriter
from briefcast.scripts import Script, Segment
from briefcast.segment_cache import SegmentCache
from briefcast.testing import InMemoryStorage, ToneVoice
from briefcast.writers import EpisodeType, Listener, ScriptRequest
from tests.unit.test_template_writer import WEEKLY_BILLS, WPM
from tests.unit.test_template_writer import bills as any_bill

TARGET: dict[EpisodeType, float] = {"daily": 300.0, "weekly": 900.0}
HOSTS = ("Maya", "Theo")

listeners = st.builds(
    Listener,
    st.sampled_from(["Priya", "Jonas", "Maria Josefina de la Cruz Villanueva", "Al"]),
    st.none() | st.sampled_from(["OR", "GA", "TX", "PR"]),
)
days = st.dates(date(2024, 1, 1), date(2027, 12, 31))
kinds = st.sampled_from(["daily", "weekly"])
#: Realistic bills under fresh ids, so one episode can hold several of them.
realistic = st.builds(
    lambda bill, number: bill.with_(id=BillId(119, bill.id.type, number)),
    st.sampled_from(WEEKLY_BILLS),
    st.integers(5000, 9999),
)


def request(
    kind: EpisodeType, listener: Listener, day: date, bills: tuple[Bill, ...]
) -> ScriptRequest:
    return ScriptRequest(listener, kind, day, bills, HOSTS, TARGET[kind], WPM)


def segment_of(script: Script, bill: Bill) -> Segment | None:
    return next((s for s in script.segments if s.bill_id == str(bill.id)), None)


@given(
    realistic | any_bill,
    st.lists(realistic | any_bill, max_size=6),
    st.lists(realistic | any_bill, max_size=6),
    st.integers(0, 6),
    kinds,
    listeners,
    listeners,
    days,
    days,
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_bill_reads_the_same_whoever_listens_and_whatever_it_shares_the_episode_with(
    bill: Bill,
    first: list[Bill],
    second: list[Bill],
    position: int,
    kind: EpisodeType,
    one: Listener,
    other: Listener,
    day: date,
    another_day: date,
) -> None:
    first = [b for b in first if b.id != bill.id]
    second = [b for b in second if b.id != bill.id]
    a = TemplateWriter().write(request(kind, one, day, (bill, *first)))
    b = TemplateWriter().write(request(kind, other, another_day, (*second[:position], bill)))
    alone = TemplateWriter().write(request(kind, one, day, (bill,)))
    leading = segment_of(a, bill)
    assert leading is not None  # the first bill always fits
    assert leading == segment_of(alone, bill)
    later = segment_of(b, bill)
    assert later is None or later == leading


@given(st.lists(realistic | any_bill, min_size=1, max_size=6), kinds)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_writer_that_has_seen_other_episodes_writes_what_a_fresh_one_writes(
    bills: list[Bill], kind: EpisodeType
) -> None:
    seasoned = TemplateWriter()
    for start in range(len(bills)):
        seasoned.write(request(kind, Listener("Jonas"), date(2026, 1, 1), tuple(bills[start:])))
    episode = request(kind, Listener("Priya", "OR"), date(2026, 3, 5), tuple(bills))
    assert seasoned.write(episode) == TemplateWriter().write(episode)


def test_the_episode_type_sets_the_depth() -> None:
    bill = WEEKLY_BILLS[0]
    daily = TemplateWriter().write(request("daily", Listener("Priya"), date(2026, 3, 5), (bill,)))
    weekly = TemplateWriter().write(request("weekly", Listener("Priya"), date(2026, 3, 5), (bill,)))
    assert segment_of(daily, bill) != segment_of(weekly, bill)


@pytest.mark.parametrize("kind", ["daily", "weekly"])
def test_a_bill_gets_the_words_its_share_of_the_episode_allows(kind: EpisodeType) -> None:
    writer = TemplateWriter()
    episode = request(kind, Listener("Priya", "OR"), date(2026, 3, 5), ())
    allowance = writer.allowance(episode)
    usual = BILLS_PER_EPISODE[kind]
    target_words = TARGET[kind] * WPM / 60
    # A greeting and a goodbye take 40 to 120 words; the bills share the rest.
    assert (target_words - 120) / usual <= allowance <= (target_words - 40) / usual
    for bill in WEEKLY_BILLS:
        segment = segment_of(
            writer.write(request(kind, Listener("P"), date(2026, 1, 1), (bill,))), bill
        )
        assert segment is not None
        words = sum(len(t.text.split()) for t in segment.turns)
        assert words <= 1.5 * allowance


def test_the_bills_an_episode_is_written_for_can_be_set() -> None:
    bills = WEEKLY_BILLS[:2]
    two = TemplateWriter(bills_per_episode={"daily": 2, "weekly": 8})
    script = two.write(request("daily", Listener("Priya", "OR"), date(2026, 3, 5), bills))
    assert 0.8 * 300 * WPM / 60 <= script.words <= 1.2 * 300 * WPM / 60
    usual = TemplateWriter().write(
        request("daily", Listener("Priya", "OR"), date(2026, 3, 5), bills)
    )
    assert script.words > usual.words
    with pytest.raises(ValueError, match="at least one bill"):
        TemplateWriter(bills_per_episode={"daily": 0, "weekly": 8})


def test_a_second_listener_of_the_same_bills_pays_only_for_their_own_words() -> None:
    """Through the segment cache, the second episode costs only its personal turns."""
    voice, cache = ToneVoice(WPM), SegmentCache(InMemoryStorage())
    bills = WEEKLY_BILLS[:3]
    scripts = [
        TemplateWriter().write(request("daily", who, date(2026, 3, 5), bills))
        for who in (Listener("Priya", "OR"), Listener("Jonas", "GA"))
    ]
    paid = []
    for script in scripts:
        before = voice.rendered_characters
        for segment in script.segments:
            cache.render_with_cache(voice, segment.turns)
        paid.append(voice.rendered_characters - before)
    heard_before = {(t.speaker, t.text) for t in scripts[0].turns}
    new_turns = {(t.speaker, t.text) for t in scripts[1].turns} - heard_before
    assert paid[0] == sum(len(text) for _, text in {(t.speaker, t.text) for t in scripts[0].turns})
    assert paid[1] == sum(len(text) for _, text in new_turns)
    assert all(
        s.kind != "bill" for s in scripts[1].segments if set(s.turns) - set(scripts[0].turns)
    )
