"""How the ElevenLabs voice cuts turns into requests: pure functions, checked for invariants."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefcast.providers.elevenlabs_voice import plan_requests, split_text
from briefcast.scripts import Turn

words = st.text(alphabet='abcdefgHIJ.,?!"', min_size=1, max_size=30)
texts = st.lists(words, min_size=1, max_size=60).map(" ".join)
turns = st.lists(st.builds(Turn, st.sampled_from(["Maya", "Theo"]), texts), min_size=0, max_size=12)


@given(turns, st.integers(min_value=30, max_value=400))
def test_requests_never_exceed_the_limit_and_rejoin_to_the_script(
    script: list[Turn], limit: int
) -> None:
    plan = plan_requests(script, limit)
    assert all(0 < sum(len(p.text) for p in request) <= limit for request in plan)
    pieces = [p for request in plan for p in request]
    assert [p.turn for p in pieces] == sorted(p.turn for p in pieces)  # in script order
    for index, turn in enumerate(script):
        parts = [p.text for p in pieces if p.turn == index]
        assert all(p.speaker == turn.speaker for p in pieces if p.turn == index)
        # Words no longer than a request come back exactly, single spaces between parts.
        assert " ".join(parts) == turn.text


@given(texts, st.integers(min_value=30, max_value=400))
def test_whole_turns_share_a_request_until_it_is_full(text: str, limit: int) -> None:
    short = [Turn("Maya", "One two three."), Turn("Theo", "Four five six.")]
    assert [[p.turn for p in r] for r in plan_requests(short, limit)] == [[0, 1]]
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)


def test_sentences_are_kept_whole_when_they_fit() -> None:
    text = "First sentence here. Second one is a bit longer. Third."
    assert split_text(text, 30) == ["First sentence here.", "Second one is a bit longer.", "Third."]
    assert split_text(text, 60) == [text]


def test_a_word_longer_than_a_request_is_cut_hard() -> None:
    assert split_text("x" * 130, 60) == ["x" * 60, "x" * 60, "x" * 10]
    assert split_text("ab " + "y" * 70, 60) == ["ab", "y" * 60, "y" * 10]


def test_no_turns_no_requests() -> None:
    assert plan_requests([], 100) == []
