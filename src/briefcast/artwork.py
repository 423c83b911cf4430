"""The show's cover art, drawn in code: a square PNG podcast apps accept.

Podcast directories ask for square artwork of 1400 to 3000 pixels. The
picture is a night-blue field that lightens towards the bottom and a row of
gold bars, like a voice's level meter, over a thin gold baseline. It is drawn
with numpy and written as an 8-bit RGB PNG by :func:`encode_png`.
"""

from __future__ import annotations

import math
import struct
import zlib
from functools import lru_cache

import numpy as np

__all__ = ["SIZE", "cover_png", "encode_png"]

SIZE = 1400
_TOP = np.array([12, 24, 54], dtype=np.float32)
_BOTTOM = np.array([28, 52, 102], dtype=np.float32)
_GOLD = np.array([242, 177, 52], dtype=np.uint8)
_BARS = 13


@lru_cache(maxsize=1)
def cover_png() -> bytes:
    """The cover art as PNG bytes (drawn once per process)."""
    return encode_png(_draw(SIZE))


def _draw(size: int) -> np.ndarray:
    shade = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None]
    column = (_TOP * (1 - shade) + _BOTTOM * shade).astype(np.uint8)
    image = np.repeat(column[:, None, :], size, axis=1)
    _draw_bars(image, size)
    base = int(size * 0.70)
    image[base : base + size // 140, size // 8 : size - size // 8] = _GOLD
    return image


def _draw_bars(image: np.ndarray, size: int) -> None:
    left, right = size // 8, size - size // 8
    pitch = (right - left) / _BARS
    width = int(pitch * 0.55)
    floor = int(size * 0.68)
    for index in range(_BARS):
        # Tall in the middle, with a wobble so it reads as speech, not a bell curve.
        middle = 1.0 - abs(index - (_BARS - 1) / 2) / (_BARS / 2)
        level = 0.18 + 0.62 * middle * (0.75 + 0.25 * math.sin(index * 1.9))
        top = floor - int(level * size * 0.5)
        x = int(left + index * pitch + (pitch - width) / 2)
        image[top:floor, x : x + width] = _GOLD


def encode_png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB image (height × width × 3) as PNG bytes."""
    height, width, channels = rgb.shape
    if channels != 3 or rgb.dtype != np.uint8:
        raise ValueError("encode_png takes an 8-bit RGB array")
    rows = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rgb.reshape(height, -1)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
