from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from briefcast.artwork import SIZE, cover_png, encode_png


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Walk the PNG chunk by chunk, checking every CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data)
        found.append((kind, data))
        at += 12 + length
    return found


def test_a_tiny_image_round_trips_through_the_png_layout() -> None:
    image = np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [9, 8, 7]]], dtype=np.uint8)
    parts = chunks(encode_png(image))
    assert [k for k, _ in parts] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", parts[0][1]) == (2, 2, 8, 2, 0, 0, 0)
    # Each row: filter byte 0, then the pixels as they are.
    assert zlib.decompress(parts[1][1]) == bytes([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 8, 7])


def test_the_cover_is_a_square_podcast_directories_accept() -> None:
    parts = dict(chunks(cover_png()))
    width, height, depth, colour = struct.unpack(">IIBB", parts[b"IHDR"][:10])
    assert width == height == SIZE and 1400 <= SIZE <= 3000
    assert (depth, colour) == (8, 2)
    pixels = zlib.decompress(parts[b"IDAT"])
    assert len(pixels) == SIZE * (1 + 3 * SIZE)
    assert len(cover_png()) < 512 * 1024  # apps fetch it often


def test_only_8_bit_rgb_is_encoded() -> None:
    with pytest.raises(ValueError, match="RGB"):
        encode_png(np.zeros((2, 2, 4), dtype=np.uint8))
