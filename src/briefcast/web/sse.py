"""Server-Sent Events on the wire: message framing and a response that notices hang-ups."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import anyio
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

__all__ = ["EventStreamResponse", "comment", "message"]


def message(event_id: str, event: str, data: dict[str, Any], *, retry_ms: int | None = None) -> str:
    """One SSE message; ``data`` is JSON on a single line."""
    lines = []
    if retry_ms is not None:
        lines.append(f"retry: {retry_ms}")
    lines += [
        f"id: {event_id}",
        f"event: {event}",
        "data: " + json.dumps(data, separators=(",", ":")),
    ]
    return "\n".join(lines) + "\n\n"


def comment(text: str) -> str:
    """A comment line: ignored by clients, keeps proxies and idle timers from closing the stream."""
    return f": {text}\n\n"


class EventStreamResponse(StreamingResponse):
    """A ``text/event-stream`` response that stops its generator when the client hangs up.

    Waiting for the next event can take minutes; rather than learn of a
    closed connection only at the next write, a second task watches for the
    disconnect message and cancels the stream, so the subscription is
    released at once.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        base = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        super().__init__(
            content, status_code, headers=base | (headers or {}), background=background
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:

            async def stream() -> None:
                with contextlib.suppress(OSError):  # the client went away mid-write
                    await self.stream_response(send)
                group.cancel_scope.cancel()

            group.start_soon(stream)
            await self.listen_for_disconnect(receive)
            group.cancel_scope.cancel()
        # Runs even when the stream never started (the client left at once).
        if self.background is not None:
            await self.background()
