"""Health, metrics, the caller's profile, and signed media."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from briefcast.errors import NotFound
from briefcast.providers.local_storage import LocalStorage
from briefcast.web.deps import CurrentUser, Services
from briefcast.web.errors import error_body
from briefcast.web.schemas import ErrorOut, MeOut

__all__ = ["router"]

router = APIRouter()

_MEDIA_TYPES = {".mp3": "audio/mpeg", ".vtt": "text/vtt", ".json": "application/json"}


@router.get("/livez", tags=["health"])
def livez() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=["health"],
    responses={503: {"model": ErrorOut, "description": "The database does not answer"}},
)
def readyz(runtime: Services) -> Response:
    """The process can serve requests: its database answers."""
    try:
        runtime.db.ping()
    except Exception:  # any failure to answer means not ready
        return JSONResponse(error_body("unavailable", "database unreachable"), 503)
    return JSONResponse({"status": "ok"})


@router.get("/metrics", tags=["health"], response_class=PlainTextResponse)
def metrics() -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/api/me",
    tags=["me"],
    response_model=MeOut,
    responses={401: {"model": ErrorOut, "description": "Missing or invalid API key"}},
)
def me(user: CurrentUser, runtime: Services) -> dict[str, Any]:
    """Your profile, followed bills, and your private podcast feed's URL."""
    return user.to_json() | {
        "tracked_bills": runtime.bills.tracked_ids(user.id),
        "feed_url": runtime.settings.public_link(f"/feeds/{user.feed_token}.xml"),
    }


@router.get("/media/{key:path}", tags=["media"], include_in_schema=False)
def media(
    key: str,
    runtime: Services,
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=128)],
) -> Response:
    """A stored file behind a signed, expiring URL (byte ranges supported).

    With an object store behind the API, a valid link redirects to the store's
    own signed URL.
    """
    storage = runtime.storage
    if not runtime.media.verify(key, expires, signature):
        raise NotFound("this link is invalid or has expired")
    if not isinstance(storage, LocalStorage):
        url = storage.signed_url(key, runtime.settings.media_url_seconds)
        if url is None:
            raise NotFound("this link is invalid or has expired")
        return RedirectResponse(url, status_code=307)
    path = storage.path(key)
    if not path.is_file():
        raise NotFound("no such file")
    return FileResponse(path, media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"))
