"""Mastering with the tone voice: joins, pauses, loudness, peaks, tags, transcript, chapters."""

from __future__ import annotations

import io
import itertools
import json
import math
import re
from datetime import date

import miniaudio
import numpy as np
import pyloudnorm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.id3 import ID3, CTOCFlags
from scipy.signal import resample_poly

from briefcast.audio_qa import check, inspect
from briefcast.errors import AudioQualityError, ConfigurationError
from briefcast.mastering import (
    EpisodeMeta,
    MasteredEpisode,
    MasteringSettings,
    SpokenSegment,
    join,
    master,
    pause_seconds,
    plan,
)
from briefcast.scripts import Segment, Turn
from briefcast.testing import ToneVoice
from briefcast.voices import Rendered

META = EpisodeMeta(
    title="Your daily brief",
    show="briefcast",
    date=date(2025, 3, 4),
    description="Two bills on broadband and veterans.",
    disclosure="The voices in this episode are synthetic.",
    artist="Maya and Theo",
    url="https://example.org/episodes/1",
)

SCRIPT = (
    Segment(
        "intro",
        "Welcome",
        (
            Turn("Maya", "Good morning and welcome. Today we have two bills for you."),
            Turn("Theo", "Let us start with broadband."),
        ),
    ),
    Segment(
        "bill",
        "Rural broadband grants",
        (
            Turn("Maya", "The first bill changes how grants for rural broadband are awarded."),
            Turn("Theo", "Who can apply? Counties and co-ops, under H.R. 1234."),
            Turn("Theo", "It passed the House on Tuesday."),
        ),
        bill_id="119-hr-1234",
    ),
    Segment("outro", "Goodbye", (Turn("Maya", "That is all for today. See you tomorrow."),)),
)


def spoken(voice: ToneVoice, segments: tuple[Segment, ...] = SCRIPT) -> list[SpokenSegment]:
    return [SpokenSegment(s, tuple(voice.render(s.turns))) for s in segments]


@pytest.fixture(scope="module")
def episode() -> MasteredEpisode:
    return master(spoken(ToneVoice()), META)


def decoded(mp3: bytes) -> tuple[np.ndarray, int]:
    """The MP3 decoded with miniaudio directly, at its own rate."""
    info = miniaudio.mp3_get_info(mp3)
    sound = miniaudio.decode(
        mp3,
        output_format=miniaudio.SampleFormat.FLOAT32,
        nchannels=1,
        sample_rate=info.sample_rate,
    )
    return np.frombuffer(sound.samples, dtype=np.float32), info.sample_rate


# -- joins and pauses --------------------------------------------------------------------


def fake_segments(lengths: list[list[int]], rate: int = 22_050) -> list[SpokenSegment]:
    """Segments whose turns are ramps of the given lengths (distinct values to find them)."""
    segments = []
    for s, turn_lengths in enumerate(lengths):
        turns = tuple(
            Turn("Maya" if t % 2 else "Theo", f"s{s} t{t} n{n}") for t, n in enumerate(turn_lengths)
        )
        audio = tuple(
            Rendered(np.linspace(0.1, 0.5, n, dtype=np.float32) + 0.001 * t, rate)
            for t, n in enumerate(turn_lengths)
        )
        segments.append(SpokenSegment(Segment("bill", f"Segment {s}", turns), audio))
    return segments


lengths_strategy = st.lists(
    st.lists(st.integers(0, 3000), min_size=1, max_size=4), min_size=1, max_size=4
)


def sixteen_bit(segments: list[SpokenSegment]) -> list[SpokenSegment]:
    """The same segments with every sample rounded to a 16-bit step, as eSpeak renders."""
    return [
        SpokenSegment(
            s.segment,
            tuple(
                Rendered(np.round(r.samples * 32768).astype(np.float32) / 32768, r.sample_rate)
                for r in s.audio
            ),
        )
        for s in segments
    ]


@given(lengths_strategy, st.booleans())
@settings(max_examples=60, deadline=None)
def test_join_is_sample_exact(lengths: list[list[int]], pcm: bool) -> None:
    config = MasteringSettings()
    segments = fake_segments(lengths)
    if pcm:
        segments = sixteen_bit(segments)
    timeline = plan(iter(segments), config)
    audio = join(timeline)
    parts = sum(sum(turns) for turns in lengths)
    gaps = [b.start - a.end for a, b in itertools.pairwise(timeline.placements)]
    lead, tail = round(0.3 * 22_050), round(0.8 * 22_050)
    assert len(audio) == timeline.total == parts + sum(gaps) + lead + tail
    silence = np.ones(len(audio), dtype=bool)
    renders = [r for s in segments for r in s.audio]
    for placement, rendered in zip(timeline.placements, renders, strict=True):
        assert placement.end - placement.start == len(rendered.samples)
        np.testing.assert_array_equal(audio[placement.start : placement.end], rendered.samples)
        silence[placement.start : placement.end] = False
    assert not audio[silence].any()


def test_sixteen_bit_audio_is_held_at_half_the_size_and_other_audio_as_it_is() -> None:
    segments = fake_segments([[1000, 2000]])
    floats = plan(segments, MasteringSettings()).placements
    pcm = plan(sixteen_bit(segments), MasteringSettings()).placements
    assert [p.samples.dtype for p in floats] == [np.float32, np.float32]
    assert [p.samples.dtype for p in pcm] == [np.int16, np.int16]
    loud = Rendered(np.full(100, 1.0, np.float32), 22_050)  # full scale has no int16 code
    segment = SpokenSegment(Segment("intro", "Hi", (Turn("Maya", "Hello."),)), (loud,))
    assert plan([segment], MasteringSettings()).placements[0].samples.dtype == np.float32


@given(lengths_strategy)
@settings(max_examples=40, deadline=None)
def test_pauses_are_breaths_within_segments_and_a_second_between(lengths: list[list[int]]) -> None:
    timeline = plan(fake_segments(lengths), MasteringSettings())
    for a, b in itertools.pairwise(timeline.placements):
        gap = (b.start - a.end) / 22_050
        if a.segment != b.segment:
            assert gap == pytest.approx(1.0, abs=1 / 22_050)
        elif a.turn.speaker == b.turn.speaker:
            assert 0.3 - 1e-4 <= gap <= 0.5 + 1e-4
        else:
            assert 0.4 - 1e-4 <= gap <= 0.6 + 1e-4


@given(lengths_strategy, st.booleans(), st.data())
@settings(max_examples=40, deadline=None)
def test_blocks_and_windows_are_slices_of_the_join(
    lengths: list[list[int]], pcm: bool, data: st.DataObject
) -> None:
    segments = fake_segments(lengths)
    timeline = plan(sixteen_bit(segments) if pcm else segments, MasteringSettings())
    whole = join(timeline)
    np.testing.assert_array_equal(np.concatenate(list(timeline.blocks())), whole)
    start = data.draw(st.integers(-500, timeline.total + 500))
    stop = data.draw(st.integers(start, timeline.total + 1000))
    padded = np.concatenate([np.zeros(1000, np.float32), whole, np.zeros(2000, np.float32)])
    np.testing.assert_array_equal(timeline.window(start, stop), padded[start + 1000 : stop + 1000])


def test_pause_depends_on_text_and_speaker_change_only() -> None:
    config = MasteringSettings()
    before = Turn("Maya", "Anything at all.")
    turn = Turn("Maya", "The same words.")
    same = pause_seconds(before, turn, False, config)
    assert same == pause_seconds(Turn("Maya", "Other words."), turn, False, config)
    changed = pause_seconds(Turn("Theo", "Anything at all."), turn, False, config)
    assert changed == pytest.approx(same + 0.1)
    others = {
        pause_seconds(before, Turn("Maya", f"Sentence {i}."), False, config) for i in range(20)
    }
    assert len(others) > 10  # the breath varies with the text


def test_turns_at_another_rate_are_resampled_to_the_episode_rate() -> None:
    rate = 24_000
    t = np.arange(rate) / rate
    tone = Rendered((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)
    segment = SpokenSegment(Segment("intro", "Hi", (Turn("Maya", "Hello."),)), (tone,))
    placement = plan([segment], MasteringSettings()).placements[0]
    assert len(placement.samples) == 22_050  # one second at the episode's rate
    spectrum = np.abs(np.fft.rfft(placement.samples))
    assert np.argmax(spectrum) == 440  # bins are 1 Hz apart over one second


def test_spoken_segment_needs_one_render_per_turn() -> None:
    segment = SCRIPT[1]
    with pytest.raises(ValueError, match="3 turns but 1 renders"):
        SpokenSegment(segment, (Rendered(np.zeros(10, np.float32), 22_050),))


@pytest.mark.parametrize(
    "changes",
    [
        {"sample_rate": 11_000},
        {"bitrate_kbps": 320},
        {"turn_pause": (0.6, 0.3)},
        {"limiter_ramp_ms": 0.0},
        {"meter_margin_db": -0.1},
    ],
)
def test_settings_refuse_what_cannot_work(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        MasteringSettings(**changes)  # type: ignore[arg-type]


# -- the finished MP3 -------------------------------------------------------------------


def test_loudness_is_on_target_by_an_independent_meter(episode: MasteredEpisode) -> None:
    samples, rate = decoded(episode.mp3)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))
    assert loudness == pytest.approx(-16.0, abs=1.0)
    assert episode.loudness_lufs == pytest.approx(loudness, abs=0.05)


def test_true_peak_is_under_the_ceiling_by_an_independent_meter(episode: MasteredEpisode) -> None:
    samples, _ = decoded(episode.mp3)
    peak = 20 * math.log10(float(np.abs(resample_poly(samples, 4, 1)).max()))
    assert peak <= -1.0
    assert episode.true_peak_dbtp == pytest.approx(peak, abs=0.1)


def test_loud_voice_is_limited_not_clipped() -> None:
    # A click every half second, 10 dB over the tones: far over the ceiling at -16 LUFS.
    voice = ToneVoice()
    audio = []
    for segment in SCRIPT:
        rendered = voice.render(segment.turns)
        for r in rendered:
            r.samples[::11_025] = 0.95
        audio.append(SpokenSegment(segment, tuple(rendered)))
    result = master(audio, META)
    samples, _ = decoded(result.mp3)
    assert 20 * math.log10(float(np.abs(resample_poly(samples, 4, 1)).max())) <= -1.0
    assert np.count_nonzero(np.abs(samples) >= 32767 / 32768) == 0
    assert result.loudness_lufs == pytest.approx(-16.0, abs=1.0)


def test_the_true_peak_stays_a_margin_under_the_ceiling_for_other_meters() -> None:
    voice = ToneVoice()
    audio = []
    for segment in SCRIPT:
        rendered = voice.render(segment.turns)
        for r in rendered:
            r.samples[::5_000] = 0.9  # clicks far over the ceiling once brought to -16 LUFS
        audio.append(SpokenSegment(segment, tuple(rendered)))
    # No headroom on the first pass, so only the margin can push the peak further down.
    plain = master(audio, META, MasteringSettings(peak_margin_db=0.0, meter_margin_db=0.0))
    wide = master(audio, META, MasteringSettings(peak_margin_db=0.0, meter_margin_db=1.5))
    assert -2.5 < plain.true_peak_dbtp <= -1.0
    assert wide.true_peak_dbtp <= -2.5
    samples, _ = decoded(wide.mp3)
    independent = 20 * math.log10(float(np.abs(resample_poly(samples, 4, 1)).max()))
    assert independent <= -2.5 + 0.05
    assert wide.loudness_lufs == pytest.approx(-16.0, abs=0.5)


def test_duration_is_measured_from_the_decoded_mp3(episode: MasteredEpisode) -> None:
    samples, rate = decoded(episode.mp3)
    assert episode.duration_seconds == pytest.approx(len(samples) / rate, abs=1e-9)
    timeline = plan(spoken(ToneVoice()), MasteringSettings())
    # The encoder adds its delay and pads the last frame: a few tens of milliseconds.
    assert 0 <= episode.duration_seconds - timeline.total / 22_050 < 0.15
    assert episode.sample_rate == rate == 22_050
    assert episode.bitrate_kbps == 64


def test_mp3_is_constant_bit_rate_mono(episode: MasteredEpisode) -> None:
    info = miniaudio.mp3_get_info(episode.mp3)
    assert info.nchannels == 1
    audio_bytes = len(episode.mp3) - ID3(io.BytesIO(episode.mp3)).size
    # Constant 64 kbit/s: the audio's size is its duration times the bit rate.
    assert audio_bytes * 8 / 64_000 == pytest.approx(episode.duration_seconds, rel=0.02)


def test_master_is_deterministic() -> None:
    voice = ToneVoice()
    assert master(spoken(voice), META).mp3 == master(spoken(voice), META).mp3


# -- tags --------------------------------------------------------------------------------


def test_id3_tags_describe_the_episode(episode: MasteredEpisode) -> None:
    tags = ID3(io.BytesIO(episode.mp3))
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]) == "Your daily brief"
    assert str(tags["TALB"]) == "briefcast"
    assert str(tags["TPE1"]) == "Maya and Theo"
    assert str(tags["TDRC"]).startswith("2025")  # stored as TYER in v2.3
    comments = {frame.desc: str(frame) for frame in tags.getall("COMM")}
    assert comments[""] == "The voices in this episode are synthetic."
    assert comments["description"] == "Two bills on broadband and veterans."
    assert int(str(tags["TLEN"])) == round(episode.duration_seconds * 1000)
    assert tags.getall("WXXX")[0].url == "https://example.org/episodes/1"


def test_one_chapter_frame_per_segment_with_a_table_of_contents(episode: MasteredEpisode) -> None:
    tags = ID3(io.BytesIO(episode.mp3))
    chapters = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [s.title for s in SCRIPT]
    assert chapters[0].start_time == 0
    assert chapters[-1].end_time == round(episode.duration_seconds * 1000)
    for a, b in itertools.pairwise(chapters):
        assert a.end_time == b.start_time
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL
    assert toc.flags & CTOCFlags.ORDERED
    assert toc.child_element_ids == [c.element_id for c in chapters]


def test_chapters_start_just_before_their_first_words(episode: MasteredEpisode) -> None:
    timeline = plan(spoken(ToneVoice()), MasteringSettings())
    firsts = [next(p for p in timeline.placements if p.segment == i) for i in range(len(SCRIPT))]
    for chapter, first in zip(episode.chapters[1:], firsts[1:], strict=True):
        assert chapter.start == pytest.approx(first.start / 22_050 - 0.25)
    assert [c.bill_id for c in episode.chapters] == [None, "119-hr-1234", None]


def test_chapters_json_follows_podcasting_2_0(episode: MasteredEpisode) -> None:
    document = json.loads(episode.chapters_json)
    assert document["version"] == "1.2.0"
    assert [c["title"] for c in document["chapters"]] == [s.title for s in SCRIPT]
    starts = [c["startTime"] for c in document["chapters"]]
    assert starts[0] == 0
    assert starts == sorted(starts)
    assert document["chapters"][-1]["endTime"] <= episode.duration_seconds + 1e-3


# -- transcript --------------------------------------------------------------------------

CUE = re.compile(
    r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n<v ([^>]+)>(.*)</v>"
)


def parse_cues(vtt: str) -> list[tuple[float, float, str, str]]:
    cues = []
    for m in CUE.finditer(vtt):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(x) for x in m.groups()[:8])
        cues.append(
            (
                h1 * 3600 + m1 * 60 + s1 + ms1 / 1000,
                h2 * 3600 + m2 * 60 + s2 + ms2 / 1000,
                m[9],
                m[10],
            )
        )
    return cues


def test_transcript_has_one_cue_per_sentence_with_speakers(episode: MasteredEpisode) -> None:
    assert episode.vtt.startswith("WEBVTT\n\n")
    cues = parse_cues(episode.vtt)
    texts = [(speaker, text) for _, _, speaker, text in cues]
    assert texts[:3] == [
        ("Maya", "Good morning and welcome."),
        ("Maya", "Today we have two bills for you."),
        ("Theo", "Let us start with broadband."),
    ]
    assert ("Theo", "Counties and co-ops, under H.R. 1234.") in texts  # "H.R." ends no sentence
    assert len(cues) == 9


def test_cues_start_when_their_first_word_is_heard(episode: MasteredEpisode) -> None:
    timeline = plan(spoken(ToneVoice()), MasteringSettings())
    cues = parse_cues(episode.vtt)
    # Each turn's first cue begins at the turn's first tone, which starts its audio.
    turn_starts = [p.start / 22_050 for p in timeline.placements]
    assert cues[0][0] == pytest.approx(turn_starts[0], abs=0.001)
    assert cues[2][0] == pytest.approx(turn_starts[1], abs=0.001)


def test_cues_are_ordered_and_inside_the_episode(episode: MasteredEpisode) -> None:
    cues = parse_cues(episode.vtt)
    for start, end, _, _ in cues:
        assert 0 <= start < end <= episode.duration_seconds
    for (_, end, _, _), (start, _, _, _) in itertools.pairwise(cues):
        assert end <= start


def test_a_silent_episode_is_mastered_and_then_caught_by_the_check() -> None:
    silent = [
        SpokenSegment(s, tuple(Rendered(np.zeros(22_050, np.float32), 22_050) for _ in s.turns))
        for s in SCRIPT
    ]
    result = master(silent, META)
    assert result.loudness_lufs == -math.inf
    with pytest.raises(AudioQualityError, match="too quiet"):
        check(inspect(result.mp3), expected_seconds=None)
