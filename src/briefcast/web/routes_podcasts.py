"""Podcast endpoints: request, read, list, cancel, retry, and the episode's files."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse

from briefcast import metrics
from briefcast.errors import NotFound
from briefcast.podcasts import Podcast
from briefcast.providers.local_storage import LocalStorage
from briefcast.rendering import episode_keys
from briefcast.runtime import Runtime
from briefcast.scheduling import Ticket
from briefcast.web.deps import Credentials, CurrentUser, Services, authenticate
from briefcast.web.schemas import EnqueueIn, ErrorOut, PodcastListOut, PodcastOut, present

__all__ = ["router"]

router = APIRouter(prefix="/api/podcasts", tags=["podcasts"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid API key"},
    404: {"model": ErrorOut, "description": "No such podcast for this listener"},
    422: {"model": ErrorOut, "description": "Invalid request"},
}
_REDIRECT: dict[int | str, dict[str, Any]] = {
    307: {"description": "Redirect to the file's signed URL in the object store"}
}


def _out(
    runtime: Runtime, podcast: Podcast, ticket: Ticket | None, message: str | None = None
) -> PodcastOut:
    return present(runtime, podcast, ticket, message)


@router.post(
    "",
    status_code=202,
    response_model=PodcastOut,
    responses={
        200: {"model": PodcastOut, "description": "This request was already made; here it is"},
        429: {"model": ErrorOut, "description": "Too many episodes waiting (see Retry-After)"},
        **_ERRORS,
    },
)
async def request_podcast(
    body: EnqueueIn,
    credentials: Credentials,
    runtime: Services,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=128)
    ] = None,
) -> Response:
    """Queue a daily brief or weekly deep dive; answered at once with position and ETA."""
    # The hot path: authentication and the enqueue share one trip to the thread pool,
    # and the answer is serialised once, here, rather than validated again on the way out.
    started = time.perf_counter()

    def enqueue() -> tuple[bool, str, bytes]:
        user = authenticate(runtime, credentials)
        result = runtime.podcasts.enqueue(user, body.type, body.bills, idempotency_key)
        out = _out(runtime, result.podcast, result.ticket, result.message)
        return result.created, result.podcast.id, out.model_dump_json().encode()

    created, podcast_id, payload = await run_in_threadpool(enqueue)
    if created:
        metrics.ENQUEUED.labels(type=body.type).inc()
    metrics.ENQUEUE_SECONDS.observe(time.perf_counter() - started)
    return Response(
        payload,
        status_code=202 if created else 200,
        media_type="application/json",
        headers={"Location": f"/api/podcasts/{podcast_id}"},
    )


@router.get("", response_model=PodcastListOut, responses=_ERRORS)
def list_podcasts(
    user: CurrentUser,
    runtime: Services,
    view: Literal["queue", "history"] = "queue",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PodcastListOut:
    """The caller's queue (waiting and in production) or history (finished), newest first."""
    podcasts = runtime.podcasts.list(user.id, view, limit)
    tickets = runtime.tickets.for_podcasts(podcasts) if view == "queue" else {}
    return PodcastListOut(
        view=view, podcasts=[_out(runtime, p, tickets.get(p.id)) for p in podcasts]
    )


@router.get("/{podcast_id}", response_model=PodcastOut, responses=_ERRORS)
def get_podcast(podcast_id: str, user: CurrentUser, runtime: Services) -> PodcastOut:
    podcast, ticket = runtime.podcasts.get(user.id, podcast_id)
    return _out(runtime, podcast, ticket)


@router.post(
    "/{podcast_id}/cancel",
    response_model=PodcastOut,
    responses={409: {"model": ErrorOut, "description": "Already finished"}, **_ERRORS},
)
def cancel_podcast(podcast_id: str, user: CurrentUser, runtime: Services) -> PodcastOut:
    """Cancel queued or in-production work; no further paid work is done for it."""
    return _out(runtime, runtime.podcasts.cancel(user.id, podcast_id), None)


@router.post(
    "/{podcast_id}/retry",
    response_model=PodcastOut,
    status_code=202,
    responses={409: {"model": ErrorOut, "description": "Not a failed podcast"}, **_ERRORS},
)
def retry_podcast(podcast_id: str, user: CurrentUser, runtime: Services) -> PodcastOut:
    """Run a failed podcast again from the stage that failed."""
    podcast = runtime.podcasts.retry(user.id, podcast_id)
    return _out(runtime, podcast, runtime.tickets.for_podcast(podcast))


def _file(runtime: Runtime, user_id: str, podcast_id: str, name: str, media_type: str) -> Response:
    podcast, _ = runtime.podcasts.get(user_id, podcast_id)
    if podcast.status != "completed":
        raise NotFound(f"this podcast is {podcast.status}; its files are not ready")
    key = episode_keys(podcast.user_id, podcast.id)[name]
    storage = runtime.storage
    if isinstance(storage, LocalStorage):
        path = storage.path(key)
        if not path.exists():
            raise NotFound("the episode file is missing")
        return FileResponse(path, media_type=media_type)
    url = storage.signed_url(key, runtime.settings.media_url_seconds)
    if url is None:
        raise NotFound("the episode file is not reachable")
    return RedirectResponse(url, status_code=307)


@router.get(
    "/{podcast_id}/audio",
    response_class=FileResponse,
    responses={
        200: {"content": {"audio/mpeg": {}}},
        206: {"description": "Partial content"},
        **_REDIRECT,
        **_ERRORS,
    },
)
def podcast_audio(podcast_id: str, user: CurrentUser, runtime: Services) -> Response:
    """The MP3 (byte ranges supported), or a redirect to a signed URL."""
    return _file(runtime, user.id, podcast_id, "audio", "audio/mpeg")


@router.get(
    "/{podcast_id}/transcript.vtt",
    response_class=FileResponse,
    responses={200: {"content": {"text/vtt": {}}}, **_REDIRECT, **_ERRORS},
)
def podcast_transcript(podcast_id: str, user: CurrentUser, runtime: Services) -> Response:
    return _file(runtime, user.id, podcast_id, "transcript", "text/vtt")


@router.get(
    "/{podcast_id}/chapters.json",
    response_class=FileResponse,
    responses={200: {"content": {"application/json+chapters": {}}}, **_REDIRECT, **_ERRORS},
)
def podcast_chapters(podcast_id: str, user: CurrentUser, runtime: Services) -> Response:
    return _file(runtime, user.id, podcast_id, "chapters", "application/json+chapters")
