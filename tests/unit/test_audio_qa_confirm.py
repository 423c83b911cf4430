"""Confirming a stored episode is the audio mastering measured, without decoding it again."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Callable
from datetime import date

import pytest
from mutagen.id3 import ID3, TIT2

from briefcast.audio_qa import AudioReport, confirm, id3_length, inspect
from briefcast.errors import AudioQualityError
from briefcast.mastering import EpisodeMeta, MasteredEpisode, SpokenSegment, master
from briefcast.scripts import Segment, Turn
from briefcast.testing import ToneVoice

META = EpisodeMeta("Brief", "briefcast", date(2026, 3, 5), "Two bills.", "Synthetic voices.", "M")
SEGMENTS = (
    Segment("intro", "Welcome", (Turn("Maya", "Hello and welcome to the brief."),)),
    Segment(
        "bill",
        "H.R. 1: A bill",
        (Turn("Theo", "This bill does one thing."), Turn("Maya", "And it does it well.")),
        "119-hr-1",
    ),
    Segment("outro", "Until next time", (Turn("Theo", "That is all for today."),)),
)


@pytest.fixture(scope="module")
def episode() -> MasteredEpisode:
    voice = ToneVoice()
    return master([SpokenSegment(s, tuple(voice.render(s.turns))) for s in SEGMENTS], META)


def test_the_tag_length_is_what_mutagen_reads(episode: MasteredEpisode) -> None:
    assert id3_length(episode.mp3) == ID3(io.BytesIO(episode.mp3)).size > 10
    assert id3_length(episode.mp3[id3_length(episode.mp3) :]) == 0
    assert id3_length(b"ID3") == 0


def test_what_mastering_measured_is_what_a_fresh_decode_of_the_file_measures(
    episode: MasteredEpisode,
) -> None:
    """Why one decode suffices: measuring while encoding equals decoding the tagged file."""
    assert inspect(episode.mp3) == episode.report
    frames = episode.mp3[ID3(io.BytesIO(episode.mp3)).size :]
    assert hashlib.sha256(frames).hexdigest() == episode.audio_sha256


def test_a_mastered_episode_is_confirmed(episode: MasteredEpisode) -> None:
    confirm(episode.mp3, episode.report, episode.audio_sha256)


def test_another_tag_in_front_of_the_same_audio_is_still_confirmed(
    episode: MasteredEpisode,
) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["A different title, a longer tag than before"]))
    buffer = io.BytesIO()
    tags.save(buffer, v2_version=4, padding=lambda _info: 100)
    frames = episode.mp3[id3_length(episode.mp3) :]
    confirm(buffer.getvalue() + frames, episode.report, episode.audio_sha256)


@pytest.mark.parametrize(
    "damage",
    [
        lambda mp3: mp3[:-1000],  # the end cut off
        lambda mp3: (
            mp3[: len(mp3) // 2] + bytes([mp3[len(mp3) // 2] ^ 0x01]) + mp3[len(mp3) // 2 + 1 :]
        ),
        lambda mp3: mp3 + mp3[-1000:],  # something appended
    ],
    ids=["truncated", "one bit flipped", "appended"],
)
def test_any_change_to_the_audio_is_refused(
    episode: MasteredEpisode, damage: Callable[[bytes], bytes]
) -> None:
    changed = damage(episode.mp3)
    with pytest.raises(AudioQualityError, match="not the audio that passed its check"):
        confirm(changed, episode.report, episode.audio_sha256)


def test_a_report_that_does_not_describe_the_file_is_refused(episode: MasteredEpisode) -> None:
    longer = dataclasses.replace(episode.report, duration_seconds=episode.duration_seconds + 1)
    with pytest.raises(AudioQualityError, match="A player reads the episode as"):
        confirm(episode.mp3, longer, episode.audio_sha256)
    other_rate = dataclasses.replace(episode.report, sample_rate=24_000)
    with pytest.raises(AudioQualityError, match="at 22050 Hz"):
        confirm(episode.mp3, other_rate, episode.audio_sha256)


def test_what_is_not_an_mp3_is_refused() -> None:
    junk = b"not an mp3 at all" * 10
    report = AudioReport(1.0, 22_050, -16.0, -2.0, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(AudioQualityError, match="not a valid MP3"):
        confirm(junk, report, hashlib.sha256(junk).hexdigest())
