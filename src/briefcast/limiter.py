"""A look-ahead true-peak limiter, computed offline, block by block.

Speech peaks are rare and short, so the limiter keeps only a :class:`PeakMap`
of the samples whose 4x-oversampled peak comes near the ceiling (found once,
at unity gain). The gain for any stretch of the episode is then computed from
the peaks within reach of it, so neither the episode nor its gain curve is
ever held whole.

How the gain is shaped: each sample over the ceiling needs ``ceiling / peak``.
A sample's gain is the smallest need from ``hold`` samples back to ``ramp``
samples ahead, averaged by a triangular window ``ramp`` samples long. So the
gain starts falling ``ramp`` samples before a peak (the look-ahead, or
attack), holds for ``hold`` samples after it, rises again over ``ramp``
samples (the release), never jumps, and never exceeds any need within reach:
every weight of the average is non-negative and every minimum it averages
already includes the sample's own need.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from briefcast import audio_qa

__all__ = ["Limiter", "PeakMap", "peak_map", "smoothed_gain"]

Samples = npt.NDArray[np.float32]
Reader = Callable[[int, int], Samples]

_BLOCK = 1 << 16


@dataclass(frozen=True, eq=False)
class PeakMap:
    """Every sample whose true peak exceeds ``floor``: its index and that peak, in order."""

    index: npt.NDArray[np.int64]
    peak: Samples
    floor: float


def peak_map(read: Reader, total: int, floor: float) -> PeakMap:
    """Scan samples ``[0, total)`` of ``read(start, stop)`` for true peaks over ``floor``.

    ``read`` must return zeros outside ``[0, total)``; stretches that provably
    stay under ``floor`` are skipped without oversampling.
    """
    context = audio_qa.TRUE_PEAK_CONTEXT
    indices: list[npt.NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    peaks: list[Samples] = [np.zeros(0, dtype=np.float32)]
    for start in range(0, total, _BLOCK):
        padded = read(start - context, min(start + _BLOCK, total) + context)
        for offset, envelope in audio_qa.true_peak_runs(padded, floor):
            over = np.flatnonzero(envelope > floor)
            indices.append(over + start + offset)
            peaks.append(envelope[over])
    return PeakMap(np.concatenate(indices), np.concatenate(peaks), floor)


@dataclass(frozen=True, eq=False)
class Limiter:
    """Holds ``gain`` times the mapped signal under ``ceiling_dbtp``.

    ``ramp`` (at least 1) and ``hold`` are in samples; see the module notes.
    """

    peaks: PeakMap
    gain: float
    ceiling_dbtp: float
    ramp: int
    hold: int

    def __post_init__(self) -> None:
        if self.ramp < 1 or self.hold < 0:
            raise ValueError("the limiter needs a ramp of at least one sample")
        if self.ceiling / self.gain < self.peaks.floor:
            raise ValueError("the peak map's floor is above what this ceiling and gain need")

    @property
    def ceiling(self) -> float:
        return float(10 ** (self.ceiling_dbtp / 20.0))

    def gains(self, start: int, stop: int) -> Samples | None:
        """The gain for samples ``[start, stop)``, or ``None`` when it is 1 throughout."""
        # A sample's gain depends on needs from ``hold + ramp`` back to ``ramp`` ahead.
        low, high = start - self.hold - self.ramp, stop + self.ramp
        first = bisect.bisect_left(self.peaks.index, low)
        last = bisect.bisect_left(self.peaks.index, high)
        scaled = self.peaks.peak[first:last] * np.float32(self.gain)
        over = scaled > self.ceiling
        if not over.any():
            return None
        targets = np.ones(high - low, dtype=np.float32)
        targets[self.peaks.index[first:last][over] - low] = self.ceiling / scaled[over]
        return smoothed_gain(targets, self.ramp, self.hold)[start - low : stop - low]

    def apply(self, block: Samples, start: int) -> None:
        """Multiply ``block`` (the samples from ``start`` on) by the limiter's gain, in place."""
        gains = self.gains(start, start + len(block))
        if gains is not None:
            block *= gains


def smoothed_gain(targets: Samples, ramp: int, hold: int) -> Samples:
    """Minimum of ``targets`` over ``[n - hold, n + ramp)``, then a triangular ``ramp`` average.

    Beyond ``targets`` the need is taken as 1 (no reduction).
    """
    from scipy.ndimage import minimum_filter1d

    span = ramp + hold
    # The average reaches ``ramp - 1`` minima back, so they are taken from before the start too.
    extended = np.concatenate([np.ones(ramp - 1, dtype=np.float32), targets])
    lowest = minimum_filter1d(extended, span, origin=hold - span // 2, mode="constant", cval=1.0)
    # Two box averages make a triangle whose support is exactly ``ramp`` samples.
    first = (ramp + 1) // 2
    smoothed = _trailing_mean(_trailing_mean(lowest, first), ramp - first + 1)
    return smoothed[ramp - 1 :]


def _trailing_mean(values: Samples, length: int) -> Samples:
    """Mean of each value and the ``length - 1`` before it (1 before the start)."""
    from scipy.ndimage import uniform_filter1d

    if length <= 1:
        return values
    # ``origin`` slides the centred window back so that it ends at the sample.
    means = uniform_filter1d(values, length, origin=(length - 1) // 2, mode="constant", cval=1.0)
    return np.asarray(means, dtype=np.float32)
