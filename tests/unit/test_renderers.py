"""The workshop: synthesis into the segment cache, then mastering with its audio check."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest
from mutagen.id3 import ID3

from briefcast import renderers
from briefcast.audio_qa import inspect
from briefcast.errors import AudioQualityError
from briefcast.mastering import MasteredEpisode
from briefcast.renderers import InlineRenderer, Workshop
from briefcast.rendering import MasterRequest
from briefcast.scripts import Script, Segment, Turn
from briefcast.testing import InMemoryStorage, ToneVoice
from briefcast.voices import Rendered

SCRIPT = Script(
    "Daily brief: March 5, 2026",
    ("Maya", "Theo"),
    (
        Segment("intro", "Welcome", (Turn("Maya", "Hello Priya, welcome to your brief."),)),
        Segment(
            "bill",
            "H.R. 1: A bill",
            (
                Turn("Theo", "Let's look at H.R. one, a bill about broadband in rural areas."),
                Turn("Maya", "It has twelve cosponsors so far, from both parties."),
            ),
            "119-hr-1",
        ),
        Segment("outro", "Until next time", (Turn("Theo", "That's your brief. Until next time."),)),
    ),
)


def request(script: Script = SCRIPT) -> MasterRequest:
    return MasterRequest(
        podcast_id="p1",
        user_id="u1",
        script=script.to_json(),
        title=script.title,
        show="briefcast",
        day=date(2026, 3, 5),
        description="One bill.",
        disclosure="Synthetic voices.",
        artist="Maya & Theo",
    )


def produce(workshop: Workshop, script: Script = SCRIPT) -> None:
    renderer = InlineRenderer(workshop)
    for segment in script.segments:
        renderer.synthesize(segment.turns)


def test_synthesis_pays_once_per_distinct_turn() -> None:
    voice = ToneVoice()
    workshop = Workshop(voice, InMemoryStorage())
    first = workshop.synthesize(SCRIPT.segments[1].turns)
    again = workshop.synthesize(SCRIPT.segments[1].turns)
    characters = sum(len(t.text) for t in SCRIPT.segments[1].turns)
    assert (first.synthesized_chars, first.cached_chars) == (characters, 0)
    assert (again.synthesized_chars, again.cached_chars) == (0, characters)
    assert voice.rendered_characters == characters
    assert first.keys == again.keys and len(set(first.keys)) == 2


def test_mastering_stores_the_episode_its_transcript_and_chapters() -> None:
    storage = InMemoryStorage()
    workshop = Workshop(ToneVoice(), storage)
    produce(workshop)
    result = InlineRenderer(workshop).master(request())
    mp3 = storage.get(result.audio_key)
    assert result.audio_bytes == len(mp3)
    assert inspect(mp3).duration_seconds == pytest.approx(result.duration_seconds)
    assert [c["title"] for c in result.chapters] == ["Welcome", "H.R. 1: A bill", "Until next time"]
    assert len(ID3(io.BytesIO(mp3)).getall("CHAP")) == 3
    assert storage.get(result.transcript_key).decode().count("<v Theo>") == 3
    assert len(json.loads(storage.get(result.chapters_key))["chapters"]) == 3
    assert result.loudness_lufs == pytest.approx(-16.0, abs=0.5)
    assert result.true_peak_dbtp <= -1.0


def test_mastering_reads_through_the_cache_and_re_renders_what_went_bad() -> None:
    voice, storage = ToneVoice(), InMemoryStorage()
    workshop = Workshop(voice, storage)
    produce(workshop)
    paid = voice.rendered_characters
    InlineRenderer(workshop).master(request())
    assert voice.rendered_characters == paid  # everything came from the cache
    stored = storage.keys()
    damaged = next(key for key in stored if key.startswith("cache/"))
    storage.put(damaged, b"not audio", "application/octet-stream")
    InlineRenderer(workshop).master(request())
    assert voice.rendered_characters > paid


class SilentVoice(ToneVoice):
    """Renders the right length of nothing at all."""

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        return [
            Rendered(np.zeros_like(r.samples), r.sample_rate, r.words)
            for r in super().render(turns)
        ]


def test_a_silent_episode_fails_its_audio_check_and_is_not_stored() -> None:
    storage = InMemoryStorage()
    workshop = Workshop(SilentVoice(), storage)
    produce(workshop)
    with pytest.raises(AudioQualityError, match="too quiet"):
        workshop.master(request())
    stored = storage.keys()
    assert not [key for key in stored if key.startswith("episodes/")]


def test_an_episode_whose_file_differs_from_what_was_measured_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = renderers.master

    def tampered(*args: object, **kwargs: object) -> MasteredEpisode:
        episode = real(*args, **kwargs)  # type: ignore[arg-type]
        return dataclasses.replace(episode, mp3=episode.mp3[:-2000])

    monkeypatch.setattr(renderers, "master", tampered)
    workshop = Workshop(ToneVoice(), InMemoryStorage())
    produce(workshop)
    with pytest.raises(AudioQualityError, match="not the audio that passed its check"):
        workshop.master(request())
