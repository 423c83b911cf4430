"""The meters' filters, checked against scipy.signal and pyloudnorm (which mastering no longer loads)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import firwin, lfilter

from briefcast.audio_qa import Section, _interpolator, k_weighting


@pytest.mark.parametrize("rate", [16_000, 22_050, 24_000, 44_100, 48_000])
def test_k_weighting_has_pyloudnorms_coefficients(rate: int) -> None:
    shelf, high_pass = k_weighting(rate)
    theirs = (
        IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    )
    for mine, other in zip((shelf, high_pass), theirs, strict=True):
        np.testing.assert_allclose(mine.b, other.b / other.a[0], rtol=1e-12)
        np.testing.assert_allclose(mine.a, other.a / other.a[0], rtol=1e-12)


#: A resonant low-pass, and K-weighting's two stages.
SECTIONS = [((1.2, -0.4, 0.1), (1.0, -1.69, 0.73))] + [
    (tuple(s.b), tuple(s.a)) for s in k_weighting(22_050)
]


@given(st.lists(st.integers(0, 3000), max_size=8), st.sampled_from(SECTIONS))
@settings(max_examples=60, deadline=None)
def test_a_section_fed_in_blocks_equals_filtering_the_whole_signal(
    cuts: list[int], coefficients: tuple[tuple[float, float, float], tuple[float, float, float]]
) -> None:
    b, a = coefficients
    signal = np.random.default_rng(len(cuts)).standard_normal(3000)
    section = Section(b, a)
    edges = sorted({0, len(signal), *cuts})
    pieces = []
    for lo, hi in itertools.pairwise(edges):
        pieces.append(section(signal[lo:hi]))
        assert len(section(np.zeros(0))) == 0  # an empty block changes nothing
    np.testing.assert_allclose(np.concatenate(pieces), lfilter(b, a, signal), atol=1e-10)


def test_the_interpolator_is_scipys_kaiser_windowed_sinc() -> None:
    taps = firwin(49, 1 / 4, window=("kaiser", 5.0)) * 4
    expected = np.stack([taps[phase::4][::-1] for phase in range(1, 4)])
    phases, bound = _interpolator()
    np.testing.assert_allclose(phases, expected, rtol=1e-6, atol=1e-7)
    assert bound == pytest.approx(max(1.0, float(np.abs(expected).sum(axis=1).max())), rel=1e-6)


def test_making_an_episode_loads_neither_scipy_signal_nor_pyloudnorm() -> None:
    """scipy.signal alone costs a render process about 50 MB of memory."""
    program = textwrap.dedent(
        """
        import sys
        from datetime import date
        from briefcast.mastering import EpisodeMeta, SpokenSegment, master
        from briefcast.scripts import Segment, Turn
        from briefcast.testing import ToneVoice

        voice = ToneVoice()
        segment = Segment("intro", "Hi", (Turn("Maya", "Hello there, and welcome to the brief."),))
        meta = EpisodeMeta("T", "S", date(2026, 1, 1), "D", "X", "A")
        master([SpokenSegment(segment, tuple(voice.render(segment.turns)))], meta)
        print(sorted(m for m in sys.modules if m.startswith(("scipy.signal", "pyloudnorm"))))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
