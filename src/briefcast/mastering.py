"""Mastering: rendered turns in, a finished episode out.

Turns are laid end to end on a sample-exact :class:`Timeline` with natural
pauses, brought to the loudness target (BS.1770 integrated loudness, allowing
for the encoder's own measured gain), held under the true-peak ceiling by a
look-ahead limiter, encoded as constant bit-rate mono MP3 and decoded again
while it is encoded. Encoding moves peaks, so when the decoded episode misses
its peak or loudness target the pass is repeated with a tighter ceiling or a
corrected gain. The MP3 is tagged with ID3v2.3 chapters; the transcript and
chapter files are timed from the voice's word timings on the same timeline.

Everything here is pure: bytes and numbers in, bytes and numbers out. The
episode is never held whole in memory; it is produced block by block from the
turns' samples, which the timeline keeps as 16-bit integers whenever that is
exact (always, for eSpeak and for audio read from the segment cache): about
35 MB for a weekly episode, and about 25 MB more while it is encoded.

Default format: 22.05 kHz, 64 kbit/s CBR mono (MPEG-2 layer III). The offline
voice renders at 22.05 kHz, so nothing is resampled; speech carries little
above 10 kHz, which this rate keeps; 64 kbit/s carries one voice cleanly,
plays everywhere, and keeps a 15-minute episode near 7 MB. Richer voices can
use ``MasteringSettings(sample_rate=44_100, bitrate_kbps=96)``.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from briefcast import audio_qa
from briefcast.errors import ConfigurationError
from briefcast.limiter import Limiter, PeakMap, peak_map
from briefcast.mp3 import Mp3Format, codec_gain_db, encode_and_inspect, tag_mp3
from briefcast.scripts import Segment, Turn
from briefcast.transcripts import (
    Chapter,
    Heard,
    chapters_json,
    place_chapters,
    place_cues,
    webvtt,
)
from briefcast.voices import Rendered, WordTiming

__all__ = [
    "Chapter",
    "EpisodeMeta",
    "MasteredEpisode",
    "MasteringSettings",
    "Placement",
    "SpokenSegment",
    "Timeline",
    "heard",
    "join",
    "master",
    "pause_seconds",
    "plan",
]

Samples = npt.NDArray[np.float32]
Pcm = npt.NDArray[np.int16]

_BLOCK = 1 << 16
_GAIN_ROUNDS = 2
_GAIN_PRECISION = 0.1  # LU
_PEAK_STEP_DB = 0.1  # extra tightening beyond the measured overshoot
_LOUDNESS_SLACK = 0.5  # LU the decoded episode may miss by before another pass
_PEAK_MAP_SLACK_DB = 3.0
_PCM_STEP = np.float32(1 / 32768)  # a power of two: int16 to float32 and back is exact


@dataclass(frozen=True, eq=False)
class SpokenSegment:
    """A segment of the script with the audio of each of its turns, in order."""

    segment: Segment
    audio: tuple[Rendered, ...]

    def __post_init__(self) -> None:
        if not self.segment.turns:
            raise ValueError(f"segment {self.segment.title!r} has no turns")
        if len(self.audio) != len(self.segment.turns):
            raise ValueError(
                f"segment {self.segment.title!r} has {len(self.segment.turns)} turns "
                f"but {len(self.audio)} renders"
            )


@dataclass(frozen=True)
class EpisodeMeta:
    """What the ID3 tags say about the episode."""

    title: str
    show: str
    date: date
    description: str
    disclosure: str
    artist: str
    url: str | None = None


@dataclass(frozen=True)
class MasteringSettings:
    """Targets and timing of the master; the defaults suit a spoken podcast."""

    sample_rate: int = 22_050
    bitrate_kbps: int = 64
    target_lufs: float = -16.0
    ceiling_dbtp: float = -1.0
    #: Headroom below the ceiling for the encoder's overshoot on the first pass. Over
    #: speech at 64 kbit/s the decoded peak lands 0.5-1.3 dB above the limiter's
    #: ceiling; 1.5 dB keeps nearly every episode to one encode (a second costs as much
    #: again) for 0.5 dB more limiting on the loudest peaks than 1 dB would need.
    peak_margin_db: float = 1.5
    #: How far under the ceiling the decoded episode's true peak must measure. Meters
    #: with other 4x interpolators read speech peaks up to about 0.05 dB apart, so a
    #: peak that only just passes here could read over the ceiling elsewhere.
    meter_margin_db: float = 0.1
    #: Encode passes allowed to bring the decoded MP3 onto its peak and loudness targets.
    max_passes: int = 3
    turn_pause: tuple[float, float] = (0.3, 0.5)
    speaker_change_pause: float = 0.1
    segment_pause: float = 1.0
    lead_in: float = 0.3
    tail: float = 0.8
    #: Limiter gain ramps (attack and release) and hold, in milliseconds. The
    #: hold outlasts one pitch period of a low voice, so the gain does not ripple
    #: at the voice's own frequency.
    limiter_ramp_ms: float = 10.0
    limiter_hold_ms: float = 20.0
    #: LAME's algorithm quality, 2 (best) to 7 (fastest). 5 is LAME's own default;
    #: 7 masters a weekly episode about a fifth faster, without noise shaping.
    encoder_quality: int = 5

    def __post_init__(self) -> None:
        Mp3Format(self.sample_rate, self.bitrate_kbps, self.encoder_quality)  # raises if invalid
        low, high = self.turn_pause
        gaps = (low, self.speaker_change_pause, self.segment_pause, self.lead_in, self.tail)
        if min(gaps) < 0 or low > high:
            raise ConfigurationError("pauses must be non-negative, the shortest turn pause first")
        if self.meter_margin_db < 0:
            raise ConfigurationError("the meter margin must not be negative")
        if self.limiter_ramp_ms <= 0 or self.limiter_hold_ms < 0 or self.max_passes < 1:
            raise ConfigurationError("the limiter needs a ramp, a hold and at least one pass")

    @property
    def mp3_format(self) -> Mp3Format:
        return Mp3Format(self.sample_rate, self.bitrate_kbps, self.encoder_quality)


@dataclass(frozen=True, eq=False)
class MasteredEpisode:
    """The finished episode: a tagged MP3 and what was measured on it."""

    mp3: bytes
    duration_seconds: float
    chapters: tuple[Chapter, ...]
    vtt: str
    chapters_json: str
    loudness_lufs: float
    true_peak_dbtp: float
    sample_rate: int
    bitrate_kbps: int
    #: Everything measured on the decoded audio frames (before tagging).
    report: audio_qa.AudioReport
    #: The length the turns and pauses were laid out to, before the encoder's padding.
    planned_seconds: float
    #: SHA-256 (hex) of the audio frames that were decoded and measured.
    audio_sha256: str


@dataclass(frozen=True, eq=False)
class Placement:
    """One turn on the timeline: its audio begins ``start`` samples in.

    ``samples`` are at the episode's rate: float32, or int16 (read as ``k / 32768``)
    when the voice's audio is exactly 16-bit, which halves what a long episode holds.
    """

    segment: int
    turn: Turn
    words: tuple[WordTiming, ...]
    duration: float
    samples: Samples | Pcm
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.samples)


@dataclass(frozen=True, eq=False)
class Timeline:
    """Turns laid end to end with pauses; silence wherever no turn is placed."""

    rate: int
    placements: tuple[Placement, ...]
    total: int
    segments: tuple[Segment, ...] = ()

    @functools.cached_property
    def _ends(self) -> list[int]:
        return [placement.end for placement in self.placements]

    @property
    def seconds(self) -> float:
        return self.total / self.rate

    def window(self, start: int, stop: int) -> Samples:
        """A fresh copy of samples ``[start, stop)``; zeros outside the episode."""
        out = np.zeros(max(0, stop - start), dtype=np.float32)
        for placement in self.placements[bisect.bisect_right(self._ends, start) :]:
            if placement.start >= stop:
                break
            a, b = max(start, placement.start), min(stop, placement.end)
            out[a - start : b - start] = placement.samples[
                a - placement.start : b - placement.start
            ]
            if placement.samples.dtype == np.int16:
                out[a - start : b - start] *= _PCM_STEP
        return out

    def blocks(self, limiter: Limiter | None = None) -> Iterator[Samples]:
        """The episode in consecutive blocks, through ``limiter`` (its gain, then its limit)."""
        for start in range(0, self.total, _BLOCK):
            block = self.window(start, min(start + _BLOCK, self.total))
            if limiter is not None:
                block *= np.float32(limiter.gain)
                limiter.apply(block, start)
            yield block


def pause_seconds(
    previous: Turn, turn: Turn, new_segment: bool, settings: MasteringSettings
) -> float:
    """The silence before ``turn``: a fixed gap between segments, else a varied breath.

    Within a segment the gap varies with a hash of the text (the same script
    always sounds the same) and grows a little when the speaker changes.
    """
    if new_segment:
        return settings.segment_pause
    low, high = settings.turn_pause
    spread = zlib.crc32(turn.text.encode("utf-8")) / 2**32
    change = settings.speaker_change_pause if turn.speaker != previous.speaker else 0.0
    return low + (high - low) * spread + change


def _conform(rendered: Rendered, rate: int) -> Samples:
    """The turn's samples at ``rate``, resampled with a polyphase filter when needed."""
    samples = np.asarray(rendered.samples, dtype=np.float32)
    if rendered.sample_rate == rate:
        return samples
    from scipy.signal import resample_poly

    common = math.gcd(rate, rendered.sample_rate)
    resampled = resample_poly(samples, rate // common, rendered.sample_rate // common)
    return np.asarray(resampled, dtype=np.float32)


def _compact(samples: Samples) -> Samples | Pcm:
    """``samples`` as int16 when that loses nothing (16-bit voices, cached audio), else as is."""
    if not len(samples) or not float(np.abs(samples).max()) < 1.0:  # also refuses NaN
        return samples
    scaled = samples * np.float32(32768)  # exact: a power of two
    pcm = scaled.astype(np.int16)  # truncates whatever is not a 16-bit code ...
    return pcm if np.array_equal(pcm, scaled) else samples  # ... which this then sees


def plan(segments: Iterable[SpokenSegment], settings: MasteringSettings) -> Timeline:
    """Place every turn: lead-in, turns with pauses between them, tail.

    ``segments`` are read once, in order; the timeline keeps its own (compact) copy
    of the audio, so a caller may hand them over one at a time and let each go.
    """
    rate = settings.sample_rate
    position = round(settings.lead_in * rate)
    placements: list[Placement] = []
    script: list[Segment] = []
    for index, spoken in enumerate(segments):
        script.append(spoken.segment)
        for number, (turn, rendered) in enumerate(
            zip(spoken.segment.turns, spoken.audio, strict=True)
        ):
            if placements:
                previous = placements[-1].turn
                position += round(pause_seconds(previous, turn, number == 0, settings) * rate)
            samples = _compact(_conform(rendered, rate))
            placements.append(
                Placement(index, turn, rendered.words, rendered.duration, samples, position)
            )
            position += len(samples)
    return Timeline(rate, tuple(placements), position + round(settings.tail * rate), tuple(script))


def heard(timeline: Timeline) -> list[Heard]:
    """Each placed turn with its offset in seconds, for the transcript and chapters."""
    return [
        Heard(
            segment=p.segment,
            offset=p.start / timeline.rate,
            duration=p.duration,
            speaker=p.turn.speaker,
            text=p.turn.text,
            words=p.words,
        )
        for p in timeline.placements
    ]


def join(timeline: Timeline) -> Samples:
    """The whole episode as one array (tests and short clips; mastering streams)."""
    return timeline.window(0, timeline.total)


def _loudness(blocks: Iterator[Samples], rate: int) -> float:
    meter = audio_qa.LoudnessMeter(rate)
    for block in blocks:
        meter.feed(block)
    return meter.integrated()


@dataclass(frozen=True)
class _Levels:
    """Where one pass puts the level before encoding: a gain, then the limiter."""

    gain_db: float
    ceiling_dbtp: float

    @property
    def gain(self) -> float:
        return float(10 ** (self.gain_db / 20.0))

    def retuned(self, correction_db: float) -> _Levels:
        return _Levels(self.gain_db + correction_db, self.ceiling_dbtp)


class _Leveller:
    """Finds the gain and limiter curve that land the encoded episode on its targets."""

    def __init__(self, timeline: Timeline, settings: MasteringSettings) -> None:
        self._timeline = timeline
        self._settings = settings
        rate = timeline.rate
        self._ramp = max(1, round(settings.limiter_ramp_ms / 1000 * rate))
        self._hold = round(settings.limiter_hold_ms / 1000 * rate)
        self._codec_db = codec_gain_db(settings.mp3_format)
        self.raw_lufs = _loudness(timeline.blocks(), rate)
        self._peaks: PeakMap | None = None

    def first_levels(self) -> _Levels:
        """Gain to the target (before the codec's own gain) and the ceiling with margin."""
        settings = self._settings
        ceiling = settings.ceiling_dbtp - settings.peak_margin_db - self._codec_db
        if not math.isfinite(self.raw_lufs):
            return _Levels(0.0, ceiling)
        return _Levels(settings.target_lufs - self._codec_db - self.raw_lufs, ceiling)

    def limiter(self, levels: _Levels) -> Limiter:
        floor_db = levels.ceiling_dbtp - levels.gain_db
        if self._peaks is None or 10 ** (floor_db / 20.0) < self._peaks.floor:
            # Map a little below today's need, so later corrections reuse the map.
            floor = 10 ** ((floor_db - _PEAK_MAP_SLACK_DB) / 20.0)
            self._peaks = peak_map(self._timeline.window, self._timeline.total, floor)
        return Limiter(self._peaks, levels.gain, levels.ceiling_dbtp, self._ramp, self._hold)

    def settle(self, levels: _Levels) -> tuple[_Levels, Limiter]:
        """Correct the gain until the limited signal measures on target.

        Limiting costs loudness, and more gain means more limiting, so the
        correction is a secant step on the measured loudness. The last step is
        not measured here; the decoded MP3 is, and its loudness is reported.
        """
        limiter = self.limiter(levels)
        if not math.isfinite(self.raw_lufs):
            return levels, limiter
        goal = self._settings.target_lufs - self._codec_db
        slope = 1.0
        previous: tuple[float, float] | None = None
        for _ in range(_GAIN_ROUNDS):
            limited = _loudness(self._timeline.blocks(limiter), self._timeline.rate)
            if abs(goal - limited) <= _GAIN_PRECISION:
                break
            if previous is not None and levels.gain_db != previous[0]:
                slope = (limited - previous[1]) / (levels.gain_db - previous[0])
                slope = min(max(slope, 0.2), 1.0)
            previous = (levels.gain_db, limited)
            levels = levels.retuned((goal - limited) / slope)
            limiter = self.limiter(levels)
        return levels, limiter


def _encode_within_limits(
    timeline: Timeline, settings: MasteringSettings
) -> tuple[bytes, audio_qa.AudioReport]:
    """Level, limit and encode; encode again while the decoded MP3 misses its targets.

    A peak over the ceiling (less the meter margin) tightens the limiter by
    the overshoot; loudness
    off by more than :data:`_LOUDNESS_SLACK` corrects the gain. Passes are
    limited; whatever the last one measured is returned for the QA check.
    """
    leveller = _Leveller(timeline, settings)
    levels = leveller.first_levels()
    for _ in range(settings.max_passes):
        levels, limiter = leveller.settle(levels)
        mp3, report = encode_and_inspect(timeline.blocks(limiter), settings.mp3_format)
        over = report.true_peak_dbtp - (settings.ceiling_dbtp - settings.meter_margin_db)
        off = settings.target_lufs - report.loudness_lufs
        off = off if math.isfinite(off) and abs(off) > _LOUDNESS_SLACK else 0.0
        if not over > 0 and off == 0.0:
            break
        ceiling = levels.ceiling_dbtp - (over + _PEAK_STEP_DB if over > 0 else 0.0)
        levels = _Levels(levels.gain_db + off, ceiling)
    return mp3, report


def _tagged(audio: bytes, meta: EpisodeMeta, chapters: Sequence[Chapter], duration: float) -> bytes:
    return tag_mp3(
        audio,
        title=meta.title,
        album=meta.show,
        artist=meta.artist,
        day=meta.date,
        # The unnamed comment is the one players show, so it carries the disclosure.
        comments=[("", meta.disclosure), ("description", meta.description)],
        length_seconds=duration,
        chapters=chapters,
        url=meta.url,
    )


def master(
    segments: Iterable[SpokenSegment],
    meta: EpisodeMeta,
    settings: MasteringSettings = MasteringSettings(),
) -> MasteredEpisode:
    """Master an episode; the duration, loudness and peak are measured on the decoded MP3.

    ``segments`` are read once (see :func:`plan`).
    """
    timeline = plan(segments, settings)
    turns, planned = heard(timeline), timeline.seconds
    titles = [(segment.title, segment.bill_id) for segment in timeline.segments]
    audio, report = _encode_within_limits(timeline, settings)
    del timeline  # the episode's samples: the rest needs only the turns' timings
    duration = report.duration_seconds
    chapters = place_chapters(turns, titles, duration)
    return MasteredEpisode(
        mp3=_tagged(audio, meta, chapters, duration),
        duration_seconds=duration,
        chapters=chapters,
        vtt=webvtt(place_cues(turns, duration)),
        chapters_json=chapters_json(chapters),
        loudness_lufs=report.loudness_lufs,
        true_peak_dbtp=report.true_peak_dbtp,
        sample_rate=report.sample_rate,
        bitrate_kbps=settings.bitrate_kbps,
        report=report,
        planned_seconds=planned,
        audio_sha256=hashlib.sha256(audio).hexdigest(),
    )
