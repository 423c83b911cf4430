"""A five-minute two-host episode read by eSpeak NG and mastered, checked from the decoded MP3."""

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
from mutagen.id3 import ID3, CTOCFlags
from scipy.signal import resample_poly

from briefcast.audio_qa import check, inspect
from briefcast.mastering import EpisodeMeta, MasteredEpisode, SpokenSegment, master, plan
from briefcast.mastering import MasteringSettings as Settings
from briefcast.providers.espeak import EspeakVoice
from briefcast.scripts import Segment, Turn

M, T = "Maya", "Theo"


def turns(*lines: tuple[str, str]) -> tuple[Turn, ...]:
    return tuple(Turn(speaker, text) for speaker, text in lines)


SEGMENTS = (
    Segment(
        "intro",
        "Welcome",
        turns(
            (M, "Good morning, and welcome to your weekly look at what Congress has been doing."),
            (T, "I'm Theo. We have five bills today, and each one touches something you use."),
            (
                M,
                "And I'm Maya. As always, we read the bill text and the official actions, "
                "so you don't have to. Where a bill is only a proposal, we will say so.",
            ),
            (T, "Let's get into it."),
        ),
    ),
    Segment(
        "bill",
        "Broadband for rural libraries",
        turns(
            (M, "The first bill is about internet service in rural libraries."),
            (
                T,
                "Right. It would set aside grant money for libraries in counties with fewer "
                "than fifty thousand people, to pay for faster connections and public computers.",
            ),
            (M, "How much money are we talking about?"),
            (
                T,
                "The text caps each grant at two hundred thousand dollars a year, for up to "
                "three years. A library would have to show how many people use its computers "
                "today, and how many more it expects to serve.",
            ),
            (
                M,
                "So the idea is that the library becomes the place where people apply for "
                "jobs, see a doctor by video, or do homework, when home service is slow or "
                "too expensive.",
            ),
            (
                T,
                "Exactly. The bill was introduced in the House and sent to the Energy and "
                "Commerce Committee.",
            ),
            (M, "Nothing has happened since then, so it is still early. We'll keep an eye on it."),
        ),
        bill_id="119-hr-2101",
    ),
    Segment(
        "bill",
        "Veterans' appointment wait times",
        turns(
            (T, "Our second bill deals with how long veterans wait for medical appointments."),
            (
                M,
                "This one would require the department to publish wait times for every "
                "clinic each month, in a format anyone can download and compare.",
            ),
            (T, "That sounds simple. Why does it need a law?"),
            (
                M,
                "Today the numbers are reported in different ways by different offices, and "
                "some are only shared once a year. The sponsors argue that a single public "
                "standard would let veterans choose where to go, and let Congress see where "
                "the delays are.",
            ),
            (T, "Did it get any votes yet?"),
            (
                M,
                "It did. The Senate passed it by unanimous consent last Thursday. Now it goes "
                "to the House, where a similar bill is already waiting in committee.",
            ),
            (
                T,
                "So the two chambers might have to agree on one version. That could take a "
                "while, but it is further along than most bills ever get.",
            ),
        ),
        bill_id="119-s-845",
    ),
    Segment(
        "bill",
        "Daylight saving time",
        turns(
            (
                M,
                "Bill number three is one you have probably heard about before: daylight "
                "saving time.",
            ),
            (T, "The clocks again. What would this version do?"),
            (
                M,
                "It would let each state choose to stay on standard time all year, or on "
                "daylight time all year, instead of switching twice a year. Today federal law "
                "allows only the first choice.",
            ),
            (
                T,
                "I remember a version that passed the Senate a few years ago and then "
                "stalled. Is this the same?",
            ),
            (
                M,
                "Close, but not the same. That earlier bill would have made daylight time "
                "permanent for everyone. This one leaves the decision to the states, which "
                "its sponsors hope will win more votes.",
            ),
            (T, "And where is it now?"),
            (
                M,
                "It was referred to committee in both chambers, with a long list of "
                "cosponsors from both parties.",
            ),
        ),
        bill_id="119-hr-139",
    ),
    Segment(
        "bill",
        "Clearer prices for prescription drugs",
        turns(
            (T, "Next, a bill about the prices you see at the pharmacy counter."),
            (
                M,
                "This one would require pharmacies to tell you the cash price of a "
                "prescription before you pay, and whether that cash price is lower than what "
                "you would pay through your insurance.",
            ),
            (T, "Wait, can the cash price really be lower than the insurance price?"),
            (
                M,
                "Sometimes, yes, especially for older generic drugs. Some contracts used to "
                "stop pharmacists from mentioning it. The bill would make telling you the "
                "default.",
            ),
            (
                T,
                "It had a hearing this week. Several witnesses supported it, and one trade "
                "group asked for more time before the rules would start.",
            ),
            (M, "The committee has not scheduled a vote yet, so we'll tell you when it does."),
        ),
        bill_id="119-hr-3310",
    ),
    Segment(
        "bill",
        "Flood maps for small towns",
        turns(
            (M, "Our last bill is about flood maps, which decide who has to buy flood insurance."),
            (
                T,
                "Many small towns say their maps are decades old. Some homes that flooded "
                "twice are outside the mapped zone, while others that never flooded are inside.",
            ),
            (M, "What would the bill change?"),
            (
                T,
                "It would give towns under ten thousand people a way to ask for a new map, "
                "with federal money for the survey. The agency would have to answer within a "
                "year, and explain its reasons if it says no.",
            ),
            (
                M,
                "That last part matters. Right now a town can wait a long time without hearing "
                "anything at all.",
            ),
            (
                T,
                "It was introduced on Monday with sponsors from three coastal states and two "
                "river states, and sent to the Financial Services Committee.",
            ),
            (M, "Another early one, then. We'll follow it for you."),
        ),
        bill_id="119-hr-3402",
    ),
    Segment(
        "outro",
        "Goodbye",
        turns(
            (T, "That's our week in Congress. Five bills, at very different stages."),
            (
                M,
                "If one of them matters to you, you can follow it in the app, and we'll "
                "bring you every new action in your daily brief.",
            ),
            (T, "Thanks for listening. See you next week."),
            (M, "Bye for now."),
        ),
    ),
)

META = EpisodeMeta(
    title="Your week in Congress",
    show="briefcast",
    date=date(2025, 5, 9),
    description="Rural libraries, veterans' care, clocks, drug prices and flood maps.",
    disclosure="This episode is read by synthetic voices.",
    artist="Maya and Theo",
)


@pytest.fixture(scope="module")
def spoken() -> list[SpokenSegment]:
    voice = EspeakVoice()
    return [SpokenSegment(segment, tuple(voice.render(segment.turns))) for segment in SEGMENTS]


@pytest.fixture(scope="module")
def episode(spoken: list[SpokenSegment]) -> MasteredEpisode:
    return master(spoken, META)


@pytest.fixture(scope="module")
def decoded(episode: MasteredEpisode) -> tuple[np.ndarray, int]:
    info = miniaudio.mp3_get_info(episode.mp3)
    sound = miniaudio.decode(
        episode.mp3,
        output_format=miniaudio.SampleFormat.FLOAT32,
        nchannels=1,
        sample_rate=info.sample_rate,
    )
    return np.frombuffer(sound.samples, dtype=np.float32).astype(np.float64), info.sample_rate


def test_the_episode_is_about_five_minutes(episode: MasteredEpisode) -> None:
    assert 4 * 60 <= episode.duration_seconds <= 6 * 60


def test_loudness_is_minus_16_lufs_by_pyloudnorm(decoded: tuple[np.ndarray, int]) -> None:
    samples, rate = decoded
    assert pyloudnorm.Meter(rate).integrated_loudness(samples) == pytest.approx(-16.0, abs=1.0)


def test_true_peak_is_at_most_minus_1_dbtp(decoded: tuple[np.ndarray, int]) -> None:
    samples, _ = decoded
    peak = float(np.abs(resample_poly(samples, 4, 1)).max())
    assert 20 * math.log10(peak) <= -1.0


def test_duration_is_the_decoded_length_and_the_sum_of_its_parts(
    episode: MasteredEpisode, decoded: tuple[np.ndarray, int], spoken: list[SpokenSegment]
) -> None:
    samples, rate = decoded
    assert episode.duration_seconds == pytest.approx(len(samples) / rate, rel=1e-9)
    speech = sum(r.duration for s in spoken for r in s.audio)
    placements = plan(spoken, Settings()).placements
    pauses = sum((b.start - a.end) / rate for a, b in itertools.pairwise(placements))
    expected = Settings().lead_in + speech + pauses + Settings().tail
    assert episode.duration_seconds == pytest.approx(expected, rel=0.01)


def test_one_chapter_per_segment_is_read_back_from_the_tags(episode: MasteredEpisode) -> None:
    tags = ID3(io.BytesIO(episode.mp3))
    chapters = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [s.title for s in SEGMENTS]
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL
    assert toc.flags & CTOCFlags.ORDERED
    assert toc.child_element_ids == [c.element_id for c in chapters]
    assert chapters[-1].end_time <= round(episode.duration_seconds * 1000)
    chapter_file = json.loads(episode.chapters_json)
    assert len(chapter_file["chapters"]) == len(SEGMENTS)


def test_transcript_cues_are_ordered_and_inside_the_episode(episode: MasteredEpisode) -> None:
    stamps = re.findall(
        r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})", episode.vtt
    )
    times = [
        (
            int(a) * 3600 + int(b) * 60 + int(c) + int(d) / 1000,
            int(e) * 3600 + int(f) * 60 + int(g) + int(h) / 1000,
        )
        for a, b, c, d, e, f, g, h in stamps
    ]
    sentences = sum(len(re.findall(r"[.?!](?:\s|$)", t.text)) for s in SEGMENTS for t in s.turns)
    assert len(times) == sentences
    for start, end in times:
        assert 0 <= start < end <= episode.duration_seconds
    for (_, end), (start, _) in itertools.pairwise(times):
        assert end <= start
    assert episode.vtt.count("<v Maya>") > 10
    assert episode.vtt.count("<v Theo>") > 10


def test_the_episode_passes_its_own_audio_check(episode: MasteredEpisode) -> None:
    report = inspect(episode.mp3)
    check(report, expected_seconds=300.0)
    assert report.loudness_lufs == pytest.approx(episode.loudness_lufs, abs=1e-6)
