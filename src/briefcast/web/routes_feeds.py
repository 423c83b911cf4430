"""The listener's private podcast feed and everything it links to, reached by its token.

Podcast apps send no API key: the token in the path is the credential. An
unknown (or rotated) token is a 404, like anything else that is not yours.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from briefcast.artwork import cover_png
from briefcast.errors import NotFound
from briefcast.feeds import FeedStore
from briefcast.providers.local_storage import LocalStorage
from briefcast.runtime import Runtime
from briefcast.users import User
from briefcast.web.deps import CurrentUser, Services
from briefcast.web.schemas import ErrorOut, FeedTokenOut

__all__ = ["router"]

router = APIRouter(tags=["feed"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown feed token or episode"},
    422: {"model": ErrorOut, "description": "Invalid request"},
}
_PRIVATE = {"Cache-Control": "private, max-age=300"}


def _feeds(runtime: Runtime) -> FeedStore:
    return FeedStore(runtime.db, runtime.storage, runtime.settings)


def _owner(runtime: Runtime, token: str) -> User:
    user = runtime.users.by_feed_token(token) if len(token) <= 64 else None
    if user is None:
        raise NotFound("no such feed")
    return user


@router.post(
    "/api/me/feed-token",
    response_model=FeedTokenOut,
    tags=["me"],
    responses={401: {"model": ErrorOut, "description": "Missing or invalid API key"}},
)
def rotate_feed_token(user: CurrentUser, runtime: Services) -> FeedTokenOut:
    """Issue a new private feed URL; the old one stops working at once."""
    token = runtime.users.rotate_feed_token(user.id)
    return FeedTokenOut(feed_url=runtime.settings.public_link(f"/feeds/{token}.xml"))


@router.head("/feeds/{token}.xml", include_in_schema=False)
@router.get(
    "/feeds/{token}.xml",
    response_class=Response,
    responses={200: {"content": {"application/rss+xml": {}}}, **_NOT_FOUND},
)
def feed(token: str, runtime: Services) -> Response:
    """The listener's podcast feed (RSS 2.0, iTunes and Podcasting 2.0 tags)."""
    body = _feeds(runtime).render(_owner(runtime, token))
    return Response(body, media_type="application/rss+xml; charset=utf-8", headers=_PRIVATE)


@router.head("/feeds/{token}/artwork.png", include_in_schema=False)
@router.get(
    "/feeds/{token}/artwork.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **_NOT_FOUND},
)
def artwork(token: str, runtime: Services) -> Response:
    """The show's cover art."""
    _owner(runtime, token)
    return Response(cover_png(), media_type="image/png", headers={"Cache-Control": "max-age=86400"})


def _episode_file(
    runtime: Runtime, token: str, podcast_id: str, suffix: str, method: str = "GET"
) -> Response:
    user = _owner(runtime, token)
    key, media_type = _feeds(runtime).file_key(user, podcast_id, suffix)
    storage = runtime.storage
    if isinstance(storage, LocalStorage):
        path = storage.path(key)
        if not path.is_file():
            raise NotFound("the episode file is missing")
        return FileResponse(path, media_type=media_type, headers=_PRIVATE)
    if method == "HEAD":
        # Object stores sign a URL for one method (GET): podcast apps' HEAD is answered here.
        info = storage.stat(key)
        if info is None:
            raise NotFound("the episode file is missing")
        size = {"Content-Length": str(info.size), "Accept-Ranges": "bytes"}
        return Response(media_type=media_type, headers=_PRIVATE | size)
    url = storage.signed_url(key, runtime.settings.media_url_seconds)
    if url is None:
        raise NotFound("the episode file is not reachable")
    return RedirectResponse(url, status_code=307)


def _file_responses(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media_type: {}}},
        206: {"description": "Partial content (byte ranges)"},
        307: {"description": "Redirect to the file's signed URL in the object store"},
        **_NOT_FOUND,
    }


@router.head("/feeds/{token}/{podcast_id}.mp3", include_in_schema=False)
@router.get(
    "/feeds/{token}/{podcast_id}.mp3",
    response_class=Response,
    responses=_file_responses("audio/mpeg"),
)
def feed_audio(token: str, podcast_id: str, runtime: Services, request: Request) -> Response:
    """An episode's MP3 (HEAD and byte ranges supported)."""
    return _episode_file(runtime, token, podcast_id, "mp3", request.method)


@router.head("/feeds/{token}/{podcast_id}.vtt", include_in_schema=False)
@router.get(
    "/feeds/{token}/{podcast_id}.vtt",
    response_class=Response,
    responses=_file_responses("text/vtt"),
)
def feed_transcript(token: str, podcast_id: str, runtime: Services, request: Request) -> Response:
    """An episode's WebVTT transcript."""
    return _episode_file(runtime, token, podcast_id, "vtt", request.method)


@router.head("/feeds/{token}/{podcast_id}.chapters.json", include_in_schema=False)
@router.get(
    "/feeds/{token}/{podcast_id}.chapters.json",
    response_class=Response,
    responses=_file_responses("application/json+chapters"),
)
def feed_chapters(token: str, podcast_id: str, runtime: Services, request: Request) -> Response:
    """An episode's chapters (Podcasting 2.0 JSON chapters)."""
    return _episode_file(runtime, token, podcast_id, "chapters.json", request.method)
