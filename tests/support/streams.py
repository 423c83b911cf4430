"""Reading Server-Sent Events in tests, and serving an app in a thread for them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from httpx_sse import EventSource, connect_sse

from tests.support.server import free_port

FINAL = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class Seen:
    id: str
    event: str
    data: dict[str, Any]


@contextmanager
def serve_app(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under a real uvicorn server in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


class Events:
    """One open stream, read in several goes."""

    def __init__(self, source: EventSource) -> None:
        self.source = source
        self.messages = source.iter_sse()


@contextmanager
def stream(
    client: httpx.Client, url: str, *, headers: dict[str, str] | None = None
) -> Iterator[Events]:
    with connect_sse(client, "GET", url, headers=headers or {}) as source:
        yield Events(source)


def read_until(events: Events, stop: tuple[str, ...] = FINAL, *, limit: int = 1000) -> list[Seen]:
    """Events up to and including the first whose type is in ``stop``."""
    seen: list[Seen] = []
    for sse in events.messages:
        if not sse.event or sse.event == "message":
            continue
        seen.append(Seen(sse.id, sse.event, json.loads(sse.data)))
        if sse.event in stop or len(seen) >= limit:
            break
    return seen
