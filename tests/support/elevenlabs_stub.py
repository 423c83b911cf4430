"""An imitation of the two ElevenLabs endpoints the voice uses, for a loopback stub server.

``GET /v1/models`` lists models with their per-request character limits;
``POST /v1/text-to-dialogue/with-timestamps`` answers the way ElevenLabs
documents it: real MP3 bytes (a tone per voice, encoded with LAME), a
character alignment over all inputs and one voice segment per input. Every
character lasts :data:`CHAR_SECONDS` (a space is silence) and inputs are
separated by :data:`GAP_SECONDS` of silence that belongs to no segment, so a
test can predict every timing from the text alone. Like the real service it
refuses a wrong key, an unknown voice and a request over the model's limit.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lameenc
import numpy as np

from tests.support.stub_http import Reply, Request

API_KEY = "el-test-key-6c1e0b9b-do-not-log"
MODEL = "eleven_v3"
SAMPLE_RATE = 44_100
CHAR_SECONDS = 0.04
GAP_SECONDS = 0.2
#: Voice id → tone frequency in Hz.
VOICES = {"voice-maya-0001": 330.0, "voice-theo-0002": 880.0}
MAYA, THEO = "voice-maya-0001", "voice-theo-0002"


def mp3(samples: np.ndarray) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(128)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(2)
    pcm = np.clip(np.rint(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())


def _sound(text: str, frequency: float) -> np.ndarray:
    per_char = round(CHAR_SECONDS * SAMPLE_RATE)
    t = np.arange(per_char * len(text)) / SAMPLE_RATE
    tone = 0.4 * np.sin(2 * np.pi * frequency * t)
    mask = np.repeat([0.0 if ch.isspace() else 1.0 for ch in text], per_char)
    return tone * mask


def dialogue(inputs: list[dict[str, str]]) -> dict[str, Any]:
    """The with-timestamps answer for ``inputs`` (text + voice_id each)."""
    gap = np.zeros(round(GAP_SECONDS * SAMPLE_RATE))
    audio: list[np.ndarray] = []
    chars: list[str] = []
    starts: list[float] = []
    ends: list[float] = []
    segments = []
    clock = 0.0
    for index, item in enumerate(inputs):
        if index:
            audio.append(gap)
            clock += GAP_SECONDS
        text = item["text"]
        first = len(chars)
        for offset, ch in enumerate(text):
            chars.append(ch)
            starts.append(round(clock + offset * CHAR_SECONDS, 6))
            ends.append(round(clock + (offset + 1) * CHAR_SECONDS, 6))
        audio.append(_sound(text, VOICES[item["voice_id"]]))
        segments.append(
            {
                "voice_id": item["voice_id"],
                "start_time_seconds": round(clock, 6),
                "end_time_seconds": round(clock + len(text) * CHAR_SECONDS, 6),
                "character_start_index": first,
                "character_end_index": len(chars),
                "dialogue_input_index": index,
            }
        )
        clock += len(text) * CHAR_SECONDS
    alignment = {
        "characters": chars,
        "character_start_times_seconds": starts,
        "character_end_times_seconds": ends,
    }
    return {
        "audio_base64": base64.b64encode(mp3(np.concatenate(audio))).decode(),
        "alignment": alignment,
        "normalized_alignment": alignment,
        "voice_segments": segments,
    }


def _error(status: int, code: str, message: str, **headers: str) -> Reply:
    return Reply.json({"detail": {"status": code, "message": message}}, status, **headers)


@dataclass
class ElevenLabsStub:
    """The fake service's state: its limit, what it was asked, and failures to play back."""

    limit: int = 600
    report_limit: bool = True
    failures: list[Reply] = field(default_factory=list)
    dialogue_requests: list[dict[str, Any]] = field(default_factory=list)
    model_requests: int = 0
    before_answer: Callable[[], None] | None = None

    def __call__(self, request: Request) -> Reply:
        if request.headers.get("xi-api-key") != API_KEY:
            return _error(401, "invalid_api_key", "Invalid API key")
        if request.method == "GET" and request.path == "/v1/models":
            self.model_requests += 1
            return Reply.json(self._models())
        if request.method == "POST" and request.path == "/v1/text-to-dialogue/with-timestamps":
            return self._dialogue(request)
        return _error(404, "not_found", "no such endpoint")

    def _models(self) -> list[dict[str, Any]]:
        return [
            {"model_id": "eleven_multilingual_v2", "maximum_text_length_per_request": 10_000},
            {
                "model_id": MODEL,
                "can_do_text_to_speech": True,
                "max_characters_request_subscribed_user": self.limit * 10,
                **({"maximum_text_length_per_request": self.limit} if self.report_limit else {}),
            },
        ]

    def _dialogue(self, request: Request) -> Reply:
        body = request.json()
        self.dialogue_requests.append({"body": body, "query": request.query})
        if self.before_answer is not None:
            self.before_answer()
        if self.failures:
            return self.failures.pop(0)
        if body.get("model_id") != MODEL:
            return _error(400, "invalid_model", "unknown model")
        if any(item["voice_id"] not in VOICES for item in body["inputs"]):
            return _error(400, "voice_not_found", "A voice with the voice_id was not found.")
        total = sum(len(item["text"]) for item in body["inputs"])
        if total > self.limit:
            return _error(400, "max_character_limit_exceeded", f"{total} > {self.limit}")
        return Reply.json(dialogue(body["inputs"]))
