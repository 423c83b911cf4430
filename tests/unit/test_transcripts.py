"""Transcript cues and chapters, from placed turns and word timings."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefcast.transcripts import (
    Chapter,
    Cue,
    Heard,
    chapters_json,
    place_chapters,
    place_cues,
    sentences,
    webvtt,
)
from briefcast.voices import WordTiming


def timed(text: str, step: float = 0.3) -> tuple[WordTiming, ...]:
    return tuple(WordTiming(i * step, i * step + 0.2, w) for i, w in enumerate(text.split()))


def test_sentences_end_at_full_stops_but_not_abbreviations() -> None:
    words = timed(
        'Sen. Smith filed H.R. 12 today. "Really?" Yes! The U.S. Code (title 5.) changes.'
    )
    groups = [" ".join(w.text for w in group) for group in sentences(words)]
    assert groups == [
        "Sen. Smith filed H.R. 12 today.",
        '"Really?"',
        "Yes!",
        "The U.S. Code (title 5.)",
        "changes.",
    ]


def test_a_turn_whose_words_cover_its_text_gets_a_cue_per_sentence() -> None:
    text = "First point. Second point?"
    cues = place_cues([Heard(0, 10.0, 2.0, "Maya", text, timed(text))], duration=20.0)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (10.0, 10.5, "First point."),
        (10.6, 11.1, "Second point?"),
    ]


def test_a_turn_without_usable_timings_gets_one_cue_over_its_audio() -> None:
    turns = [
        Heard(0, 1.0, 3.0, "Theo", "No timings here.", ()),
        Heard(0, 5.0, 2.0, "Maya", "Words   that\tdiffer.", timed("Other words")),
    ]
    cues = place_cues(turns, duration=10.0)
    assert cues[0] == Cue(1.0, 4.0, "Theo", "No timings here.")
    assert cues[1].text == "Words that differ."
    assert (cues[1].start, cues[1].end) == pytest.approx((5.0, 5.5))


heard_turns = st.lists(
    st.tuples(
        st.floats(0.0, 5.0),  # gap before the turn
        st.floats(0.0, 8.0),  # its duration
        st.lists(st.sampled_from(["yes.", "no", "H.R.", "maybe?", "so", "done!"]), max_size=12),
        st.floats(-0.5, 1.5),  # jitter applied to the word timings
    ),
    max_size=10,
)


@given(heard_turns, st.floats(0.0, 3.0))
@settings(max_examples=200, deadline=None)
def test_cues_are_ordered_disjoint_and_inside_the_duration(turns: list, spare: float) -> None:
    placed, offset = [], 0.0
    for gap, length, words, jitter in turns:
        offset += gap
        timings = tuple(
            WordTiming(max(0.0, i * 0.4 + jitter), max(0.0, i * 0.4 + jitter) + 0.3, w)
            for i, w in enumerate(words)
        )
        placed.append(Heard(0, offset, length, "Maya", " ".join(words) or "...", timings))
        offset += length
    duration = offset + spare
    cues = place_cues(placed, duration)
    for cue in cues:
        assert 0.0 <= cue.start <= cue.end <= duration
    for earlier, later in itertools.pairwise(cues):
        assert earlier.end <= later.start


def test_webvtt_escapes_text_and_names_speakers() -> None:
    vtt = webvtt([Cue(0.5, 61.25, "Maya", "Tom & Jerry <3"), Cue(3600.0, 3601.0, "Theo", "Late.")])
    assert vtt == (
        "WEBVTT\n"
        "\n"
        "1\n"
        "00:00:00.500 --> 00:01:01.250\n"
        "<v Maya>Tom &amp; Jerry &lt;3</v>\n"
        "\n"
        "2\n"
        "01:00:00.000 --> 01:00:01.000\n"
        "<v Theo>Late.</v>\n"
    )


def test_chapters_cover_the_episode_one_per_segment() -> None:
    turns = [
        Heard(0, 0.3, 4.0, "Maya", "Hi."),
        Heard(1, 5.3, 6.0, "Theo", "Bill."),
        Heard(1, 11.8, 2.0, "Maya", "More."),
        Heard(2, 14.9, 1.0, "Maya", "Bye."),
    ]
    chapters = place_chapters(
        turns, [("Intro", None), ("A bill", "119-hr-1"), ("Outro", None)], 17.0
    )
    assert chapters == (
        Chapter("Intro", 0.0, 5.05, None),
        Chapter("A bill", 5.05, 14.65, "119-hr-1"),
        Chapter("Outro", 14.65, 17.0, None),
    )


def test_a_chapter_never_starts_before_the_last_words_of_the_one_before() -> None:
    turns = [Heard(0, 0.0, 5.0, "Maya", "Hi."), Heard(1, 5.1, 1.0, "Theo", "Next.")]
    chapters = place_chapters(turns, [("One", None), ("Two", None)], 7.0)
    assert chapters[1].start == 5.0


def test_a_segment_without_turns_is_refused() -> None:
    with pytest.raises(ValueError, match="no turns"):
        place_chapters([Heard(0, 0.0, 1.0, "Maya", "Hi.")], [("One", None), ("Two", None)], 3.0)


def test_chapters_json_lists_start_end_and_title() -> None:
    document = json.loads(
        chapters_json([Chapter("Intro", 0.0, 5.0504), Chapter("Bill", 5.0504, 9.0)])
    )
    assert document == {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0.0, "endTime": 5.05, "title": "Intro"},
            {"startTime": 5.05, "endTime": 9.0, "title": "Bill"},
        ],
    }
