"""The operator's JSON API: the dashboard's snapshot and a retry of any failed episode.

Only admin users reach it; anyone else gets 403 (and no data at all).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from briefcast.dashboard import Dashboard
from briefcast.web.deps import Admin, Services
from briefcast.web.schemas import ErrorOut, PodcastOut, present

__all__ = ["router"]

router = APIRouter(prefix="/api/admin", tags=["admin"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid API key"},
    403: {"model": ErrorOut, "description": "Not an operator"},
    422: {"model": ErrorOut, "description": "Invalid request"},
}


@router.get("/dashboard", responses=_ERRORS)
def dashboard(admin: Admin, runtime: Services) -> dict[str, Any]:
    """Queue depth, work in production, recent failures, stage speeds, throughput,
    workers and TTS characters, read in one snapshot."""
    return Dashboard(runtime.db, runtime.settings).snapshot().to_json()


@router.post(
    "/podcasts/{podcast_id}/retry",
    status_code=202,
    response_model=PodcastOut,
    responses={
        404: {"model": ErrorOut, "description": "No such podcast"},
        409: {"model": ErrorOut, "description": "Not a failed podcast"},
        **_ERRORS,
    },
)
def retry_podcast(podcast_id: str, admin: Admin, runtime: Services) -> PodcastOut:
    """Run any listener's failed podcast again from the stage that failed."""
    podcast = runtime.podcasts.retry_for_operator(podcast_id)
    ticket = runtime.tickets.for_podcast(podcast)
    return present(runtime, podcast, ticket)
