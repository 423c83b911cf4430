"""ElevenLabs text-to-dialogue (``eleven_v3``) through the official SDK.

Turns go to ``POST /v1/text-to-dialogue/with-timestamps`` as dialogue inputs
(text + voice id), so both hosts are voiced in one natural exchange. The
answer is one audio file (base64) for the whole request, a character
alignment over every input's text, and *voice segments* that say which
stretch of audio and which characters belong to which input
(``dialogue_input_index``). Each turn's audio is cut out at its segments'
bounds and its word timings are read from the alignment, relative to the cut.

Request size: a request may carry at most :attr:`max_request_chars`
characters, the lower of the model's own limit (``maximum_text_length_per_request``
from ``GET /v1/models``, read once, on first use) and a configured cap, since
ElevenLabs advises at most 2,000 characters per dialogue request for
reliable generation. The segment cache already sends one request per chunk of
whole turns; :meth:`ElevenLabsVoice.render` still plans its own requests, so
no request exceeds the limit whoever calls it, and a single turn longer than
the limit is split at sentence (then word) boundaries and joined back.

Vendor quirks handled here:

* The SDK retries 429 and 5xx twice by itself; that is switched off
  (``max_retries=0``) because a retried paid request may be billed twice and
  the retry policy of the durable engine decides about waiting.
* An exhausted quota is a **401** (``quota_exceeded``), like a bad key
  (``invalid_api_key``); both are permanent. A 429 is either
  ``too_many_concurrent_requests``/``concurrent_limit_exceeded`` or
  ``system_busy``/``rate_limit_exceeded``: all transient.
* Error bodies are ``{"detail": {"code" | "status", "message"}}``; newer
  answers carry ``code``, older ones only ``status``.
* eleven_v3 reads bracketed audio tags (``[laughs]``) as directions; scripts
  never contain brackets (validation refuses them), so none are sent.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import miniaudio
import numpy as np

from briefcast.breaker import CircuitBreaker
from briefcast.errors import (
    BriefcastError,
    ConfigurationError,
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
)
from briefcast.prose import split_sentences
from briefcast.providers.http_errors import redact, retry_after, vendor_detail
from briefcast.scripts import Turn
from briefcast.settings import Settings
from briefcast.voices import Rendered, WordTiming

__all__ = ["ElevenLabsVoice", "Piece", "plan_requests", "split_text"]

_QUOTA = frozenset({"quota_exceeded", "insufficient_quota", "payment_required"})
_VOICE = frozenset({"voice_not_found", "invalid_voice_id", "voice_does_not_exist"})


@dataclass(frozen=True)
class Piece:
    """Part (or all) of one turn's text, sent as one dialogue input."""

    turn: int
    speaker: str
    text: str


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut between sentences, else words."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    for sentence in split_sentences(text):
        for unit in [sentence] if len(sentence) <= limit else _by_words(sentence, limit):
            if parts and len(parts[-1]) + 1 + len(unit) <= limit:
                parts[-1] += " " + unit
            else:
                parts.append(unit)
    return parts


def _by_words(sentence: str, limit: int) -> Iterator[str]:
    line = ""
    for word in sentence.split():
        while len(word) > limit:  # a "word" longer than a request: cut it hard
            if line:
                yield line
                line = ""
            yield word[:limit]
            word = word[limit:]
        if line and len(line) + 1 + len(word) > limit:
            yield line
            line = ""
        line = f"{line} {word}" if line else word
    if line:
        yield line


def plan_requests(turns: Sequence[Turn], limit: int) -> list[list[Piece]]:
    """Requests of whole turns in order, each at most ``limit`` characters; long turns split."""
    requests: list[list[Piece]] = []
    size = 0
    for index, turn in enumerate(turns):
        for text in split_text(turn.text, limit):
            if not requests or size + len(text) > limit:
                requests.append([])
                size = 0
            requests[-1].append(Piece(index, turn.speaker, text))
            size += len(text)
    return requests


class ElevenLabsVoice:
    """A :class:`~briefcast.voices.Voice` speaking through ElevenLabs text-to-dialogue."""

    name = "elevenlabs"

    def __init__(
        self,
        client: Any,
        *,
        voices: Mapping[str, str],
        model: str = "eleven_v3",
        stability: float = 0.5,
        output_format: str = "mp3_44100_128",
        request_cap: int = 2000,
        words_per_minute: float = 150.0,
        timeout: float = 180.0,
        breaker: CircuitBreaker | None = None,
        secrets: Sequence[str] = (),
        http: httpx.Client | None = None,
    ) -> None:
        match = re.fullmatch(r"mp3_(\d+)_\d+", output_format)
        if match is None:
            raise ConfigurationError(
                "BRIEFCAST_ELEVENLABS_OUTPUT_FORMAT must be an mp3 format such as mp3_44100_128"
            )
        self._client = client
        self._voices = dict(voices)
        self._model = model
        self._stability = stability
        self._format = output_format
        self._sample_rate = int(match[1])
        self._cap = request_cap
        self._wpm = words_per_minute
        self._options = {"max_retries": 0, "timeout_in_seconds": max(1, round(timeout))}
        self._breaker = breaker or CircuitBreaker("ElevenLabs")
        self._secrets = tuple(secrets)
        self._limit: int | None = None
        self._limit_lock = threading.Lock()
        self._http = http

    def close(self) -> None:
        """Close the HTTP connections (when the voice owns its client)."""
        if self._http is not None:
            self._http.close()

    @classmethod
    def from_settings(cls, settings: Settings) -> ElevenLabsVoice:
        from elevenlabs.client import ElevenLabs

        key = settings.elevenlabs_api_key
        maya, theo = settings.elevenlabs_voice_maya, settings.elevenlabs_voice_theo
        if key is None or not maya or not theo:
            raise ConfigurationError(
                "BRIEFCAST_ELEVENLABS_API_KEY, BRIEFCAST_ELEVENLABS_VOICE_MAYA and "
                "BRIEFCAST_ELEVENLABS_VOICE_THEO are required when BRIEFCAST_VOICE=elevenlabs"
            )
        # Our own HTTP client, so the voice can close its connections.
        http = httpx.Client(timeout=settings.elevenlabs_timeout_seconds, follow_redirects=True)
        client = ElevenLabs(
            api_key=key.get_secret_value(),
            base_url=settings.elevenlabs_base_url.rstrip("/"),
            timeout=settings.elevenlabs_timeout_seconds,
            httpx_client=http,
        )
        return cls(
            client,
            http=http,
            voices={"Maya": maya, "Theo": theo},
            model=settings.elevenlabs_model,
            stability=settings.elevenlabs_stability,
            output_format=settings.elevenlabs_output_format,
            request_cap=settings.elevenlabs_max_request_chars,
            words_per_minute=settings.elevenlabs_words_per_minute,
            timeout=settings.elevenlabs_timeout_seconds,
            breaker=CircuitBreaker(
                "ElevenLabs",
                failures=settings.breaker_failures,
                cooldown=settings.breaker_cooldown_seconds,
            ),
            secrets=(key.get_secret_value(),),
        )

    # --- the Voice port ---------------------------------------------------------------

    def identity(self, speaker: str) -> dict[str, str]:
        return {
            "provider": self.name,
            "model": self._model,
            "voice": self._voice_id(speaker),
            "settings": f"stability={self._stability:g},format={self._format}",
        }

    def words_per_minute(self, speaker: str) -> float:
        return self._wpm

    @property
    def max_request_chars(self) -> int:
        """Most characters one request may carry (the model's limit read once, capped)."""
        with self._limit_lock:
            if self._limit is None:
                model_limit = self._model_limit()
                self._limit = min(self._cap, model_limit) if model_limit else self._cap
            return self._limit

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        """One dialogue request per planned chunk; each turn's audio cut out and rejoined."""
        pieces: dict[int, list[Rendered]] = {i: [] for i in range(len(turns))}
        for request in plan_requests(turns, self.max_request_chars):
            for piece, rendered in zip(request, self._dialogue(request), strict=True):
                pieces[piece.turn].append(rendered)
        return [_join(pieces[i], self._sample_rate) for i in range(len(turns))]

    # --- requests -----------------------------------------------------------------------

    def _voice_id(self, speaker: str) -> str:
        voice = self._voices.get(speaker)
        if voice is None:
            raise ConfigurationError(f"no ElevenLabs voice is configured for speaker {speaker!r}")
        return voice

    def _model_limit(self) -> int | None:
        models = self._call(
            "models", lambda: self._client.models.list(request_options=self._options)
        )
        found = next((m for m in models if m.model_id == self._model), None)
        if found is None:
            raise ConfigurationError(
                f"ElevenLabs offers no model {self._model!r} to this key; "
                "check BRIEFCAST_ELEVENLABS_MODEL"
            )
        # The older max_characters_request_* fields are documented as not enforced.
        limit = found.maximum_text_length_per_request
        return int(limit) if limit else None

    def _dialogue(self, request: Sequence[Piece]) -> list[Rendered]:
        from elevenlabs import DialogueInput, ToDialogueSettingsResponseModel

        inputs = [DialogueInput(text=p.text, voice_id=self._voice_id(p.speaker)) for p in request]
        answer = self._call(
            "text-to-dialogue",
            lambda: self._client.text_to_dialogue.convert_with_timestamps(
                inputs=inputs,
                model_id=self._model,
                output_format=self._format,
                settings=ToDialogueSettingsResponseModel(stability=self._stability),
                request_options=self._options,
            ),
        )
        return _split(answer, len(request), self._sample_rate)

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        def guarded() -> Any:
            from elevenlabs.core.api_error import ApiError

            try:
                return fn()
            except ApiError as exc:
                raise self._translate(exc, what) from exc
            except httpx.TimeoutException as exc:
                raise ProviderUnavailable(f"ElevenLabs {what} timed out") from exc
            except httpx.TransportError as exc:
                raise ProviderUnavailable(
                    f"ElevenLabs {what} unreachable: {type(exc).__name__}"
                ) from exc

        return self._breaker.call(guarded)

    def _translate(self, exc: Any, what: str) -> BriefcastError:
        status = int(exc.status_code or 0)
        code, message = vendor_detail(exc.body)
        said = redact(f" ({code}: {message})" if code or message else "", self._secrets)
        wait = retry_after(exc.headers)
        if code in _QUOTA or status == 402:
            return ProviderRejected(f"ElevenLabs quota is exhausted{said}")
        if status in (401, 403):
            return ProviderRejected(f"ElevenLabs refused the API key (HTTP {status}){said}")
        if code in _VOICE:
            return ProviderRejected(f"ElevenLabs does not know a configured voice{said}")
        if status == 429:
            return ProviderBusy(f"ElevenLabs is busy{said}", wait)
        if status >= 500 or status == 408:
            return ProviderUnavailable(f"ElevenLabs {what} failed (HTTP {status}){said}", wait)
        return ProviderRejected(f"ElevenLabs rejected the {what} request (HTTP {status}){said}")


# --- cutting the answer into turns ----------------------------------------------------------


def _split(answer: Any, count: int, sample_rate: int) -> list[Rendered]:
    samples = _decode(base64.b64decode(answer.audio_base_64), sample_rate)
    chars = answer.alignment
    renders = []
    for index in range(count):
        segments = [s for s in answer.voice_segments if s.dialogue_input_index == index]
        if not segments:
            raise ProviderRejected(f"ElevenLabs returned no audio for dialogue line {index}")
        start = min(s.start_time_seconds for s in segments)
        end = max(s.end_time_seconds for s in segments)
        cut = samples[round(start * sample_rate) : round(end * sample_rate)]
        words = _words(chars, segments, start) if chars is not None else ()
        renders.append(Rendered(cut.astype(np.float32), sample_rate, words))
    return renders


def _decode(data: bytes, sample_rate: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    try:
        decoded = miniaudio.decode(
            data,
            output_format=miniaudio.SampleFormat.FLOAT32,
            nchannels=1,
            sample_rate=sample_rate,
        )
    except miniaudio.DecodeError as exc:
        raise ProviderRejected("ElevenLabs returned audio that cannot be decoded") from exc
    return np.asarray(decoded.samples, dtype=np.float32)


def _words(alignment: Any, segments: Sequence[Any], offset: float) -> tuple[WordTiming, ...]:
    """Whitespace-separated words of the segments' characters, timed from ``offset``."""
    indices = sorted(
        i for s in segments for i in range(s.character_start_index, s.character_end_index)
    )
    words: list[WordTiming] = []
    current: list[int] = []
    for i in [*indices, -1]:
        if i >= 0 and not alignment.characters[i].isspace():
            current.append(i)
            continue
        if current:
            text = "".join(alignment.characters[j] for j in current)
            begin = alignment.character_start_times_seconds[current[0]] - offset
            finish = alignment.character_end_times_seconds[current[-1]] - offset
            words.append(WordTiming(max(0.0, begin), max(0.0, finish), text))
            current = []
    return tuple(words)


def _join(parts: Sequence[Rendered], sample_rate: int) -> Rendered:
    """One turn from the renders of its pieces, word timings shifted along."""
    if len(parts) == 1:
        return parts[0]
    words: list[WordTiming] = []
    offset = 0.0
    for part in parts:
        words.extend(WordTiming(w.start + offset, w.end + offset, w.text) for w in part.words)
        offset += part.duration
    samples = np.concatenate([p.samples for p in parts]).astype(np.float32)
    return Rendered(samples, sample_rate, tuple(words))
