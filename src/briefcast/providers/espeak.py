"""The offline voice: eSpeak NG, loaded from the ``espeakng-loader`` wheel with ctypes.

No system package and no subprocess: the shared library and its voice data ship
in the wheel. Synthesis runs in ``AUDIO_OUTPUT_SYNCHRONOUS`` mode, where a
callback receives the 16-bit samples and the word events as they are produced,
so every :class:`~briefcast.voices.Rendered` carries the word timings eSpeak
itself reported.

eSpeak keeps one global state and is not thread-safe, so this module owns one
engine per process, created on first use, and lets one synthesis run at a time.
"""

from __future__ import annotations

import bisect
import ctypes
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from briefcast.errors import (
    ConfigurationError,
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
)
from briefcast.scripts import Turn
from briefcast.voices import Rendered, WordTiming

__all__ = ["DEFAULT_PITCH", "DEFAULT_VOICES", "EspeakVoice"]

DEFAULT_VOICES: Mapping[str, str] = MappingProxyType({"Maya": "en-us+f3", "Theo": "en-us+m3"})
#: eSpeak's base pitch, 0-100; 50 is the voice's own. Nudged apart so the hosts
#: differ in more than timbre (f3 sits near 210 Hz, m3 near 100 Hz at 50).
DEFAULT_PITCH: Mapping[str, int] = MappingProxyType({"Maya": 55, "Theo": 45})

# Values from eSpeak NG's speak_lib.h (API revision 12).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EE_OK, _EE_INTERNAL_ERROR, _EE_BUFFER_FULL, _EE_NOT_FOUND = 0, -1, 1, 2
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH, _PARAM_RANGE = 1, 2, 3, 4
_BUFFER_MS = 250  # fewer, larger callbacks; the length has no effect on the sound
_PITCH_RANGE = 50  # eSpeak's normal intonation range
_RANDOM_SEED = 1

#: Words a trailing-silence sample must exceed, relative to the turn's peak (-40 dB).
_SILENCE_RATIO = 0.01

#: Read once per voice setting to measure its speaking rate. Written like the
#: briefings themselves — long legislative words, numbers spelled out, names —
#: because eSpeak reads such text markedly slower than short plain words.
CALIBRATION_PASSAGE = (
    "Good morning, and welcome back. Our first bill today is H.R. forty-three fifty, "
    "the Rural Broadband Infrastructure Modernization Act, introduced by Representative "
    "Elena Marquez, a Democrat from New Mexico, with twenty-seven cosponsors. It would "
    "authorize one point two billion dollars in competitive grants for communities "
    "without reliable internet service, and it would require the Federal Communications "
    "Commission to publish updated coverage maps every six months. The bill was referred "
    "to the Committee on Energy and Commerce on March fifth, twenty twenty-six. If the "
    "committee reports it favorably, the full House could consider it before the "
    "appropriations deadline in September, and then the Senate would take it up."
)


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # characters from the start, counting from 1
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # milliseconds into this message's audio
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass
class _Capture:
    """What one synthesis produced: sample chunks and (character, millisecond) words."""

    chunks: list[npt.NDArray[np.int16]] = field(default_factory=list)
    words: list[tuple[int, int]] = field(default_factory=list)
    error: BaseException | None = None


@dataclass(frozen=True)
class _Settings:
    """Everything that makes one speaker sound the way it does."""

    voice: str
    rate: int
    pitch: int
    range: int = _PITCH_RANGE
    volume: int = 100

    def describe(self) -> str:
        return f"rate={self.rate},pitch={self.pitch},range={self.range},volume={self.volume}"


class _Engine:
    """The process's eSpeak NG library, initialised for synchronous retrieval."""

    def __init__(self) -> None:
        self._lib = _load_library()
        self.sample_rate = self._initialise()
        self.version = self._version()
        self._seedable = hasattr(self._lib, "espeak_ng_SetRandSeed")  # since eSpeak NG 1.52
        self._capture = _Capture()
        # Kept on the instance: ctypes must not collect a callback C still holds.
        self._callback = _SynthCallback(self._on_audio)
        self._lib.espeak_SetSynthCallback(self._callback)

    def synthesize(self, text: str, settings: _Settings) -> _Capture:
        """Speak ``text`` with ``settings``; the caller holds the module lock."""
        self._apply(settings)
        # eSpeak seeds its voice variation from the clock; a fixed seed makes a
        # process's renders repeatable. (Equal text is still not bit-identical
        # within a process: eSpeak's pitch flutter runs on from the last render.)
        if self._seedable:
            self._lib.espeak_ng_SetRandSeed(_RANDOM_SEED)
        self._capture = capture = _Capture()
        data = text.encode("utf-8")
        status = self._lib.espeak_Synth(
            data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        _raise_for_status(status, "synthesis")
        if capture.error is not None:
            raise ProviderUnavailable("eSpeak NG audio callback failed") from capture.error
        return capture

    def _apply(self, settings: _Settings) -> None:
        status = self._lib.espeak_SetVoiceByName(settings.voice.encode("utf-8"))
        if status == _EE_NOT_FOUND:
            raise ProviderRejected(f"eSpeak NG has no voice named {settings.voice!r}")
        _raise_for_status(status, f"choosing voice {settings.voice!r}")
        for parameter, value in (
            (_PARAM_RATE, settings.rate),
            (_PARAM_PITCH, settings.pitch),
            (_PARAM_RANGE, settings.range),
            (_PARAM_VOLUME, settings.volume),
        ):
            _raise_for_status(self._lib.espeak_SetParameter(parameter, value, 0), "settings")

    def _on_audio(self, wav: Any, count: int, events: Any) -> int:
        # An exception must not escape into C; keep it and abort the synthesis.
        try:
            if count > 0:
                self._capture.chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            index = 0
            while events[index].type != _EVENT_LIST_TERMINATED:
                event = events[index]
                if event.type == _EVENT_WORD:
                    self._capture.words.append((event.text_position, event.audio_position))
                index += 1
        except Exception as exc:
            self._capture.error = exc
            return 1
        return 0

    def _initialise(self) -> int:
        data_path = _data_path()
        rate = int(
            self._lib.espeak_Initialize(
                _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data_path.encode(), _INITIALIZE_DONT_EXIT
            )
        )
        if rate <= 0:
            raise ConfigurationError(f"eSpeak NG could not start with its data at {data_path}")
        return rate

    def _version(self) -> str:
        path = ctypes.c_char_p()
        raw = self._lib.espeak_Info(ctypes.byref(path))
        return raw.decode("ascii", "replace") if raw else "unknown"


def _load_library() -> ctypes.CDLL:
    try:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
    except (ImportError, OSError) as exc:
        raise ConfigurationError("the espeakng-loader wheel's library cannot be loaded") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    if hasattr(lib, "espeak_ng_SetRandSeed"):
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
    ]  # fmt: skip
    return lib


def _data_path() -> str:
    import espeakng_loader

    try:
        return str(espeakng_loader.get_data_path())
    except RuntimeError as exc:
        raise ConfigurationError("the espeakng-loader wheel has no voice data") from exc


def _raise_for_status(status: int, doing: str) -> None:
    if status == _EE_OK:
        return
    if status == _EE_BUFFER_FULL:
        raise ProviderBusy(f"eSpeak NG buffer full while {doing}", retry_after=1.0)
    raise ProviderUnavailable(f"eSpeak NG failed while {doing} (status {status})")


_lock = threading.Lock()
_engine: _Engine | None = None
_measured_wpm: dict[tuple[str, _Settings], float] = {}


def _renew_lock_after_fork() -> None:
    # A lock held by another thread at fork() would stay held forever in the child.
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_renew_lock_after_fork)


def _engine_locked() -> _Engine:
    """The process's engine, created on first use; call with the lock held."""
    global _engine
    if _engine is None:
        _engine = _Engine()
    return _engine


class EspeakVoice:
    """A :class:`~briefcast.voices.Voice` reading each host with its own eSpeak voice.

    ``voices`` maps each speaker to an eSpeak voice name with an optional
    ``+variant``; ``pitch`` maps speakers to eSpeak's base pitch (0-100,
    default :data:`DEFAULT_PITCH`, else 50). ``rate_wpm`` is the nominal rate
    handed to eSpeak; :meth:`words_per_minute` reports the measured one.
    """

    name = "espeak-ng"

    def __init__(
        self,
        voices: Mapping[str, str] = DEFAULT_VOICES,
        rate_wpm: int = 165,
        pitch: dict[str, int] | None = None,
    ) -> None:
        if not 80 <= rate_wpm <= 450:
            raise ConfigurationError(f"eSpeak rate must be 80-450 words a minute, not {rate_wpm}")
        pitches = dict(DEFAULT_PITCH) if pitch is None else pitch
        self._settings = {
            speaker: _Settings(voice, rate_wpm, _checked_pitch(pitches.get(speaker, 50)))
            for speaker, voice in voices.items()
        }

    def identity(self, speaker: str) -> dict[str, str]:
        settings = self._speaker(speaker)
        with _lock:
            version = _engine_locked().version
        return {
            "provider": self.name,
            "model": version,
            "voice": settings.voice,
            "settings": settings.describe(),
        }

    def render(self, turns: Sequence[Turn]) -> list[Rendered]:
        return [self._render_one(turn) for turn in turns]

    def words_per_minute(self, speaker: str) -> float:
        """Words a minute measured by reading :data:`CALIBRATION_PASSAGE` once per process."""
        settings = self._speaker(speaker)
        with _lock:
            engine = _engine_locked()
            key = (engine.version, settings)
            if key not in _measured_wpm:
                capture = engine.synthesize(CALIBRATION_PASSAGE, settings)
                seconds = sum(len(chunk) for chunk in capture.chunks) / engine.sample_rate
                _measured_wpm[key] = len(CALIBRATION_PASSAGE.split()) * 60.0 / seconds
            return _measured_wpm[key]

    def _speaker(self, speaker: str) -> _Settings:
        try:
            return self._settings[speaker]
        except KeyError:
            raise ProviderRejected(f"no eSpeak voice is set up for speaker {speaker!r}") from None

    def _render_one(self, turn: Turn) -> Rendered:
        settings = self._speaker(turn.speaker)
        text = turn.text.replace("\x00", " ")
        with _lock:
            engine = _engine_locked()
            rate = engine.sample_rate
            capture = engine.synthesize(text, settings) if text.strip() else _Capture()
        samples = _to_float(capture.chunks)
        return Rendered(samples, rate, word_timings(text, capture.words, samples, rate))


def _checked_pitch(value: int) -> int:
    if not 0 <= value <= 100:
        raise ConfigurationError(f"eSpeak pitch must be 0-100, not {value}")
    return value


def _to_float(chunks: list[npt.NDArray[np.int16]]) -> npt.NDArray[np.float32]:
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32) / np.float32(32768.0)


def word_timings(
    text: str,
    events: Sequence[tuple[int, int]],
    samples: npt.NDArray[np.float32],
    rate: int,
) -> tuple[WordTiming, ...]:
    """Turn eSpeak's word events into one timing per spoken word of ``text``.

    ``events`` are ``(text_position, audio_ms)`` pairs, positions counted in
    characters from 1. eSpeak may report one written word several times (a
    number read as "fifty two") or skip one (a dash); each written word is
    attributed to the first event inside it, and unreported words join the
    timed word before them, so the timings' texts, joined by spaces, are the
    words of ``text`` in order. A word ends where the next begins, or at the
    end of the audio, pulled back over trailing silence.
    """
    spans = [match.span() for match in re.finditer(r"\S+", text)]
    starts = _first_event_per_word(events, spans, len(samples) / rate)
    if not starts:
        return ()
    groups = _group_words(spans, [index for index, _ in starts])
    bounds = [time for _, time in starts] + [len(samples) / rate]
    threshold = _SILENCE_RATIO * float(np.abs(samples).max(initial=0.0))
    timings = []
    for (first, last), begin, limit in zip(groups, bounds, bounds[1:], strict=False):
        end = _last_sound(samples, rate, begin, limit, threshold)
        words = " ".join(text[a:b] for a, b in spans[first : last + 1])
        timings.append(WordTiming(begin, end, words))
    return tuple(timings)


def _first_event_per_word(
    events: Sequence[tuple[int, int]], spans: list[tuple[int, int]], duration: float
) -> list[tuple[int, float]]:
    """``(word index, start seconds)`` for each word eSpeak reported, in order."""
    word_starts = [start for start, _ in spans]
    found: list[tuple[int, float]] = []
    for position, milliseconds in events:
        index = bisect.bisect_right(word_starts, position - 1) - 1
        if index < 0 or position - 1 >= spans[index][1]:
            index += 1  # the event points at the gap before a word
        if index >= len(spans) or (found and index <= found[-1][0]):
            continue
        time = min(max(milliseconds / 1000.0, found[-1][1] if found else 0.0), duration)
        found.append((index, time))
    return found


def _group_words(spans: list[tuple[int, int]], timed: list[int]) -> list[tuple[int, int]]:
    """Inclusive word-index ranges, one per timed word, covering every word."""
    firsts = [0, *timed[1:]]
    lasts = [nxt - 1 for nxt in timed[1:]] + [len(spans) - 1]
    return list(zip(firsts, lasts, strict=True))


def _last_sound(
    samples: npt.NDArray[np.float32], rate: int, begin: float, limit: float, threshold: float
) -> float:
    """The end of the last sample louder than ``threshold`` in ``[begin, limit)``."""
    first, stop = round(begin * rate), round(limit * rate)
    loud = np.flatnonzero(np.abs(samples[first:stop]) > threshold)
    return begin if loud.size == 0 else min(limit, (first + int(loud[-1]) + 1) / rate)
