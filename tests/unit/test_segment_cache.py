"""The segment cache: stable keys, faithful entries, and no paid call on a hit."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefcast.errors import ProviderRejected, ProviderUnavailable
from briefcast.scripts import Turn
from briefcast.segment_cache import CacheStats, SegmentCache, cache_key, decode_entry, encode_entry
from briefcast.testing import InMemoryStorage, ToneVoice
from briefcast.voices import Rendered, WordTiming

IDENTITY = {"provider": "espeak-ng", "model": "1.52.0", "voice": "en-us+f3", "settings": "rate=165"}


def test_key_is_sha256_of_canonical_json() -> None:
    written_by_hand = (
        '{"identity":{"model":"1.52.0","provider":"espeak-ng","settings":"rate=165",'
        '"voice":"en-us+f3"},"text":"Good morning, Ana!"}'
    )
    expected = hashlib.sha256(written_by_hand.encode("utf-8")).hexdigest()
    assert cache_key(IDENTITY, "Good morning, Ana!") == expected


def test_key_ignores_the_order_of_identity_fields() -> None:
    assert cache_key(dict(reversed(list(IDENTITY.items()))), "Hi.") == cache_key(IDENTITY, "Hi.")


def test_key_is_the_same_in_another_process() -> None:
    code = (
        "from briefcast.segment_cache import cache_key;"
        f"print(cache_key({IDENTITY!r}, 'Résumé — naïve café'))"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == cache_key(IDENTITY, "Résumé — naïve café")


@given(st.sampled_from(sorted(IDENTITY)), st.text(min_size=1, max_size=20))
def test_key_changes_with_any_identity_field(field: str, value: str) -> None:
    changed = {**IDENTITY, field: IDENTITY[field] + value}
    assert cache_key(changed, "Same text.") != cache_key(IDENTITY, "Same text.")


@given(st.text(max_size=40), st.text(max_size=40))
def test_key_changes_with_the_text(a: str, b: str) -> None:
    assert (cache_key(IDENTITY, a) == cache_key(IDENTITY, b)) == (a == b)


def test_an_extra_identity_field_changes_the_key() -> None:
    assert cache_key({**IDENTITY, "speed": "1.0"}, "Hi.") != cache_key(IDENTITY, "Hi.")


words = st.lists(
    st.tuples(
        st.floats(0, 1e4, allow_nan=False), st.floats(0, 1e4, allow_nan=False), st.text(max_size=12)
    ),
    max_size=20,
)


@given(
    st.lists(st.floats(-1.0, 1.0, width=32), max_size=2000),
    words,
    st.sampled_from([16_000, 22_050, 44_100]),
)
@settings(max_examples=80)
def test_entries_keep_timings_exactly_and_samples_within_16_bit(
    samples: list[float], timings: list, rate: int
) -> None:
    original = Rendered(
        np.array(samples, dtype=np.float32),
        rate,
        tuple(WordTiming(a, b, t) for a, b, t in timings),
    )
    restored = decode_entry(encode_entry(original))
    assert restored.sample_rate == rate
    assert restored.words == original.words
    assert restored.samples.dtype == np.float32
    assert len(restored.samples) == len(original.samples)
    if samples:
        assert np.abs(restored.samples - original.samples).max() <= 1 / 32768 + 1e-9


def test_sixteen_bit_audio_comes_back_exactly() -> None:
    pcm = np.arange(-32768, 32768, 7, dtype=np.int16)
    original = Rendered(pcm.astype(np.float32) / 32768, 22_050)
    np.testing.assert_array_equal(decode_entry(encode_entry(original)).samples, original.samples)


def test_entry_is_compact() -> None:
    rendered = Rendered(np.zeros(22_050, dtype=np.float32), 22_050, (WordTiming(0.0, 0.5, "Hi."),))
    assert len(encode_entry(rendered)) < 22_050 * 2 + 200  # 16-bit samples and a small header


def test_missing_entry_is_none_and_stored_entry_comes_back() -> None:
    cache = SegmentCache(InMemoryStorage())
    rendered = ToneVoice().render([Turn("Maya", "One two three.")])[0]
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, rendered)
    back = cache.get("ab" * 32)
    assert back is not None
    assert back.words == rendered.words


def test_entries_live_under_the_prefix() -> None:
    storage = InMemoryStorage()
    SegmentCache(storage, prefix="/shared/segments/").put(
        "cd" * 32, Rendered(np.zeros(4, np.float32), 8000)
    )
    assert storage.keys() == [f"shared/segments/cd/{'cd' * 32}.pcm"]


def test_a_damaged_entry_is_a_miss_and_gets_rewritten() -> None:
    storage = InMemoryStorage()
    cache = SegmentCache(storage)
    voice = ToneVoice()
    turn = Turn("Maya", "Broken entry.")
    key = cache_key(voice.identity("Maya"), turn.text)
    storage.put(cache.path(key), b"BCSEG1\n\x00\x00\x00\x05{nope", "application/octet-stream")
    assert cache.get(key) is None
    cache.render_with_cache(voice, [turn])
    assert voice.calls == 1
    assert cache.get(key) is not None


def test_a_hit_does_not_call_the_voice() -> None:
    cache = SegmentCache(InMemoryStorage())
    turns = [Turn("Maya", "Good morning."), Turn("Theo", "Good morning to you.")]
    first_voice = ToneVoice()
    first, _ = cache.render_with_cache(first_voice, turns)
    second_voice = ToneVoice()
    second, stats = cache.render_with_cache(second_voice, turns)
    assert second_voice.calls == 0
    assert second_voice.rendered_characters == 0
    assert [r.words for r in second] == [r.words for r in first]
    assert stats == CacheStats(
        turns=2,
        synthesised_turns=0,
        cached_turns=2,
        repeated_turns=0,
        characters_synthesised=0,
        characters_from_cache=len("Good morning.") + len("Good morning to you."),
        characters_repeated=0,
    )


def test_misses_are_rendered_in_one_call_and_repeats_once() -> None:
    cache = SegmentCache(InMemoryStorage())
    cache.render_with_cache(ToneVoice(), [Turn("Maya", "Already here.")])
    voice = ToneVoice()
    turns = [
        Turn("Maya", "Already here."),
        Turn("Theo", "New words."),
        Turn("Maya", "New words."),  # another speaker: another voice, another key
        Turn("Theo", "New words."),  # a repeat within the call
    ]
    rendered, stats = cache.render_with_cache(voice, turns)
    assert voice.calls == 1
    assert voice.rendered_characters == 2 * len("New words.")
    assert stats.synthesised_turns == 2
    assert stats.cached_turns == 1
    assert stats.repeated_turns == 1
    assert stats.characters_synthesised == 20
    assert stats.characters_from_cache == len("Already here.")
    assert stats.characters_repeated == 10
    assert stats.characters == sum(len(t.text) for t in turns)
    assert rendered[1] is rendered[3]
    assert len(rendered) == 4


def test_results_come_back_in_the_order_of_the_turns() -> None:
    cache = SegmentCache(InMemoryStorage())
    cache.render_with_cache(ToneVoice(), [Turn("Maya", "two words")])
    turns = [Turn("Maya", "one"), Turn("Maya", "two words"), Turn("Maya", "now three words")]
    rendered, _ = cache.render_with_cache(ToneVoice(), turns)
    assert [len(r.words) for r in rendered] == [1, 2, 3]


def test_another_voice_setting_is_another_entry() -> None:
    cache = SegmentCache(InMemoryStorage())
    turn = [Turn("Maya", "Same words.")]
    cache.render_with_cache(ToneVoice(words_per_minute=160), turn)
    faster = ToneVoice(words_per_minute=200)
    cache.render_with_cache(faster, turn)
    assert faster.calls == 1


def test_a_voice_returning_the_wrong_number_of_renders_is_refused() -> None:
    class Forgetful(ToneVoice):
        def render(self, turns: list[Turn]) -> list[Rendered]:  # type: ignore[override]
            return super().render(turns)[:-1]

    with pytest.raises(ProviderRejected, match="returned 1 renders for 2 turns"):
        SegmentCache(InMemoryStorage()).render_with_cache(
            Forgetful(), [Turn("Maya", "a"), Turn("Maya", "b")]
        )


class _FailingAfter(ToneVoice):
    """Renders ``ok_calls`` requests, then fails like a dying worker."""

    max_request_chars = 12

    def __init__(self, ok_calls: int) -> None:
        super().__init__()
        self.ok_calls = ok_calls
        self.requests: list[int] = []

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        self.requests.append(len(turns))
        if len(self.requests) > self.ok_calls:
            raise ProviderUnavailable("gone")
        return super().render(turns)


def test_each_chunk_is_stored_before_the_next_is_paid_for() -> None:
    storage = InMemoryStorage()
    turns = [
        Turn("Maya", "one two"),
        Turn("Theo", "three four"),
        Turn("Maya", "five six"),
        Turn("Theo", "seven"),
    ]
    voice = _FailingAfter(ok_calls=2)
    with pytest.raises(ProviderUnavailable):
        SegmentCache(storage).render_with_cache(voice, turns)
    # Requests respect the size limit at turn boundaries: [7 chars], [10], [8 + 5 > 12 → 8], ...
    assert voice.requests == [1, 1, 1]
    again = _FailingAfter(ok_calls=10)
    _, stats = SegmentCache(storage).render_with_cache(again, turns)
    assert stats.cached_turns == 2
    assert stats.synthesised_turns == 2
    assert sum(again.requests) == 2


def test_turns_share_a_request_up_to_the_limit() -> None:
    voice = _FailingAfter(ok_calls=10)
    voice.max_request_chars = 100
    SegmentCache(InMemoryStorage()).render_with_cache(
        voice, [Turn("Maya", f"turn number {i}") for i in range(9)]
    )
    assert voice.requests == [7, 2]
