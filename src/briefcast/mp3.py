"""MP3 in and out: constant bit-rate mono encoding, checking while encoding, ID3 tags.

LAME (through lameenc) encodes; miniaudio decodes, the way a player would;
mutagen writes ID3v2.3 tags with chapters (CHAP) and their table (CTOC).
"""

from __future__ import annotations

import functools
import importlib
import io
import math
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from briefcast import audio_qa
from briefcast.errors import AudioQualityError, ConfigurationError
from briefcast.transcripts import Chapter

__all__ = ["Mp3Format", "codec_gain_db", "encode_and_inspect", "encode_mp3", "tag_mp3"]

Samples = npt.NDArray[np.float32]

_MPEG1_RATES = (32_000, 44_100, 48_000)
_MPEG2_RATES = (16_000, 22_050, 24_000)
_MPEG1_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_BITRATES = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_DECODE_FRAMES = 1 << 16


@dataclass(frozen=True)
class Mp3Format:
    """A constant bit-rate mono MP3 format; ``quality`` is LAME's, 2 (best) to 7 (fastest)."""

    sample_rate: int
    bitrate_kbps: int
    quality: int = 5

    def __post_init__(self) -> None:
        if self.sample_rate not in _MPEG1_RATES + _MPEG2_RATES:
            raise ConfigurationError(f"MP3 cannot be encoded at {self.sample_rate} Hz")
        allowed = _MPEG1_BITRATES if self.sample_rate in _MPEG1_RATES else _MPEG2_BITRATES
        if self.bitrate_kbps not in allowed:
            raise ConfigurationError(
                f"{self.bitrate_kbps} kbit/s is not an MP3 bit rate at {self.sample_rate} Hz"
            )
        if not 0 <= self.quality <= 9:
            raise ConfigurationError(f"LAME quality must be 0-9, not {self.quality}")


def _encoded_pieces(blocks: Iterator[Samples], fmt: Mp3Format) -> Iterator[bytes]:
    import lameenc

    encoder = lameenc.Encoder()
    try:
        encoder.set_bit_rate(fmt.bitrate_kbps)
        encoder.set_in_sample_rate(fmt.sample_rate)
        encoder.set_channels(1)
        encoder.set_quality(fmt.quality)
    except RuntimeError as exc:
        raise ConfigurationError(f"LAME refused the MP3 format {fmt}") from exc
    for block in blocks:
        pcm = np.clip(np.rint(block * 32767.0), -32768, 32767).astype(np.int16)
        yield bytes(encoder.encode(pcm.tobytes()))
    yield bytes(encoder.flush())


def encode_mp3(blocks: Iterator[Samples], fmt: Mp3Format) -> bytes:
    """The MP3 of float blocks in ``[-1, 1]``, rounded to 16 bits."""
    return b"".join(_encoded_pieces(blocks, fmt))


class _Pipe:
    """MP3 bytes passed from the encoding thread to the decoder, read like a file.

    Everything received is kept (it is the finished MP3), so the decoder may
    seek back over what it has already read.
    """

    def __init__(self) -> None:
        self.data = bytearray()
        self.error: BaseException | None = None
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._position = 0
        self._ended = False

    def produce(self, blocks: Iterator[Samples], fmt: Mp3Format) -> None:
        """Encode ``blocks``, handing each piece of MP3 on as it is made."""
        try:
            for piece in _encoded_pieces(blocks, fmt):
                self._queue.put(piece)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self.error = exc
        finally:
            self._queue.put(None)

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes, waiting for the encoder; fewer only at the end."""
        self._receive(self._position + size)
        data = bytes(self.data[self._position : self._position + size])
        self._position += len(data)
        return data

    def seek(self, offset: int, from_start: bool) -> bool:
        target = offset if from_start else self._position + offset
        self._receive(target)
        if not 0 <= target <= len(self.data):
            return False
        self._position = target
        return True

    def finish(self) -> bytes:
        """Everything the encoder made, once it has stopped."""
        self._receive(math.inf)
        return bytes(self.data)

    def _receive(self, until: float) -> None:
        while len(self.data) < until and not self._ended:
            piece = self._queue.get()
            if piece is None:
                self._ended = True
            else:
                self.data += piece


def encode_and_inspect(
    blocks: Iterator[Samples], fmt: Mp3Format
) -> tuple[bytes, audio_qa.AudioReport]:
    """Encode ``blocks`` and measure the decoded result, both at once.

    The encoder runs in a thread (LAME releases the GIL) while this thread
    decodes and measures each piece as it arrives, so checking the MP3 costs
    little more than making it. The report equals ``audio_qa.inspect`` of the
    returned bytes.
    """
    pipe = _Pipe()
    worker = threading.Thread(target=pipe.produce, args=(blocks, fmt), daemon=True)
    worker.start()
    try:
        report = _measure_stream(pipe, fmt.sample_rate)
    except Exception:
        worker.join()
        if pipe.error is not None:  # a failed encoder explains a failed decode
            raise pipe.error from None
        raise
    worker.join()
    if pipe.error is not None:
        raise pipe.error
    return pipe.finish(), report


def _measure_stream(pipe: _Pipe, rate: int) -> audio_qa.AudioReport:
    """Decode the MP3 arriving through ``pipe`` and measure it."""
    import miniaudio

    class Source(miniaudio.StreamableSource):  # type: ignore[misc]  # untyped base class
        def read(self, num_bytes: int) -> bytes:
            return pipe.read(num_bytes)

        def seek(self, offset: int, origin: miniaudio.SeekOrigin) -> bool:
            return pipe.seek(offset, origin == miniaudio.SeekOrigin.START)

    # The decoder holds only a C handle to its source, so the source is kept referenced here.
    source = Source()
    try:
        stream = miniaudio.stream_any(
            source,
            source_format=miniaudio.FileFormat.MP3,
            output_format=miniaudio.SampleFormat.FLOAT32,
            nchannels=1,
            sample_rate=rate,
            frames_to_read=_DECODE_FRAMES,
        )
        return audio_qa.measure(rate, (np.frombuffer(c, dtype=np.float32) for c in stream))
    except miniaudio.MiniaudioError as exc:
        raise AudioQualityError("The encoded episode could not be decoded again.") from exc
    finally:
        source.close()


@functools.cache
def codec_gain_db(fmt: Mp3Format) -> float:
    """How much encoding changes the level, measured once per process and format.

    LAME as built into lameenc scales its input (by 0.95, about -0.45 dB). A
    steady 1 kHz tone at -12 dBFS is encoded and decoded, and the change in its
    level over the middle second is the codec's gain.
    """
    rate = fmt.sample_rate
    tone = (0.25 * np.sin(2 * np.pi * 1000 * np.arange(3 * rate) / rate)).astype(np.float32)
    _, blocks = audio_qa.decode_blocks(encode_mp3(iter([tone]), fmt))
    decoded = np.concatenate(list(blocks))
    middle = slice(rate, 2 * rate)
    return float(20 * np.log10(_rms(decoded[middle]) / _rms(tone[middle])))


def _rms(samples: Samples) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def tag_mp3(
    mp3: bytes,
    *,
    title: str,
    album: str,
    artist: str,
    day: date,
    comments: Sequence[tuple[str, str]],
    length_seconds: float,
    chapters: Sequence[Chapter],
    url: str | None = None,
) -> bytes:
    """``mp3`` behind an ID3v2.3 tag with these frames and one chapter per :class:`Chapter`.

    ``comments`` are ``(description, text)`` pairs; players show the one with
    an empty description.
    """
    id3 = _id3()
    tags = id3.ID3()
    for frame in (
        id3.TIT2(encoding=3, text=[title]),
        id3.TALB(encoding=3, text=[album]),
        id3.TPE1(encoding=3, text=[artist]),
        id3.TCON(encoding=3, text=["Podcast"]),
        # Saved as v2.3, mutagen turns the recording time into TYER and TDAT.
        id3.TDRC(encoding=3, text=[day.isoformat()]),
        id3.TLEN(encoding=3, text=[str(round(length_seconds * 1000))]),
        *(id3.COMM(encoding=3, lang="eng", desc=desc, text=[text]) for desc, text in comments),
        *_chapter_frames(chapters),
    ):
        tags.add(frame)
    if url:
        tags.add(id3.WXXX(encoding=3, desc="episode", url=url))
    # The tag is made on its own and put in front: one copy of the audio, not three.
    buffer = io.BytesIO()
    tags.save(buffer, v2_version=3, padding=lambda _info: 0)
    return buffer.getvalue() + mp3


def _id3() -> Any:
    """mutagen's ID3 module; its frame classes are untyped, so they are reached as Any."""
    return importlib.import_module("mutagen.id3")


def _chapter_frames(chapters: Sequence[Chapter]) -> list[Any]:
    id3 = _id3()
    ids = [f"chp{number}" for number in range(len(chapters))]
    frames: list[Any] = [
        id3.CTOC(
            element_id="toc",
            flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[id3.TIT2(encoding=3, text=["Chapters"])],
        )
    ]
    for element_id, chapter in zip(ids, chapters, strict=True):
        frames.append(
            id3.CHAP(
                element_id=element_id,
                start_time=round(chapter.start * 1000),
                end_time=round(chapter.end * 1000),
                # No byte offsets: players seek by time.
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[id3.TIT2(encoding=3, text=[chapter.title])],
            )
        )
    return frames
