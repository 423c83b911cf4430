"""The ElevenLabs voice through the official SDK, against a loopback imitation of the API.

Expected timings come from the stub's documented rule (each character lasts
CHAR_SECONDS, inputs are GAP_SECONDS apart), computed here from the text;
each host's audio is recognised by its tone's frequency.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from briefcast import providers
from briefcast.errors import (
    ConfigurationError,
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
)
from briefcast.providers.elevenlabs_voice import ElevenLabsVoice
from briefcast.scripts import Turn
from briefcast.segment_cache import SegmentCache
from briefcast.settings import Settings, load_settings
from briefcast.testing import InMemoryStorage
from briefcast.voices import Rendered, Voice
from tests.support.elevenlabs_stub import (
    API_KEY,
    CHAR_SECONDS,
    MAYA,
    MODEL,
    SAMPLE_RATE,
    THEO,
    VOICES,
    ElevenLabsStub,
    _error,
)
from tests.support.stub_http import Reply, StubServer, stub_server

TOLERANCE = 2.0 / SAMPLE_RATE


@pytest.fixture
def stub() -> ElevenLabsStub:
    return ElevenLabsStub(limit=600)


@pytest.fixture
def server(stub: ElevenLabsStub) -> Iterator[StubServer]:
    with stub_server(stub) as running:
        yield running


def settings(server: StubServer, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "voice": "elevenlabs",
        "elevenlabs_api_key": API_KEY,
        "elevenlabs_base_url": server.url,
        "elevenlabs_voice_maya": MAYA,
        "elevenlabs_voice_theo": THEO,
        "breaker_failures": 3,
        **extra,
    }
    return Settings(**values)


@pytest.fixture
def voices() -> Iterator[list[ElevenLabsVoice]]:
    made: list[ElevenLabsVoice] = []
    yield made
    for voice in made:
        voice.close()


@pytest.fixture
def voice_for(voices: list[ElevenLabsVoice]) -> Any:
    def make(server: StubServer, **extra: Any) -> ElevenLabsVoice:
        voice = providers.create("voice", "elevenlabs", settings(server, **extra))
        assert isinstance(voice, ElevenLabsVoice)
        voices.append(voice)
        return voice

    return make


def pitch(rendered: Rendered) -> float:
    spectrum = np.abs(np.fft.rfft(rendered.samples))
    return float(np.argmax(spectrum) * rendered.sample_rate / len(rendered.samples))


def expected_words(text: str) -> list[tuple[float, float, str]]:
    return [
        (m.start() * CHAR_SECONDS, m.end() * CHAR_SECONDS, m.group())
        for m in re.finditer(r"\S+", text)
    ]


def assert_spoken(rendered: Rendered, text: str, voice_id: str) -> None:
    assert rendered.sample_rate == SAMPLE_RATE
    assert rendered.samples.dtype == np.float32
    assert abs(rendered.duration - len(text) * CHAR_SECONDS) <= TOLERANCE
    assert abs(pitch(rendered) - VOICES[voice_id]) < 15
    words = [(w.start, w.end, w.text) for w in rendered.words]
    assert [w[2] for w in words] == text.split()
    for (start, end, _), (want_start, want_end, _) in zip(words, expected_words(text), strict=True):
        assert start == pytest.approx(want_start, abs=1e-6)
        assert end == pytest.approx(want_end, abs=1e-6)


TURNS = [
    Turn("Maya", "Good morning. Today we look at a bill about rural broadband."),
    Turn("Theo", "It was introduced in the House in March and sent to committee."),
    Turn("Maya", "Let us walk through what it would change."),
]


def test_is_a_voice_chosen_by_name(voice_for: Any, server: StubServer) -> None:
    voice = voice_for(server)
    assert isinstance(voice, Voice)
    assert "elevenlabs" in providers.names("voice")


def test_each_turn_is_cut_out_with_its_own_voice_and_word_timings(
    voice_for: Any, server: StubServer, stub: ElevenLabsStub
) -> None:
    rendered = voice_for(server).render(TURNS)
    assert len(rendered) == 3
    for turn, audio in zip(TURNS, rendered, strict=True):
        assert_spoken(audio, turn.text, MAYA if turn.speaker == "Maya" else THEO)
    assert len(stub.dialogue_requests) == 1
    sent = stub.dialogue_requests[0]
    assert sent["body"]["model_id"] == MODEL
    assert sent["body"]["inputs"] == [
        {"text": TURNS[0].text, "voice_id": MAYA},
        {"text": TURNS[1].text, "voice_id": THEO},
        {"text": TURNS[2].text, "voice_id": MAYA},
    ]
    assert sent["body"]["settings"] == {"stability": 0.5}
    assert sent["query"]["output_format"] == ["mp3_44100_128"]


def test_request_size_is_read_from_the_models_api_once_and_capped(
    voice_for: Any, server: StubServer, stub: ElevenLabsStub
) -> None:
    voice = voice_for(server)
    assert voice.max_request_chars == 600  # the model's limit, below the 2,000 cap
    assert voice.max_request_chars == 600
    assert stub.model_requests == 1
    assert voice_for(server, elevenlabs_max_request_chars=250).max_request_chars == 250
    stub.report_limit = False  # the deprecated per-plan fields alone are not limits
    assert voice_for(server).max_request_chars == 2000


def test_an_unknown_model_is_a_configuration_error(voice_for: Any, server: StubServer) -> None:
    with pytest.raises(ConfigurationError, match="BRIEFCAST_ELEVENLABS_MODEL"):
        _ = voice_for(server, elevenlabs_model="eleven_v9").max_request_chars


def test_no_request_exceeds_the_limit_and_every_turn_comes_back_in_order(
    voice_for: Any, server: StubServer, stub: ElevenLabsStub
) -> None:
    stub.limit = 300
    turns = [
        Turn("Maya" if i % 2 == 0 else "Theo", f"Point number {i} is about item {i * 7}. " * 3)
        for i in range(14)
    ]
    total = sum(len(t.text) for t in turns)
    assert total > 3 * stub.limit
    voice = voice_for(server)
    rendered, stats = SegmentCache(InMemoryStorage()).render_with_cache(voice, turns)
    sizes = [sum(len(i["text"]) for i in r["body"]["inputs"]) for r in stub.dialogue_requests]
    assert len(sizes) >= 4
    assert max(sizes) <= 300
    sent = [i["text"] for r in stub.dialogue_requests for i in r["body"]["inputs"]]
    assert sent == [t.text for t in turns]  # chunked at turn boundaries, nothing lost or repeated
    assert stats.characters_synthesised == total
    for turn, audio in zip(turns, rendered, strict=True):
        assert_spoken(audio, turn.text, MAYA if turn.speaker == "Maya" else THEO)


def test_a_turn_longer_than_a_request_is_split_between_sentences_and_joined(
    voice_for: Any, server: StubServer, stub: ElevenLabsStub
) -> None:
    stub.limit = 120
    sentence = "The committee held a hearing on the bill in the spring of that year."
    turn = Turn("Theo", " ".join([sentence] * 5))
    (rendered,) = voice_for(server).render([turn])
    sizes = [sum(len(i["text"]) for i in r["body"]["inputs"]) for r in stub.dialogue_requests]
    assert max(sizes) <= 120
    sent = [i["text"] for r in stub.dialogue_requests for i in r["body"]["inputs"]]
    assert " ".join(sent) == turn.text
    assert [w.text for w in rendered.words] == turn.text.split()
    spoken = sum(len(part) for part in sent)  # the spaces between parts are not sent
    assert abs(rendered.duration - spoken * CHAR_SECONDS) <= len(sent) * TOLERANCE
    starts = [w.start for w in rendered.words]
    assert starts == sorted(starts)
    assert rendered.words[-1].end == pytest.approx(rendered.duration, abs=0.01)


def test_identity_names_model_voice_and_settings(voice_for: Any, server: StubServer) -> None:
    voice = voice_for(server, elevenlabs_stability=1.0)
    assert voice.identity("Maya") == {
        "provider": "elevenlabs",
        "model": MODEL,
        "voice": MAYA,
        "settings": "stability=1,format=mp3_44100_128",
    }
    assert voice.identity("Theo")["voice"] == THEO
    assert voice.words_per_minute("Maya") == 150.0
    with pytest.raises(ConfigurationError, match="Zed"):
        voice.identity("Zed")


@pytest.mark.parametrize(
    ("reply", "error", "needle"),
    [
        (_error(401, "invalid_api_key", "Invalid API key"), ProviderRejected, "API key"),
        (
            _error(401, "quota_exceeded", "This request exceeds your quota of 10000."),
            ProviderRejected,
            "quota",
        ),
        (
            _error(400, "voice_not_found", "A voice with the voice_id was not found."),
            ProviderRejected,
            "voice",
        ),
        (_error(500, "internal_error", "oops"), ProviderUnavailable, "HTTP 500"),
        (_error(429, "system_busy", "busy", **{"Retry-After": "7"}), ProviderBusy, "busy"),
        (
            _error(429, "too_many_concurrent_requests", "max 2 concurrent"),
            ProviderBusy,
            "concurrent",
        ),
    ],
)
def test_errors_are_translated_and_not_retried_by_the_sdk(
    voice_for: Any,
    server: StubServer,
    stub: ElevenLabsStub,
    reply: Reply,
    error: type[Exception],
    needle: str,
) -> None:
    voice = voice_for(server)
    _ = voice.max_request_chars
    stub.failures.append(reply)
    with pytest.raises(error, match=needle) as caught:
        voice.render(TURNS[:1])
    assert len(stub.dialogue_requests) == 1  # no hidden retries of a paid request
    if reply.status == 429 and b"system_busy" in reply.body:
        assert getattr(caught.value, "retry_after", None) == 7.0


def test_a_wrong_key_is_rejected_without_the_key_in_messages_or_logs(
    voice_for: Any, server: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "el-wrong-key-that-must-stay-secret"
    voice = voice_for(server, elevenlabs_api_key=wrong)
    with pytest.raises(ProviderRejected, match="API key") as caught:
        voice.render(TURNS[:1])
    assert wrong not in str(caught.value)
    assert caplog.records  # the HTTP client did log the requests
    assert all(
        wrong not in r.getMessage() and API_KEY not in r.getMessage() for r in caplog.records
    )


def test_a_slow_answer_times_out_as_retryable(
    voice_for: Any, server: StubServer, stub: ElevenLabsStub
) -> None:
    voice = voice_for(server, elevenlabs_timeout_seconds=1)
    _ = voice.max_request_chars
    stub.before_answer = lambda: time.sleep(2.5)
    with pytest.raises(ProviderUnavailable, match="timed out"):
        voice.render(TURNS[:1])


def test_the_breaker_stops_calling_a_failing_service(
    voice_for: Any, server: StubServer, stub: ElevenLabsStub
) -> None:
    voice = voice_for(server, breaker_failures=2, breaker_cooldown_seconds=120)
    _ = voice.max_request_chars
    stub.failures.extend([_error(503, "unavailable", "down")] * 5)
    for _ in range(2):
        with pytest.raises(ProviderUnavailable, match="HTTP 503"):
            voice.render(TURNS[:1])
    with pytest.raises(ProviderUnavailable, match="paused") as caught:
        voice.render(TURNS[:1])
    assert len(stub.dialogue_requests) == 2
    assert caught.value.retry_after is not None and 115 < caught.value.retry_after <= 120


def test_start_up_refuses_elevenlabs_without_its_key_and_voices() -> None:
    with pytest.raises(ConfigurationError, match="BRIEFCAST_ELEVENLABS_API_KEY is required"):
        load_settings(voice="elevenlabs", elevenlabs_voice_maya=MAYA, elevenlabs_voice_theo=THEO)
    with pytest.raises(ConfigurationError, match="BRIEFCAST_ELEVENLABS_VOICE_THEO is required"):
        load_settings(voice="elevenlabs", elevenlabs_api_key=API_KEY, elevenlabs_voice_maya=MAYA)


def test_an_episode_is_mastered_from_elevenlabs_turns(
    voice_for: Any, server: StubServer, stub: ElevenLabsStub
) -> None:
    from datetime import date

    from briefcast.providers.template_writer import TemplateWriter
    from briefcast.renderers import Workshop
    from briefcast.rendering import MasterRequest
    from briefcast.writers import Listener, ScriptRequest
    from tests.support.fakes import sample_bills

    stub.limit = 1500
    day = date(2026, 3, 4)
    request = ScriptRequest(
        Listener("Ada", "VA"), "daily", day, tuple(sample_bills(2)), ("Maya", "Theo"), 120, 150
    )
    script = TemplateWriter().write(request)
    workshop = Workshop(voice_for(server), InMemoryStorage())
    for segment in script.segments:
        workshop.synthesize(segment.turns)
    paid = len(stub.dialogue_requests)
    result = workshop.master(
        MasterRequest(
            "p1", "u1", script.to_json(), script.title, "briefcast", day, "d", "disclosure", "M & T"
        )
    )
    assert len(stub.dialogue_requests) == paid  # mastering reads the cache, pays nothing more
    spoken = sum(len(turn.text) for turn in script.turns) * CHAR_SECONDS
    assert spoken < result.duration_seconds < spoken + 2.0 * len(script.turns)
    assert abs(result.loudness_lufs + 16) <= 1
    assert [c["bill_id"] for c in result.chapters] == [None, "119-hr-100", "119-hr-101", None]
