"""Encoding, checking while encoding, and the codec's own gain."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from briefcast.audio_qa import inspect
from briefcast.errors import ConfigurationError
from briefcast.mp3 import Mp3Format, codec_gain_db, encode_and_inspect, encode_mp3

FORMAT = Mp3Format(22_050, 64)


def speechlike(seconds: float) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(11)
    rate = FORMAT.sample_rate
    for start in range(0, round(seconds * rate), 10_000):
        t = (start + np.arange(10_000)) / rate
        burst = 0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2 * t) > 0)
        yield (burst + 0.01 * rng.standard_normal(10_000)).astype(np.float32)


def test_measuring_while_encoding_equals_measuring_afterwards() -> None:
    mp3, report = encode_and_inspect(speechlike(20.0), FORMAT)
    assert mp3 == encode_mp3(speechlike(20.0), FORMAT)
    assert report == inspect(mp3)


@pytest.mark.parametrize("blocks_before_failing", [0, 1, 5])
def test_a_failure_while_encoding_reaches_the_caller(blocks_before_failing: int) -> None:
    def failing() -> Iterator[np.ndarray]:
        for _ in range(blocks_before_failing):
            yield np.zeros(50_000, dtype=np.float32)
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError, match="the source broke"):
        encode_and_inspect(failing(), FORMAT)


def test_the_codec_gain_is_a_small_measured_loss() -> None:
    gain = codec_gain_db(FORMAT)
    assert -1.0 < gain <= 0.0
    # Measured, so an encoded tone comes back at its level plus that gain.
    tone = (0.25 * np.sin(2 * np.pi * 1000 * np.arange(66_150) / 22_050)).astype(np.float32)
    report = inspect(encode_mp3(iter([tone]), FORMAT))
    assert report.true_peak_dbtp == pytest.approx(20 * np.log10(0.25) + gain, abs=0.1)


@pytest.mark.parametrize(
    ("rate", "bitrate"), [(22_050, 192), (44_100, 8), (11_025, 64), (8_000, 32)]
)
def test_formats_mp3_cannot_carry_are_refused(rate: int, bitrate: int) -> None:
    with pytest.raises(ConfigurationError):
        Mp3Format(rate, bitrate)


@pytest.mark.parametrize(
    ("rate", "bitrate"), [(22_050, 64), (24_000, 64), (44_100, 96), (48_000, 128)]
)
def test_podcast_formats_encode(rate: int, bitrate: int) -> None:
    fmt = Mp3Format(rate, bitrate)
    report = inspect(encode_mp3(iter([np.zeros(rate, dtype=np.float32)]), fmt))
    assert report.sample_rate == rate
    assert report.duration_seconds == pytest.approx(1.0, abs=0.15)
