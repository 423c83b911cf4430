"""The look-ahead limiter: never above any need in reach, smooth, local, and effective."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import firwin, lfilter, resample_poly

from briefcast.limiter import Limiter, PeakMap, peak_map, smoothed_gain


def brute_force_gain(targets: np.ndarray, ramp: int, hold: int) -> np.ndarray:
    """The definition, computed the slow way: windowed minima, then a triangle average."""
    n = len(targets)

    def need(k: int) -> float:
        return float(targets[k]) if 0 <= k < n else 1.0

    def lowest(i: int) -> float:
        return min(need(k) for k in range(i - hold, i + ramp))

    first = (ramp + 1) // 2
    second = ramp - first + 1
    kernel = np.convolve(np.ones(first) / first, np.ones(second) / second)
    return np.array([sum(w * lowest(i - j) for j, w in enumerate(kernel)) for i in range(n)])


needs = st.lists(st.floats(0.05, 1.0), min_size=1, max_size=120)


@given(needs, st.integers(1, 12), st.integers(0, 12))
@settings(max_examples=150, deadline=None)
def test_gain_matches_its_definition(targets: list[float], ramp: int, hold: int) -> None:
    values = np.array(targets, dtype=np.float32)
    np.testing.assert_allclose(
        smoothed_gain(values, ramp, hold), brute_force_gain(values, ramp, hold), atol=1e-5
    )


@given(needs, st.integers(1, 12), st.integers(0, 12))
@settings(max_examples=150, deadline=None)
def test_gain_never_exceeds_any_need(targets: list[float], ramp: int, hold: int) -> None:
    values = np.array(targets, dtype=np.float32)
    assert np.all(smoothed_gain(values, ramp, hold) <= values + 1e-6)


def test_gain_falls_before_a_peak_holds_and_recovers() -> None:
    ramp, hold = 20, 30
    targets = np.ones(200, dtype=np.float32)
    targets[100] = 0.5
    gain = smoothed_gain(targets, ramp, hold)
    assert np.all(gain[: 100 - ramp + 1] == 1.0)  # untouched before the look-ahead
    assert np.all(np.diff(gain[80:101]) <= 0)  # falls over the ramp ...
    assert gain[100] == pytest.approx(0.5)
    assert np.all(gain[100 : 100 + hold + 1] == pytest.approx(0.5))  # ... holds ...
    assert np.all(np.diff(gain[100 + hold : 100 + hold + ramp + 1]) >= 0)  # ... and recovers
    assert np.all(gain[100 + hold + ramp :] == 1.0)
    assert np.abs(np.diff(gain)).max() < 0.5 / ramp * 2  # no jumps: steps of about depth/ramp


def test_peak_map_finds_every_sample_over_its_floor() -> None:
    # Noise band-limited to 0.7 of Nyquist, where 4x interpolators agree closely.
    rng = np.random.default_rng(7)
    noise = rng.standard_normal(50_000) * 0.2
    signal = lfilter(firwin(101, 0.7), 1, noise).astype(np.float32)

    def read(start: int, stop: int) -> np.ndarray:
        out = np.zeros(stop - start, dtype=np.float32)
        a, b = max(start, 0), min(stop, len(signal))
        out[a - start : b - start] = signal[a:b]
        return out

    mapped = peak_map(read, len(signal), 0.6)
    # Independent estimate: 4x oversampling by scipy, grouped per input sample.
    up = np.abs(resample_poly(signal, 4, 1)).reshape(-1, 4).max(axis=1)
    expected = np.flatnonzero(up > 0.6)
    found = set(mapped.index.tolist())
    assert len(expected) > 20
    clear = [i for i in expected if up[i] > 0.6 * 1.01]  # the interpolators differ < 0.1 dB
    assert set(clear) <= found
    assert found <= set(np.flatnonzero(up > 0.6 / 1.01).tolist())
    assert np.all(np.diff(mapped.index) > 0)


def limiter_for(
    signal: np.ndarray, gain: float, ceiling_dbtp: float, ramp: int = 40, hold: int = 60
) -> Limiter:
    def read(start: int, stop: int) -> np.ndarray:
        out = np.zeros(stop - start, dtype=np.float32)
        a, b = max(start, 0), min(stop, len(signal))
        out[a - start : b - start] = signal[a:b]
        return out

    floor = 10 ** ((ceiling_dbtp - 20 * math.log10(gain) - 3) / 20)
    return Limiter(peak_map(read, len(signal), floor), gain, ceiling_dbtp, ramp, hold)


@given(st.lists(st.integers(1, 5000), min_size=1, max_size=8))
@settings(max_examples=40, deadline=None)
def test_gain_in_blocks_equals_gain_in_one_piece(cuts: list[int]) -> None:
    rng = np.random.default_rng(3)
    signal = (rng.standard_normal(6000) * 0.1).astype(np.float32)
    signal[[500, 2000, 2050, 4990]] = [0.9, -0.8, 0.95, 0.7]
    limiter = limiter_for(signal, 2.0, -1.0)
    whole = limiter.gains(0, len(signal))
    assert whole is not None
    edges = sorted({0, len(signal), *[c % len(signal) for c in cuts]})
    pieces = [limiter.gains(a, b) for a, b in itertools.pairwise(edges)]
    joined = np.concatenate(
        [
            p if p is not None else np.ones(b - a, np.float32)
            for p, (a, b) in zip(pieces, itertools.pairwise(edges), strict=True)
        ]
    )
    np.testing.assert_allclose(joined, whole, atol=1e-6)


def test_limited_signal_stays_under_the_ceiling_and_quiet_parts_are_untouched() -> None:
    rate = 22_050
    t = np.arange(rate * 2) / rate
    signal = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    signal[rate // 2 : rate // 2 + 200] *= 4.0  # a burst 12 dB louder
    gain = 10 ** (6 / 20)  # +6 dB makes the burst peak at about +4 dBFS
    limiter = limiter_for(signal, gain, -1.5, ramp=220, hold=441)
    out = signal * np.float32(gain)
    limiter.apply(out, 0)
    true_peak = 20 * math.log10(float(np.abs(resample_poly(out, 4, 1)).max()))
    assert true_peak <= -1.4  # the ceiling, within what a smooth gain lets through
    quiet = slice(rate, 2 * rate)  # far from the burst
    np.testing.assert_array_equal(out[quiet], signal[quiet] * np.float32(gain))


def test_limiter_refuses_a_map_too_coarse_for_its_ceiling() -> None:
    peaks = PeakMap(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), floor=0.9)
    with pytest.raises(ValueError, match="floor"):
        Limiter(peaks, gain=1.0, ceiling_dbtp=-6.0, ramp=10, hold=10)
