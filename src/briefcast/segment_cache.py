"""Rendered turns cached by content, so the same words in the same voice are paid for once.

A turn's key is a SHA-256 over its voice identity (provider, model, voice,
settings) and its exact text, so it is the same in every process and for
every listener. An entry is one object: a small JSON header (sample rate,
sample count, word timings) and the samples as 16-bit PCM. Timings survive
exactly; samples within 16-bit quantisation (exactly, for a voice that
renders 16-bit audio, as eSpeak does).
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import structlog

from briefcast.errors import NotFound, ProviderRejected
from briefcast.scripts import Turn
from briefcast.storage import Storage
from briefcast.voices import Rendered, Voice, WordTiming

__all__ = ["CacheStats", "SegmentCache", "cache_key", "decode_entry", "encode_entry"]

_MAGIC = b"BCSEG1\n"
_HEADER_LENGTH = struct.Struct(">I")
_SCALE = 32768.0  # int16 full scale: a sample of k/32768 comes back exactly
_CONTENT_TYPE = "application/octet-stream"

log = structlog.get_logger(__name__)


def cache_key(identity: Mapping[str, str], text: str) -> str:
    """SHA-256 (hex) of the canonical JSON of ``identity`` and ``text``."""
    canonical = json.dumps(
        {"identity": dict(identity), "text": text},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def encode_entry(rendered: Rendered) -> bytes:
    """One cache entry: magic, header length, JSON header, little-endian int16 samples."""
    header = json.dumps(
        {
            "sample_rate": rendered.sample_rate,
            "samples": len(rendered.samples),
            "words": [[w.start, w.end, w.text] for w in rendered.words],
        },
        ensure_ascii=False,
    ).encode("utf-8")
    # Scaling by a power of two is exact in float32, so no wider copy is needed.
    scaled = np.asarray(rendered.samples, dtype=np.float32) * np.float32(_SCALE)
    np.rint(scaled, out=scaled)
    np.clip(scaled, -32768, 32767, out=scaled)
    pcm = scaled.astype("<i2")
    return _MAGIC + _HEADER_LENGTH.pack(len(header)) + header + pcm.tobytes()


def decode_entry(data: bytes) -> Rendered:
    """The :class:`Rendered` in a cache entry; ``ValueError`` when it is damaged."""
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + _HEADER_LENGTH.size:
        raise ValueError("not a segment cache entry")
    start = len(_MAGIC) + _HEADER_LENGTH.size
    (length,) = _HEADER_LENGTH.unpack_from(data, len(_MAGIC))
    header: dict[str, Any] = json.loads(data[start : start + length].decode("utf-8"))
    pcm = np.frombuffer(data, dtype="<i2", offset=start + length)
    if len(pcm) != header["samples"]:
        raise ValueError(f"entry holds {len(pcm)} samples, its header says {header['samples']}")
    words = tuple(WordTiming(float(a), float(b), str(t)) for a, b, t in header["words"])
    samples = pcm.astype(np.float32)
    samples *= np.float32(1 / _SCALE)  # exact: a power of two
    return Rendered(samples, int(header["sample_rate"]), words)


class SegmentCache:
    """Rendered turns in a :class:`~briefcast.storage.Storage`, under their :func:`cache_key`."""

    def __init__(self, storage: Storage, prefix: str = "cache/segments") -> None:
        self._storage = storage
        self._prefix = prefix.strip("/")

    def path(self, key: str) -> str:
        # Two levels of fan-out keep directories small on a local disk.
        return f"{self._prefix}/{key[:2]}/{key}.pcm"

    def get(self, key: str) -> Rendered | None:
        """The cached render, or ``None`` when absent (or damaged, which is logged)."""
        try:
            data = self._storage.get(self.path(key))
        except NotFound:
            return None
        try:
            return decode_entry(data)
        except (ValueError, KeyError, TypeError) as exc:
            # A damaged entry costs a re-render, never an episode; it is rewritten.
            log.warning("segment_cache.damaged", key=key, error=str(exc))
            return None

    def put(self, key: str, rendered: Rendered) -> None:
        self._storage.put(self.path(key), encode_entry(rendered), _CONTENT_TYPE)

    def render_with_cache(
        self, voice: Voice, turns: Sequence[Turn]
    ) -> tuple[list[Rendered], CacheStats]:
        """Render ``turns`` through the cache: one voice call for all misses, none on full hits.

        A turn repeated within the call (same identity and text) is rendered
        once. Fresh renders are stored before this returns.
        """
        keys = _keys(voice, turns)
        unique = dict(zip(keys, turns, strict=True))  # the first turn of each key, in order
        found: dict[str, Rendered] = {}
        for key in unique:
            if (hit := self.get(key)) is not None:
                found[key] = hit
        missing = [key for key in unique if key not in found]
        # One voice request per chunk, each stored before the next is paid for: a
        # worker killed mid-synthesis loses at most the chunk in flight.
        for chunk in _chunks(missing, unique, getattr(voice, "max_request_chars", 0)):
            fresh = voice.render([unique[key] for key in chunk])
            if len(fresh) != len(chunk):
                raise ProviderRejected(
                    f"voice {voice.name} returned {len(fresh)} renders for {len(chunk)} turns"
                )
            for key, rendered in zip(chunk, fresh, strict=True):
                self.put(key, rendered)
                found[key] = rendered
        return [found[key] for key in keys], _stats(turns, keys, set(missing))


@dataclass(frozen=True)
class CacheStats:
    """What one :meth:`SegmentCache.render_with_cache` call paid for and what it reused."""

    turns: int
    synthesised_turns: int
    cached_turns: int
    repeated_turns: int
    characters_synthesised: int
    characters_from_cache: int
    characters_repeated: int

    @property
    def characters(self) -> int:
        return self.characters_synthesised + self.characters_from_cache + self.characters_repeated


def _chunks(keys: list[str], turns: Mapping[str, Turn], max_chars: int) -> list[list[str]]:
    """Split at turn boundaries into requests of at most ``max_chars`` (one turn each if 0)."""
    chunks: list[list[str]] = []
    size = 0
    for key in keys:
        length = len(turns[key].text)
        if not chunks or max_chars <= 0 or size + length > max_chars:
            chunks.append([])
            size = 0
        chunks[-1].append(key)
        size += length
    return chunks


def _keys(voice: Voice, turns: Sequence[Turn]) -> list[str]:
    identities: dict[str, dict[str, str]] = {}
    keys = []
    for turn in turns:
        if turn.speaker not in identities:
            identities[turn.speaker] = voice.identity(turn.speaker)
        keys.append(cache_key(identities[turn.speaker], turn.text))
    return keys


def _stats(turns: Sequence[Turn], keys: list[str], missing: set[str]) -> CacheStats:
    seen: set[str] = set()
    counts = {"synthesised": [0, 0], "cached": [0, 0], "repeated": [0, 0]}
    for turn, key in zip(turns, keys, strict=True):
        kind = "repeated" if key in seen else "synthesised" if key in missing else "cached"
        seen.add(key)
        counts[kind][0] += 1
        counts[kind][1] += len(turn.text)
    return CacheStats(
        turns=len(turns),
        synthesised_turns=counts["synthesised"][0],
        cached_turns=counts["cached"][0],
        repeated_turns=counts["repeated"][0],
        characters_synthesised=counts["synthesised"][1],
        characters_from_cache=counts["cached"][1],
        characters_repeated=counts["repeated"][1],
    )
