"""The eSpeak NG voice, for real: two distinct hosts, honest word timings, measured pace."""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from briefcast.errors import ConfigurationError, ProviderRejected
from briefcast.providers.espeak import EspeakVoice
from briefcast.scripts import Turn
from briefcast.voices import Rendered, Voice

LINE = "The Senate passed the bill on Tuesday, and the House is expected to vote on it next week."


@pytest.fixture(scope="module")
def voice() -> EspeakVoice:
    return EspeakVoice()


def fundamental(rendered: Rendered) -> float:
    """Median pitch of the voiced 40 ms frames, by autocorrelation (70-400 Hz)."""
    rate, samples = rendered.sample_rate, rendered.samples.astype(np.float64)
    frame = int(0.04 * rate)
    low, high = int(rate / 400), int(rate / 70)
    pitches = []
    for start in range(0, len(samples) - frame, frame):
        chunk = samples[start : start + frame] - samples[start : start + frame].mean()
        if np.sqrt(np.mean(chunk**2)) < 0.05:
            continue
        correlation = np.correlate(chunk, chunk, "full")[frame - 1 :]
        lag = low + int(np.argmax(correlation[low:high]))
        if correlation[lag] > 0.3 * correlation[0]:
            pitches.append(rate / lag)
    assert len(pitches) > 20, "too few voiced frames to judge the pitch"
    return float(np.median(pitches))


def test_it_is_a_voice(voice: EspeakVoice) -> None:
    assert isinstance(voice, Voice)


def test_the_two_hosts_sound_clearly_different(voice: EspeakVoice) -> None:
    maya, theo = voice.render([Turn("Maya", LINE), Turn("Theo", LINE)])
    maya_pitch, theo_pitch = fundamental(maya), fundamental(theo)
    assert 150 < maya_pitch < 300  # a higher voice ...
    assert 70 < theo_pitch < 150  # ... and a lower one
    assert maya_pitch > 1.5 * theo_pitch


def test_identity_names_the_library_voice_and_settings(voice: EspeakVoice) -> None:
    maya, theo = voice.identity("Maya"), voice.identity("Theo")
    assert maya["provider"] == "espeak-ng"
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", maya["model"])
    assert (maya["voice"], theo["voice"]) == ("en-us+f3", "en-us+m3")
    assert "rate=165" in maya["settings"]
    assert maya["settings"] != theo["settings"]  # the pitches differ


def test_word_timings_are_ordered_inside_the_audio_and_cover_the_text(voice: EspeakVoice) -> None:
    text = "Café owners in Maine — and 1,250 others — wrote to H.R. 1234's sponsor in 2024."
    (rendered,) = voice.render([Turn("Maya", text)])
    words = rendered.words
    assert len(words) >= 10
    assert " ".join(w.text for w in words).split() == text.split()
    assert words[0].start < 0.2
    for word in words:
        assert 0.0 <= word.start <= word.end <= rendered.duration
    for earlier, later in itertools.pairwise(words):
        assert earlier.end <= later.start
        assert earlier.start < later.start


def test_trailing_silence_is_trimmed_from_word_ends(voice: EspeakVoice) -> None:
    (rendered,) = voice.render([Turn("Theo", "First sentence. Second sentence.")])
    first_end = rendered.words[1].end  # "sentence." before the pause
    second_start = rendered.words[2].start
    gap = rendered.samples[
        int(first_end * rendered.sample_rate) + 50 : int(second_start * rendered.sample_rate)
    ]
    assert second_start - first_end > 0.1  # the pause between sentences is not part of a word
    assert np.abs(gap).max() < 0.02


def test_measured_pace_is_plausible(voice: EspeakVoice) -> None:
    for speaker in ("Maya", "Theo"):
        pace = voice.words_per_minute(speaker)
        assert 120 <= pace <= 220
        assert voice.words_per_minute(speaker) == pace  # measured once, then remembered


def test_a_faster_setting_measures_faster() -> None:
    slow = EspeakVoice(rate_wpm=130).words_per_minute("Maya")
    fast = EspeakVoice(rate_wpm=200).words_per_minute("Maya")
    assert fast > slow * 1.3


def test_renders_from_several_threads_all_succeed(voice: EspeakVoice) -> None:
    turns = [
        Turn("Maya" if i % 2 else "Theo", f"Turn number {i} of a busy afternoon.")
        for i in range(24)
    ]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda turn: voice.render([turn])[0], turns))
    for turn, rendered in zip(turns, results, strict=True):
        assert rendered.duration > 1.0
        assert " ".join(w.text for w in rendered.words).split() == turn.text.split()
        assert np.isfinite(rendered.samples).all()


def test_empty_text_renders_silence_without_asking_espeak(voice: EspeakVoice) -> None:
    (rendered,) = voice.render([Turn("Maya", "   ")])
    assert rendered.duration == 0.0
    assert rendered.words == ()


def test_an_unknown_speaker_is_refused(voice: EspeakVoice) -> None:
    with pytest.raises(ProviderRejected, match="Zoe"):
        voice.render([Turn("Zoe", "Hello.")])


def test_an_unknown_espeak_voice_is_refused() -> None:
    voice = EspeakVoice(voices={"Maya": "xx-nowhere"})
    with pytest.raises(ProviderRejected, match="xx-nowhere"):
        voice.render([Turn("Maya", "Hello.")])


@pytest.mark.parametrize(("rate", "pitch"), [(40, None), (500, None), (165, {"Maya": 140})])
def test_settings_out_of_range_are_refused(rate: int, pitch: dict[str, int] | None) -> None:
    with pytest.raises(ConfigurationError):
        EspeakVoice(rate_wpm=rate, pitch=pitch)
