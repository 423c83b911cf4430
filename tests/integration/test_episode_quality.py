"""A daily brief and a weekly deep dive from real bills, judged as a listener's player would.

The episodes are made the way the pipeline makes them — the template writer, the
script validator, then a workshop with the eSpeak voice and local storage
synthesising segment by segment and mastering — and the stored files are then
checked with tools that are not the code under test: miniaudio decodes the MP3,
pyloudnorm measures its loudness, scipy oversamples it for the true peak,
mutagen reads the chapters back, and the transcript is parsed here.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import miniaudio
import numpy as np
import numpy.typing as npt
import pyloudnorm
import pytest
from mutagen.id3 import ID3, CTOCFlags
from scipy.signal import resample_poly

from briefcast.bill_import import import_paths
from briefcast.bills import Bill
from briefcast.providers.espeak import EspeakVoice
from briefcast.providers.local_storage import LocalStorage
from briefcast.providers.template_writer import TemplateWriter
from briefcast.renderers import InlineRenderer, Workshop
from briefcast.rendering import MasterRequest, MasterResult
from briefcast.scripts import Budget, Script, validate
from briefcast.stages import DISCLOSURE, SHOW_TITLE, _episode_pace
from briefcast.writers import EpisodeType, Listener, ScriptRequest

HOSTS = ("Maya", "Theo")
DAY = date(2026, 3, 5)
TARGET: dict[EpisodeType, float] = {"daily": 300.0, "weekly": 900.0}
# Bills with CRS summaries (enough to talk about), from every layout in the shared data:
# current and legacy BILLSTATUS, the actions-and-committees layout, and Congress.gov JSON.
BILLS: dict[EpisodeType, tuple[str, ...]] = {
    "daily": ("117-hr-4350", "117-s-1260", "114-s-1300"),
    "weekly": (
        "117-hr-1",
        "114-hr-2566",
        "115-s-2979",
        "117-hr-21",
        "114-hr-3762",
        "117-sconres-14",
        "114-hres-348",
        "114-hjres-45",
    ),
}


@dataclass(frozen=True)
class Made:
    """An episode as the pipeline leaves it: its script, the result, and the stored files."""

    script: Script
    result: MasterResult
    mp3: bytes
    vtt: str
    samples: npt.NDArray[np.float64]
    rate: int


@pytest.fixture(scope="module")
def bills(shared_data: Path) -> dict[str, Bill]:
    return {str(b.id): b for b in import_paths([shared_data]).bills}


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Workshop:
    return Workshop(EspeakVoice(), LocalStorage(tmp_path_factory.mktemp("media")))


def make(kind: EpisodeType, bills: dict[str, Bill], workshop: Workshop) -> Made:
    """Script, validate, synthesise and master as the pipeline's stages do."""
    voice, storage, renderer = workshop.voice, workshop.storage, InlineRenderer(workshop)
    wpm = _episode_pace(sum(voice.words_per_minute(h) for h in HOSTS) / len(HOSTS))
    chosen = tuple(bills[key] for key in BILLS[kind])
    request = ScriptRequest(Listener("Priya", "OR"), kind, DAY, chosen, HOSTS, TARGET[kind], wpm)
    script = TemplateWriter().write(request)
    validate(script, Budget.for_duration(TARGET[kind], wpm))
    for segment in script.segments:
        renderer.synthesize(segment.turns)
    result = renderer.master(
        MasterRequest(
            podcast_id=f"{kind}-episode",
            user_id="priya",
            script=script.to_json(),
            title=script.title,
            show=SHOW_TITLE,
            day=DAY,
            description="Bills in this episode.",
            disclosure=DISCLOSURE,
            artist=" & ".join(HOSTS),
        )
    )
    mp3 = storage.get(result.audio_key)
    samples, rate = decode(mp3)
    return Made(script, result, mp3, storage.get(result.transcript_key).decode(), samples, rate)


def decode(mp3: bytes) -> tuple[npt.NDArray[np.float64], int]:
    info = miniaudio.mp3_get_info(mp3)
    sound = miniaudio.decode(
        mp3, output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=info.sample_rate
    )
    return np.frombuffer(sound.samples, dtype=np.float32).astype(np.float64), info.sample_rate


def true_peak_dbtp(samples: npt.NDArray[np.float64]) -> float:
    """The 4x-oversampled peak, in overlapping stretches so memory stays small."""
    stretch, margin, peak = 1 << 20, 256, 0.0
    for start in range(0, len(samples), stretch):
        lo = max(0, start - margin)
        upsampled = resample_poly(samples[lo : start + stretch + margin], 4, 1)
        inner = upsampled[4 * (start - lo) : 4 * (start - lo + stretch)]
        peak = max(peak, float(np.abs(inner).max()))
    return 20 * math.log10(peak)


@pytest.fixture(scope="module", params=["daily", "weekly"])
def made(request: pytest.FixtureRequest, bills: dict[str, Bill], workshop: Workshop) -> Made:
    return make(request.param, bills, workshop)


def kind_of(made: Made) -> EpisodeType:
    return "daily" if made.script.title.startswith("Daily") else "weekly"


def test_every_chosen_bill_is_covered(made: Made) -> None:
    covered = [s.bill_id for s in made.script.segments if s.kind == "bill"]
    assert covered == list(BILLS[kind_of(made)])
    assert made.script.notes == ()


def test_loudness_is_minus_16_lufs_by_pyloudnorm(made: Made) -> None:
    loudness = pyloudnorm.Meter(made.rate).integrated_loudness(made.samples)
    assert loudness == pytest.approx(-16.0, abs=1.0)


def test_true_peak_is_at_most_minus_1_dbtp(made: Made) -> None:
    assert true_peak_dbtp(made.samples) <= -1.0


def test_duration_is_within_twenty_percent_of_the_target(made: Made) -> None:
    seconds = len(made.samples) / made.rate
    target = TARGET[kind_of(made)]
    assert 0.8 * target <= seconds <= 1.2 * target, seconds
    assert made.result.duration_seconds == pytest.approx(seconds, abs=0.001)


def test_one_chapter_per_bill_between_intro_and_outro(made: Made) -> None:
    tags = ID3(io.BytesIO(made.mp3))
    chapters = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    titles = [str(c.sub_frames["TIT2"]) for c in chapters]
    bills = BILLS[kind_of(made)]
    assert len(chapters) == len(bills) + 2
    assert titles[0] == "Welcome"
    assert titles[-1] == "Until next time"
    assert titles[1:-1] == [s.title for s in made.script.segments if s.kind == "bill"]
    citations = [title.split(":")[0] for title in titles[1:-1]]
    assert citations[0] == ("H.R. 4350" if kind_of(made) == "daily" else "H.R. 1")
    assert chapters[0].start_time == 0
    assert chapters[-1].end_time == round(len(made.samples) / made.rate * 1000)
    for a, b in itertools.pairwise(chapters):
        assert a.start_time < a.end_time == b.start_time


def test_a_table_of_contents_lists_the_chapters_in_order(made: Made) -> None:
    tags = ID3(io.BytesIO(made.mp3))
    chapters = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL
    assert toc.flags & CTOCFlags.ORDERED
    assert toc.child_element_ids == [c.element_id for c in chapters]


CUE = re.compile(
    r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n<v ([^>]+)>(.*)</v>$",
    re.MULTILINE,
)


def seconds(hours: str, minutes: str, whole: str, millis: str) -> float:
    return int(hours) * 3600 + int(minutes) * 60 + int(whole) + int(millis) / 1000


def test_transcript_cues_are_in_order_inside_the_episode_with_speaker_spans(made: Made) -> None:
    assert made.vtt.startswith("WEBVTT\n")
    cues = [
        (seconds(*m.groups()[:4]), seconds(*m.groups()[4:8]), m[9], m[10])
        for m in CUE.finditer(made.vtt)
    ]
    assert len(cues) == made.vtt.count(" --> ")  # every cue has a speaker span
    duration = len(made.samples) / made.rate
    for start, end, _, _ in cues:
        assert 0 <= start < end <= duration
    for (_, end, _, _), (start, _, _, _) in itertools.pairwise(cues):
        assert end <= start
    speakers = {speaker for _, _, speaker, _ in cues}
    assert speakers == {"Maya", "Theo"}


def test_transcript_says_every_word_of_the_script_once_in_order(made: Made) -> None:
    spoken = [m[10] for m in CUE.finditer(made.vtt)]
    unescaped = " ".join(spoken).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped.split() == " ".join(t.text for t in made.script.turns).split()
