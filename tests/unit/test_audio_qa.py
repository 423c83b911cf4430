"""Measuring and judging a finished MP3."""

from __future__ import annotations

import dataclasses
import math

import lameenc
import miniaudio
import numpy as np
import pyloudnorm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import firwin, lfilter, resample_poly

from briefcast.audio_qa import (
    TRUE_PEAK_CONTEXT,
    AudioReport,
    LoudnessMeter,
    TruePeakMeter,
    check,
    inspect,
    true_peak_envelope,
    true_peak_runs,
)
from briefcast.errors import AudioQualityError

RATE = 22_050


def mp3_of(samples: np.ndarray, rate: int = RATE) -> bytes:
    """Encoded here with lameenc directly, so the tests do not lean on mastering."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(5)
    pcm = np.clip(np.rint(samples * 32767), -32768, 32767).astype(np.int16)
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


def tone(seconds: float, amplitude: float, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def fed_in_blocks(meter: LoudnessMeter | TruePeakMeter, signal: np.ndarray, size: int) -> None:
    for start in range(0, len(signal), size):
        meter.feed(signal[start : start + size])


@pytest.mark.parametrize("rate", [16_000, 22_050, 24_000, 44_100])
@pytest.mark.parametrize("block", [1_000, 4_410, 65_536])
def test_loudness_agrees_with_pyloudnorm(rate: int, block: int) -> None:
    rng = np.random.default_rng(rate + block)
    signal = (rng.standard_normal(rate * 12) * 0.05).astype(np.float32)
    signal[rate * 2 : rate * 5] *= 0.02  # a quiet stretch the relative gate drops
    signal[rate * 7 : rate * 8] = 0.0  # and true silence
    meter = LoudnessMeter(rate)
    fed_in_blocks(meter, signal, block)
    expected = pyloudnorm.Meter(rate).integrated_loudness(signal.astype(np.float64))
    assert meter.integrated() == pytest.approx(expected, abs=0.01)


def test_a_known_tone_measures_its_textbook_loudness() -> None:
    # BS.1770: a 0 dBFS 997 Hz sine reads -3.01 LKFS on one channel.
    meter = LoudnessMeter(48_000)
    t = np.arange(48_000 * 5) / 48_000
    meter.feed(np.sin(2 * np.pi * 997 * t).astype(np.float32))
    assert meter.integrated() == pytest.approx(-3.01, abs=0.05)


def test_silence_has_no_loudness() -> None:
    meter = LoudnessMeter(RATE)
    meter.feed(np.zeros(RATE * 3, dtype=np.float32))
    assert meter.integrated() == -math.inf


def test_true_peak_finds_the_peak_between_samples() -> None:
    # A sine at a quarter of the rate, sampled 45 degrees off its crests: every
    # sample is at 0.707 of the true peak, which lies between samples.
    # The ends fade in and out, so no edge rings above the steady crests.
    n = np.arange(4000)
    fade = np.minimum(1.0, np.minimum(n, n[::-1]) / 400)
    signal = (0.5 * fade * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)
    meter = TruePeakMeter()
    fed_in_blocks(meter, signal, 777)
    sample_peak = 20 * math.log10(float(np.abs(signal).max()))
    assert sample_peak == pytest.approx(20 * math.log10(0.5) - 3.01, abs=0.01)
    assert meter.finish() == pytest.approx(20 * math.log10(0.5), abs=0.05)


@given(st.integers(0, 10_000), st.sampled_from([300, 4096, 65_536]))
@settings(max_examples=20, deadline=None)
def test_true_peak_agrees_with_scipy_oversampling(seed: int, block: int) -> None:
    rng = np.random.default_rng(seed)
    # Speech-like bandwidth (up to 0.7 of Nyquist), where 4x interpolators agree.
    signal = lfilter(firwin(101, 0.7), 1, rng.standard_normal(20_000) * 0.1).astype(np.float32)
    meter = TruePeakMeter()
    fed_in_blocks(meter, signal, block)
    expected = 20 * math.log10(float(np.abs(resample_poly(signal, 4, 1)).max()))
    assert meter.finish() == pytest.approx(expected, abs=0.05)


def test_skipped_stretches_provably_stay_under_the_threshold() -> None:
    rng = np.random.default_rng(5)
    signal = (rng.standard_normal(30_000) * 0.05).astype(np.float32)
    signal[10_000:10_300] *= 12  # one loud stretch
    padded = np.concatenate(
        [np.zeros(TRUE_PEAK_CONTEXT, np.float32), signal, np.zeros(TRUE_PEAK_CONTEXT, np.float32)]
    )
    everywhere = true_peak_envelope(padded)
    covered = np.zeros(len(signal), dtype=bool)
    for offset, envelope in true_peak_runs(padded, 0.5):
        np.testing.assert_array_equal(envelope, everywhere[offset : offset + len(envelope)])
        covered[offset : offset + len(envelope)] = True
    assert covered.mean() < 0.2  # most was skipped ...
    assert np.all(everywhere[~covered] <= 0.5)  # ... and rightly so


def test_inspect_measures_duration_silence_and_loudness() -> None:
    audio = np.concatenate([tone(2.0, 0.3), np.zeros(3 * RATE, np.float32), tone(1.0, 0.3)])
    mp3 = mp3_of(audio)
    report = inspect(mp3)
    assert report.sample_rate == RATE
    assert report.duration_seconds == pytest.approx(6.0, abs=0.1)  # plus encoder delay and padding
    assert report.longest_silence_seconds == pytest.approx(3.0, abs=0.1)
    assert report.longest_silence_at == pytest.approx(2.0, abs=0.1)
    assert report.silence_share == pytest.approx(0.5, abs=0.03)
    assert report.clipped_share == 0.0
    sound = miniaudio.decode(
        mp3, output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=RATE
    )
    samples = np.frombuffer(sound.samples, dtype=np.float32).astype(np.float64)
    assert report.loudness_lufs == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(samples), abs=0.01
    )
    # LAME scales its input by 0.95; the tone's crests are then at 0.285.
    assert report.true_peak_dbtp == pytest.approx(20 * math.log10(0.3 * 0.95), abs=0.2)


def test_inspect_counts_clipped_samples() -> None:
    square = np.sign(tone(2.0, 1.0, 200.0)).astype(np.float32)
    report = inspect(mp3_of(square))
    assert report.clipped_share > 0.01


def test_inspect_refuses_what_is_not_an_mp3() -> None:
    with pytest.raises(AudioQualityError, match="not a valid MP3"):
        inspect(b"ID3 but nothing else" * 10)


GOOD = AudioReport(
    duration_seconds=300.0,
    sample_rate=RATE,
    loudness_lufs=-16.2,
    true_peak_dbtp=-1.3,
    longest_silence_seconds=1.0,
    longest_silence_at=40.0,
    silence_share=0.12,
    clipped_share=0.0,
)


def test_a_good_episode_passes() -> None:
    check(GOOD, expected_seconds=290.0)
    check(GOOD, expected_seconds=None)


@pytest.mark.parametrize(
    ("changes", "expected", "reason"),
    [
        ({"duration_seconds": 120.0}, 300.0, "it stops at 2:00, short of the expected 5:00"),
        ({"duration_seconds": 420.0}, 300.0, "it runs 7:00, well over the expected 5:00"),
        ({"duration_seconds": 0.2}, None, "the episode has no audio"),
        (
            {"longest_silence_seconds": 12.0, "longest_silence_at": 184.0},
            None,
            "silent for 12 s at 3:04",
        ),
        ({"silence_share": 0.7}, None, "70% of it is silence"),
        ({"loudness_lufs": -23.4}, None, "it is too quiet (-23.4 LUFS; the target is -16 LUFS)"),
        ({"loudness_lufs": -12.0}, None, "it is too loud (-12.0 LUFS"),
        ({"loudness_lufs": -math.inf}, None, "it is too quiet (-inf LUFS"),
        ({"true_peak_dbtp": 0.4}, None, "its peaks reach 0.4 dBTP, above the -1 dBTP limit"),
        ({"clipped_share": 0.004}, None, "the sound is distorted: 0.40% of samples are clipped"),
    ],
)
def test_each_problem_is_named_for_the_listener(
    changes: dict, expected: float | None, reason: str
) -> None:
    with pytest.raises(AudioQualityError) as caught:
        check(dataclasses.replace(GOOD, **changes), expected_seconds=expected)
    assert reason in str(caught.value)
    assert str(caught.value).startswith("The episode did not pass its audio check: ")


def test_every_problem_is_reported_at_once() -> None:
    bad = dataclasses.replace(GOOD, loudness_lufs=-30.0, true_peak_dbtp=0.5, duration_seconds=100.0)
    with pytest.raises(AudioQualityError) as caught:
        check(bad, expected_seconds=300.0)
    message = str(caught.value)
    assert "it stops at 1:40" in message
    assert "too quiet (-30.0 LUFS" in message
    assert "peaks reach 0.5 dBTP" in message


def test_duration_tolerance_is_a_fraction_of_the_expected_length() -> None:
    check(dataclasses.replace(GOOD, duration_seconds=241.0), expected_seconds=300.0, tolerance=0.2)
    with pytest.raises(AudioQualityError):
        check(
            dataclasses.replace(GOOD, duration_seconds=241.0), expected_seconds=300.0, tolerance=0.1
        )
