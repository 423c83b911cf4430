"""The listener's page at ``/``, the operator's dashboard at ``/admin``, and their files.

Plain HTML, CSS and JavaScript modules from the package's ``static`` folder:
no build step. The pages hold no data; they sign in with an API key kept in
the browser and call the JSON API like any other client. The service worker
is served from the root so that its scope covers the whole site.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from briefcast.errors import NotFound

__all__ = ["STATIC_DIR", "router"]

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).parent / "static"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(js|css|svg|webmanifest)$")
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}
# Scripts and styles come only from this server; media may come from an object store's
# signed URLs. Nothing may frame the pages.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' https:; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=_PAGE_HEADERS)


@router.get("/")
def listener_page() -> FileResponse:
    """Sign in, browse bills, generate episodes and follow them live, listen, settings."""
    return _page("index.html")


@router.get("/admin")
def admin_page() -> FileResponse:
    """The operator dashboard (its data needs an admin's API key)."""
    return _page("admin.html")


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """The service worker that shows web push notifications; root scope."""
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    """A script, style sheet or icon of the pages; nothing outside the static folder."""
    path = STATIC_DIR / name
    if not _NAME.match(name) or not path.is_file():
        raise NotFound("no such file")
    return FileResponse(
        path,
        media_type=_TYPES[path.suffix],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
