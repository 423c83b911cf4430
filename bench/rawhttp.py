"""A minimal HTTP/1.1 client for load generation: keep-alive connections, pre-built requests.

The load generator shares the machine with the server, so it must cost as little
CPU as possible; a general-purpose client spends several milliseconds per
request, this one a fraction of one. It speaks just enough HTTP for JSON APIs
answering with Content-Length.
"""

from __future__ import annotations

import asyncio
import json
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = ["Pool", "Reply"]


class Reply(NamedTuple):
    """An answer: its status (0 when the connection failed), headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def request(self, raw: bytes) -> Reply:
        self.writer.write(raw)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode()] = value.strip().decode()
        length = int(headers.get("content-length", 0))
        body = await self.reader.readexactly(length) if length else b""
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            raise ConnectionResetError("server asked to close")
        return Reply(status, headers, body)


class Pool:
    """Up to ``size`` keep-alive connections to one server."""

    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._free: asyncio.Queue[_Connection] = asyncio.Queue()
        self._slots = asyncio.Semaphore(size)

    async def post_json(self, path: str, body: object, headers: dict[str, str]) -> int:
        """The status code only, or 0 when the connection failed."""
        return (await self.send_json(path, body, headers)).status

    async def send_json(self, path: str, body: object, headers: dict[str, str]) -> Reply:
        """POST ``body`` as JSON; the whole answer (status 0 when the connection failed)."""
        payload = json.dumps(body).encode()
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        raw = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n{head}\r\n"
        ).encode() + payload
        async with self._slots:
            connection = self._free.get_nowait() if not self._free.empty() else await self._open()
            try:
                reply = await connection.request(raw)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                connection.writer.close()
                return Reply(0, {}, b"")
            self._free.put_nowait(connection)
            return reply

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return _Connection(reader, writer)

    async def close(self) -> None:
        while not self._free.empty():
            self._free.get_nowait().writer.close()
