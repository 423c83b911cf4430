"""Live events over Server-Sent Events: one podcast's, or all of the caller's.

Authentication is the usual ``Authorization: Bearer <key>``; because a
browser's ``EventSource`` cannot send headers, these two endpoints (and only
these) also accept the key as ``?access_token=<key>``. The query string is
removed from access logs (:class:`RedactAccessTokens`) and never logged by
briefcast itself.

Every message has an id. A client that reconnects with ``Last-Event-ID``
(EventSource does so by itself) first receives every event it missed, in
order, then live ones. A podcast's stream ends after its final event
(completed, failed, cancelled); reconnecting to a finished stream is answered
``204 No Content``, which tells EventSource to stop.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.background import BackgroundTask

from briefcast import events
from briefcast.db import Database
from briefcast.events import Event
from briefcast.live import (
    FINAL_EVENTS,
    LAST_EVENT_ID_PATTERN,
    EventHub,
    PositionChange,
    StreamEnd,
    Subscription,
    parse_last_event_id,
)
from briefcast.live import Item as HubItem
from briefcast.users import User
from briefcast.web.deps import Services, Unauthorized
from briefcast.web.schemas import ERROR_JSON
from briefcast.web.sse import EventStreamResponse, comment, message

__all__ = ["RedactAccessTokens", "router"]

router = APIRouter(tags=["events"])

_bearer = HTTPBearer(auto_error=False, description="Your API key")
# A stream whose client stopped reading is closed rather than buffered for ever;
# the client reconnects with Last-Event-ID and loses nothing.
_MAX_BACKLOG = 5_000
_RETRY_MS = 2_000
_REPLAY_PAGE = 500
_TOKEN = re.compile(r"(access_token=)[^&\s]*")

# One message of the stream (OpenAPI 3.1 has an event stream's schema describe each event).
# It replaces the plain string FastAPI puts there for a streaming response class.
_EVENT = {
    "type": "object",
    "required": ["id", "event", "data"],
    "properties": {
        "id": {"type": "string", "description": "Send it back as Last-Event-ID to resume."},
        "event": {"type": "string", "enum": list(events.EVENT_TYPES)},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "The event as JSON: podcast_id, type, at, status and the event's own fields.",
        },
    },
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {"schema": _EVENT}},
        "description": "A stream of events: queued, position, stage, retry, completed, "
        "failed, cancelled",
    },
    204: {"description": "The podcast is finished and nothing was missed: stop reconnecting"},
    401: {"content": ERROR_JSON, "description": "Missing or invalid API key"},
    404: {"content": ERROR_JSON, "description": "No such podcast for this listener"},
    422: {"content": ERROR_JSON, "description": "Invalid request or Last-Event-ID"},
}


class RedactAccessTokens(logging.Filter):
    """Blanks ``access_token=`` values in log records (uvicorn's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _TOKEN.sub(r"\1***", record.msg)
        return True


def _stream_user(
    runtime: Services,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    access_token: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Your API key, for clients that cannot send headers (EventSource). "
            "Prefer the Authorization header.",
        ),
    ] = None,
) -> User:
    key = credentials.credentials if credentials is not None else access_token
    if not key:
        raise Unauthorized(
            "send your API key as 'Authorization: Bearer <key>' or '?access_token=<key>'"
        )
    user = runtime.users.by_api_key(key)
    if user is None:
        raise Unauthorized("this API key is not valid")
    return user


StreamUser = Annotated[User, Depends(_stream_user)]
# A string defaulting to empty (no header) rather than an optional one: the document then
# says "a string of this form", not "a string of this form, or null".
LastEventId = Annotated[
    str,
    Header(
        alias="Last-Event-ID",
        max_length=40,
        # Checked by parse_last_event_id, whose refusal says what the header is for.
        json_schema_extra={"pattern": LAST_EVENT_ID_PATTERN},
        description="Resume after this event",
    ),
]


@router.get(
    "/api/podcasts/{podcast_id}/events",
    response_class=EventStreamResponse,
    responses=_ERRORS,
)
async def podcast_events(
    podcast_id: str, user: StreamUser, runtime: Services, last_event_id: LastEventId = ""
) -> Response:
    """This podcast's events; without Last-Event-ID, its whole history first."""
    resume = parse_last_event_id(last_event_id)
    podcast, _ = await run_in_threadpool(runtime.podcasts.get, user.id, podcast_id)
    stream = _Stream(runtime.hub, runtime.db, user.id, podcast_id)
    await stream.open(
        after_id=resume.after_id if resume else 0,
        seen_position=resume.position if resume else None,
    )
    if resume is not None and podcast.is_final and not stream.replay:
        stream.close()
        return Response(status_code=204)
    return EventStreamResponse(
        stream.messages(runtime.settings.sse_keepalive_seconds),
        background=BackgroundTask(stream.close),
    )


@router.get("/api/events", response_class=EventStreamResponse, responses=_ERRORS)
async def my_events(
    user: StreamUser, runtime: Services, last_event_id: LastEventId = ""
) -> Response:
    """Events of all the caller's podcasts; without Last-Event-ID, from now on."""
    resume = parse_last_event_id(last_event_id)
    stream = _Stream(runtime.hub, runtime.db, user.id, None)
    await stream.open(after_id=resume.after_id if resume else None, seen_position=None)
    return EventStreamResponse(
        stream.messages(runtime.settings.sse_keepalive_seconds),
        background=BackgroundTask(stream.close),
    )


class _Stream:
    """One client's stream: a hub subscription plus the events it missed."""

    def __init__(self, hub: EventHub, db: Database, user_id: str, podcast_id: str | None) -> None:
        self._hub = hub
        self._db = db
        self._user_id = user_id
        self._podcast_id = podcast_id
        self._inbox: asyncio.Queue[HubItem] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._sub: Subscription | None = None
        self.replay: list[Event] = []

    async def open(self, *, after_id: int | None, seen_position: int | None) -> None:
        """Subscribe, then read what was missed (up to where the subscription takes over)."""
        self._sub = self._hub.subscribe(
            self._user_id, self._podcast_id, self._deliver, seen_position=seen_position
        )
        if after_id is not None:
            self.replay = await run_in_threadpool(self._read_missed, after_id, self._sub.cursor)

    def close(self) -> None:
        if self._sub is not None:
            self._hub.unsubscribe(self._sub)

    def _deliver(self, item: HubItem) -> None:
        """Called from the hub's thread."""
        if self._inbox.qsize() > _MAX_BACKLOG:
            self._loop.call_soon_threadsafe(self._inbox.put_nowait, StreamEnd("too far behind"))
            raise OverflowError("stream backlog full")
        self._loop.call_soon_threadsafe(self._inbox.put_nowait, item)

    def _read_missed(self, after_id: int, upto: int) -> list[Event]:
        missed: list[Event] = []
        while True:
            with self._db.read() as conn:
                page = events.since(
                    conn,
                    after_id=after_id,
                    user_id=self._user_id,
                    podcast_id=self._podcast_id,
                    limit=_REPLAY_PAGE,
                )
            missed += [e for e in page if e.id <= upto]
            if len(page) < _REPLAY_PAGE or page[-1].id >= upto:
                return missed
            after_id = page[-1].id

    async def messages(self, keepalive: float) -> AsyncIterator[str]:
        try:
            yield f"retry: {_RETRY_MS}\n\n"
            for event in self.replay:
                yield _event_message(event)
            if self._ends_with(self.replay[-1:]):
                return
            async for text in self._live(keepalive):
                yield text
        finally:
            self.close()

    async def _live(self, keepalive: float) -> AsyncIterator[str]:
        while True:
            try:
                item = await asyncio.wait_for(self._inbox.get(), keepalive)
            except TimeoutError:
                yield comment("keep-alive")
                continue
            if isinstance(item, StreamEnd):
                return
            if isinstance(item, PositionChange):
                yield message(item.id, "position", item.to_json())
                continue
            yield _event_message(item)
            if self._ends_with([item]):
                return

    def _ends_with(self, last: list[Event]) -> bool:
        return self._podcast_id is not None and bool(last) and last[-1].type in FINAL_EVENTS


def _event_message(event: Event) -> str:
    return message(str(event.id), event.type, event.to_json())
