"""Listening to a finished episode the way a player would, and judging it.

:func:`inspect` decodes an MP3 and measures it: duration, integrated loudness
(ITU-R BS.1770, with the K-weighting filters pyloudnorm uses), true peak (4x
oversampled), silences and clipping. :func:`check` turns a report into a
verdict, raising :class:`~briefcast.errors.AudioQualityError` with reasons a
listener can read. Everything streams in blocks, so a long episode is measured
in a few megabytes.

Mastering decodes and measures its MP3 while encoding it (see
:func:`briefcast.mp3.encode_and_inspect`), so the finished file need not be
decoded again: :func:`confirm` proves, cheaply, that the stored file is exactly
the audio that was measured behind its tag, and that a player reads it as that
long, at that rate, in mono.

The meters are public because mastering uses the same ones to hit its targets.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from briefcast.errors import AudioQualityError

__all__ = [
    "AudioReport",
    "LoudnessMeter",
    "Section",
    "SilenceMeter",
    "TruePeakMeter",
    "check",
    "confirm",
    "decode_blocks",
    "id3_length",
    "inspect",
    "k_weighting",
    "measure",
    "to_db",
    "true_peak_envelope",
    "true_peak_runs",
]

Samples = npt.NDArray[np.float32]

#: Samples of context each side of a block for 4x interpolation; the polyphase
#: filter reaches 10 input samples, the rest is margin.
TRUE_PEAK_CONTEXT = 16
_OVERSAMPLE = 4
_TAPS = 12 * _OVERSAMPLE + 1
#: Samples per stretch screened against the interpolation bound.
_SCREEN_BLOCK = 512
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_BLOCK_HOPS = 4  # a 400 ms gating block is four 100 ms hops (75 % overlap)
_DECODE_FRAMES = 1 << 16
#: A sample at or beyond this (of full scale) is clipped by a 16-bit player.
_CLIP_LEVEL = 32767.0 / 32768.0


def to_db(value: float) -> float:
    """Amplitude to decibels; silence is ``-inf``."""
    return 20.0 * math.log10(value) if value > 0 else -math.inf


@functools.cache
def _interpolator() -> tuple[npt.NDArray[np.float32], float]:
    """The three fractional phases of a 4x interpolator, and their peak bound.

    A 49-tap Kaiser-windowed sinc (beta 5) cut off at the original Nyquist
    frequency, the length of BS.1770-4's reference interpolator (12 taps a
    phase), scaled so each phase passes DC at unity. Its whole-sample phase is
    the sample itself, so only the three in-between phases are computed. Each
    output is a weighted sum of samples, so none exceeds the sample peak times
    the largest phase's absolute sum: that bound lets quiet stretches be
    skipped exactly.
    """
    offsets = np.arange(_TAPS) - (_TAPS - 1) / 2
    taps = np.sinc(offsets / _OVERSAMPLE) * np.kaiser(_TAPS, 5.0)
    taps *= _OVERSAMPLE / taps.sum()
    phases = np.stack([taps[phase::_OVERSAMPLE][::-1] for phase in range(1, _OVERSAMPLE)])
    bound = max(1.0, float(np.abs(phases).sum(axis=1).max()))
    return phases.astype(np.float32), bound


def true_peak_envelope(padded: Samples) -> Samples:
    """Per-sample true peak of ``padded[C:-C]`` (``C`` = :data:`TRUE_PEAK_CONTEXT`).

    Each value is the largest magnitude among the sample and the three points a
    4x band-limited interpolation places after it.
    """
    inner = len(padded) - 2 * TRUE_PEAK_CONTEXT
    if inner <= 0:
        return np.zeros(0, dtype=np.float32)
    phases, _ = _interpolator()
    signal = padded.astype(np.float32, copy=False)
    envelope = np.abs(signal[TRUE_PEAK_CONTEXT : TRUE_PEAK_CONTEXT + inner])
    # Phase k's output after sample n weighs samples n-5 .. n+6 (the filter is centred).
    first = TRUE_PEAK_CONTEXT - (_TAPS // _OVERSAMPLE) // 2 + 1
    for phase in phases:
        between = np.convolve(signal, phase, mode="valid")[first : first + inner]
        np.maximum(envelope, np.abs(between), out=envelope)
    return envelope


def true_peak_runs(padded: Samples, threshold: float) -> Iterator[tuple[int, Samples]]:
    """``(offset, envelope)`` for stretches of ``padded[C:-C]`` that may peak over ``threshold``.

    The stretches left out provably stay at or under it (see :func:`_interpolator`).
    """
    inner = len(padded) - 2 * TRUE_PEAK_CONTEXT
    if inner <= 0:
        return
    _, bound = _interpolator()
    size = _SCREEN_BLOCK
    peaks = np.maximum.reduceat(np.abs(padded), np.arange(0, len(padded), size))
    reach = np.maximum(peaks, np.append(peaks[1:], 0.0))[: -(-inner // size)]
    selected = np.flatnonzero(reach * bound > threshold)
    for run in np.split(selected, np.flatnonzero(np.diff(selected) > 1) + 1):
        if run.size:
            start, stop = int(run[0]) * size, min(int(run[-1] + 1) * size, inner)
            yield start, true_peak_envelope(padded[start : stop + 2 * TRUE_PEAK_CONTEXT])


class TruePeakMeter:
    """The maximum true peak of a stream of blocks, silent before and after."""

    def __init__(self) -> None:
        self._held: Samples = np.zeros(2 * TRUE_PEAK_CONTEXT, dtype=np.float32)
        self.peak = 0.0

    def feed(self, block: Samples) -> None:
        buffer = np.concatenate([self._held, block.astype(np.float32, copy=False)])
        if len(buffer) <= 2 * TRUE_PEAK_CONTEXT:
            self._held = buffer
            return
        for _, envelope in true_peak_runs(buffer, self.peak):
            self.peak = max(self.peak, float(envelope.max()))
        self._held = buffer[-2 * TRUE_PEAK_CONTEXT :]

    def finish(self) -> float:
        """The true peak in dBTP, after flushing the last samples."""
        self.feed(np.zeros(TRUE_PEAK_CONTEXT, dtype=np.float32))
        return to_db(self.peak)


def k_weighting(rate: int) -> tuple[Section, Section]:
    """BS.1770's K-weighting at ``rate``: a +4 dB shelf above 1.5 kHz, then a 38 Hz high-pass.

    The coefficients follow the Audio EQ Cookbook for any sample rate, as
    pyloudnorm computes them (at 48 kHz the shelf is within 1e-4 of the
    standard's table; the high-pass differs by its passband gain, about 0.04 dB).
    """
    shelf_gain = 10 ** (4.0 / 40)
    w, q = 2 * math.pi * 1500.0 / rate, 1 / math.sqrt(2)
    cos, root = math.cos(w), 2 * math.sqrt(shelf_gain) * math.sin(w) / (2 * q)
    up, down = shelf_gain + 1, shelf_gain - 1
    shelf = Section(
        (
            shelf_gain * (up + down * cos + root),
            -2 * shelf_gain * (down + up * cos),
            shelf_gain * (up + down * cos - root),
        ),
        (up - down * cos + root, 2 * (down - up * cos), up - down * cos - root),
    )
    w = 2 * math.pi * 38.0 / rate
    alpha, cos = math.sin(w) / (2 * 0.5), math.cos(w)
    high_pass = Section(
        ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha)
    )
    return shelf, high_pass


class Section:
    """A second-order IIR filter run over a stream block by block, carrying its state.

    Each block is solved exactly as the recurrence defines it, by forward
    substitution in LAPACK's banded triangular solver (``scipy.linalg`` is far
    lighter to load than ``scipy.signal``, which a render process then never needs).
    """

    def __init__(self, b: tuple[float, float, float], a: tuple[float, float, float]) -> None:
        self.b = np.array(b) / a[0]
        self.a = np.array(a) / a[0]
        self._inputs = np.zeros(2)  # the last two, oldest first
        self._outputs = np.zeros(2)
        self._band = np.zeros((3, 0), order="F")

    def __call__(self, block: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        from scipy.linalg.lapack import dtbtrs

        n = len(block)
        if n == 0:
            return np.zeros(0)
        inputs = np.concatenate([self._inputs, block])
        rhs = np.convolve(inputs, self.b, mode="valid")  # b0 x[n] + b1 x[n-1] + b2 x[n-2]
        rhs[0] -= self.a[1] * self._outputs[1] + self.a[2] * self._outputs[0]
        if n > 1:
            rhs[1] -= self.a[2] * self._outputs[1]
        out, info = dtbtrs(self._lower_band(n), rhs, uplo="L", diag="U")
        if info != 0:  # only an argument error can cause this
            raise ValueError(f"LAPACK dtbtrs failed with info={info}")
        self._inputs = inputs[-2:]
        self._outputs = np.concatenate([self._outputs, out])[-2:]
        return np.asarray(out, dtype=np.float64)

    def _lower_band(self, n: int) -> npt.NDArray[np.float64]:
        """The recurrence's unit lower-triangular matrix in LAPACK band storage, ``n`` wide."""
        if self._band.shape[1] < n:
            self._band = np.asfortranarray(np.repeat(self.a[:, None], n, axis=1))
        return self._band[:, :n]


class LoudnessMeter:
    """Integrated loudness (LUFS) of a mono stream, gated as BS.1770-4 prescribes."""

    def __init__(self, rate: int) -> None:
        self._sections = k_weighting(rate)
        self._hop = round(0.1 * rate)
        self._carry = np.zeros(0)
        self._hop_energy: list[npt.NDArray[np.float64]] = []

    def feed(self, block: Samples) -> None:
        weighted = block.astype(np.float64)
        for section in self._sections:
            weighted = section(weighted)
        squares = np.concatenate([self._carry, weighted * weighted])
        whole = len(squares) // self._hop * self._hop
        self._hop_energy.append(squares[:whole].reshape(-1, self._hop).sum(axis=1))
        self._carry = squares[whole:]

    def integrated(self) -> float:
        """Gated loudness in LUFS; ``-inf`` when nothing passes the gates."""
        hops = np.concatenate(self._hop_energy) if self._hop_energy else np.zeros(0)
        if len(hops) < _BLOCK_HOPS:
            return -math.inf
        windows = np.lib.stride_tricks.sliding_window_view(hops, _BLOCK_HOPS)
        blocks = windows.sum(axis=1) / (_BLOCK_HOPS * self._hop)
        return _gated_loudness(blocks)


def _loudness(mean_square: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        return np.asarray(-0.691 + 10.0 * np.log10(mean_square), dtype=np.float64)


def _gated_loudness(blocks: npt.NDArray[np.float64]) -> float:
    audible = blocks[_loudness(blocks) > _ABSOLUTE_GATE]
    if audible.size == 0:
        return -math.inf
    relative = float(_loudness(audible.mean())) + _RELATIVE_GATE
    kept = audible[_loudness(audible) > relative]
    return float(_loudness(kept.mean())) if kept.size else -math.inf


class SilenceMeter:
    """Silent stretches, in frames of ``frame_seconds`` quieter than ``threshold_db``."""

    def __init__(self, rate: int, threshold_db: float = -50.0, frame_seconds: float = 0.05):
        self._frame = max(1, round(frame_seconds * rate))
        self._rate = rate
        self._threshold = 10 ** (threshold_db / 20.0)
        self._carry = np.zeros(0, dtype=np.float32)
        self._quiet: list[npt.NDArray[np.bool_]] = []

    def feed(self, block: Samples) -> None:
        samples = np.concatenate([self._carry, block.astype(np.float32, copy=False)])
        whole = len(samples) // self._frame * self._frame
        frames = samples[:whole].reshape(-1, self._frame).astype(np.float64)
        self._quiet.append(np.sqrt((frames * frames).mean(axis=1)) < self._threshold)
        self._carry = samples[whole:]

    def summary(self) -> tuple[float, float, float]:
        """``(longest silence s, where it starts s, share of frames silent)``."""
        quiet = np.concatenate(self._quiet) if self._quiet else np.zeros(0, dtype=bool)
        if quiet.size == 0:
            return 0.0, 0.0, 0.0
        start, length = _longest_run(quiet)
        seconds = self._frame / self._rate
        return length * seconds, start * seconds, float(quiet.mean())


def _longest_run(flags: npt.NDArray[np.bool_]) -> tuple[int, int]:
    """Start and length of the longest run of ``True``."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size == 0:
        return 0, 0
    best = int(np.argmax(ends - starts))
    return int(starts[best]), int(ends[best] - starts[best])


@dataclass(frozen=True)
class AudioReport:
    """What a player would get from an MP3."""

    duration_seconds: float
    sample_rate: int
    loudness_lufs: float
    true_peak_dbtp: float
    longest_silence_seconds: float
    longest_silence_at: float
    silence_share: float
    clipped_share: float


def decode_blocks(mp3: bytes) -> tuple[int, Iterator[Samples]]:
    """The MP3's sample rate and its mono float32 samples, block by block."""
    import miniaudio

    try:
        info = miniaudio.mp3_get_info(mp3)
    except miniaudio.MiniaudioError as exc:
        raise AudioQualityError(
            "The episode file cannot be played: it is not a valid MP3."
        ) from exc
    stream = miniaudio.stream_memory(
        mp3,
        output_format=miniaudio.SampleFormat.FLOAT32,
        nchannels=1,
        sample_rate=info.sample_rate,
        frames_to_read=_DECODE_FRAMES,
    )
    return info.sample_rate, (np.frombuffer(chunk, dtype=np.float32) for chunk in stream)


def measure(rate: int, blocks: Iterable[Samples]) -> AudioReport:
    """Measure decoded mono audio arriving in blocks."""
    loudness, peak, silence = LoudnessMeter(rate), TruePeakMeter(), SilenceMeter(rate)
    frames = clipped = 0
    for block in blocks:
        frames += len(block)
        clipped += int(np.count_nonzero(np.abs(block) >= _CLIP_LEVEL))
        for meter in (loudness, peak, silence):
            meter.feed(block)
    longest, at, share = silence.summary()
    return AudioReport(
        duration_seconds=frames / rate,
        sample_rate=rate,
        loudness_lufs=loudness.integrated(),
        true_peak_dbtp=peak.finish(),
        longest_silence_seconds=longest,
        longest_silence_at=at,
        silence_share=share,
        clipped_share=clipped / frames if frames else 0.0,
    )


def inspect(mp3: bytes) -> AudioReport:
    """Decode ``mp3`` and measure it; :class:`AudioQualityError` if it cannot be decoded."""
    rate, blocks = decode_blocks(mp3)
    return measure(rate, blocks)


def confirm(mp3: bytes, measured: AudioReport, audio_sha256: str) -> None:
    """Raise :class:`AudioQualityError` unless ``mp3`` is the measured audio behind an ID3 tag.

    ``audio_sha256`` is the SHA-256 of the audio frames that were decoded into
    ``measured``; the frames after the tag must hash to it, and a player's parse
    of the whole file must find ``measured``'s length, rate and one channel.
    """
    import miniaudio

    frames = mp3[id3_length(mp3) :]
    if hashlib.sha256(frames).hexdigest() != audio_sha256:
        raise AudioQualityError("The stored episode is not the audio that passed its check.")
    try:
        info = miniaudio.mp3_get_info(mp3)
    except miniaudio.MiniaudioError as exc:
        raise AudioQualityError(
            "The episode file cannot be played: it is not a valid MP3."
        ) from exc
    expected = round(measured.duration_seconds * measured.sample_rate)
    if (info.nchannels, info.sample_rate, info.num_frames) != (1, measured.sample_rate, expected):
        raise AudioQualityError(
            f"A player reads the episode as {info.num_frames} frames at {info.sample_rate} Hz "
            f"in {info.nchannels} channel(s), not the {expected} mono frames that were checked."
        )


def id3_length(data: bytes) -> int:
    """Bytes an ID3v2 tag takes at the start of ``data`` (0 when there is none)."""
    if len(data) < 10 or not data.startswith(b"ID3") or any(b >= 0x80 for b in data[6:10]):
        return 0
    size = 0
    for byte in data[6:10]:  # "syncsafe": seven bits a byte, so no byte looks like a frame sync
        size = size << 7 | byte
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def check(
    report: AudioReport,
    expected_seconds: float | None,
    tolerance: float = 0.2,
    *,
    target_lufs: float = -16.0,
    loudness_tolerance: float = 1.0,
    max_true_peak_dbtp: float = -1.0,
    max_silence_seconds: float = 4.0,
    max_silence_share: float = 0.4,
    max_clipped_share: float = 1e-4,
) -> None:
    """Raise :class:`AudioQualityError` naming every way ``report`` falls short."""
    problems = [
        *_duration_problems(report, expected_seconds, tolerance),
        *_silence_problems(report, max_silence_seconds, max_silence_share),
        *_level_problems(report, target_lufs, loudness_tolerance, max_true_peak_dbtp),
    ]
    if report.clipped_share > max_clipped_share:
        problems.append(
            f"the sound is distorted: {report.clipped_share:.2%} of samples are clipped"
        )
    if problems:
        raise AudioQualityError("The episode did not pass its audio check: " + "; ".join(problems))


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _duration_problems(report: AudioReport, expected: float | None, tolerance: float) -> list[str]:
    actual = report.duration_seconds
    if actual < 1.0:
        return ["the episode has no audio"]
    if expected is None:
        return []
    if actual < expected * (1 - tolerance):
        return [f"it stops at {_clock(actual)}, short of the expected {_clock(expected)}"]
    if actual > expected * (1 + tolerance):
        return [f"it runs {_clock(actual)}, well over the expected {_clock(expected)}"]
    return []


def _silence_problems(report: AudioReport, longest: float, share: float) -> list[str]:
    problems = []
    if report.longest_silence_seconds > longest:
        problems.append(
            f"it goes silent for {report.longest_silence_seconds:.0f} s "
            f"at {_clock(report.longest_silence_at)}"
        )
    if report.silence_share > share:
        problems.append(f"{report.silence_share:.0%} of it is silence")
    return problems


def _level_problems(report: AudioReport, target: float, tolerance: float, peak: float) -> list[str]:
    problems = []
    loudness = report.loudness_lufs
    if not math.isfinite(loudness) or abs(loudness - target) > tolerance:
        quality = "too quiet" if not loudness > target else "too loud"
        problems.append(f"it is {quality} ({loudness:.1f} LUFS; the target is {target:g} LUFS)")
    if report.true_peak_dbtp > peak:
        problems.append(
            f"its peaks reach {report.true_peak_dbtp:.1f} dBTP, above the {peak:g} dBTP limit"
        )
    return problems
