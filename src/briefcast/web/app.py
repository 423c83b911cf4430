"""The FastAPI application, built from a :class:`~briefcast.runtime.Runtime`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI

from briefcast import __version__
from briefcast.gcpolicy import settle_heap
from briefcast.runtime import Runtime
from briefcast.web import (
    routes_admin,
    routes_bills,
    routes_events,
    routes_feeds,
    routes_notifications,
    routes_pages,
    routes_podcasts,
    routes_system,
)
from briefcast.web.errors import NulPathsNotFound, install_error_handlers


class Startable(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


__all__ = ["create_app"]


def create_app(runtime: Runtime, *, worker: Startable | None = None) -> FastAPI:
    """The API; with ``worker``, the worker starts and stops with the server.

    The process's live event hub runs while the app does: it feeds every
    Server-Sent Events stream this process serves.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.hub.start()
        # The engine's start-up and shutdown block; keep them off the event loop.
        if worker is not None:
            await asyncio.to_thread(worker.start)
        settle_heap()
        try:
            yield
        finally:
            runtime.hub.stop()
            if worker is not None:
                await asyncio.to_thread(worker.stop)

    app = FastAPI(
        title="briefcast",
        version=__version__,
        description="Personalised audio briefings on U.S. Congressional bills, generated asynchronously.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    _redact_access_logs()
    install_error_handlers(app)
    app.add_middleware(NulPathsNotFound)
    app.include_router(routes_podcasts.router)
    app.include_router(routes_bills.router)
    app.include_router(routes_system.router)
    app.include_router(routes_events.router)
    app.include_router(routes_notifications.router)
    app.include_router(routes_feeds.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_pages.router)
    return app


def _redact_access_logs() -> None:
    """Event streams accept ``?access_token=``; it must never reach a log line."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, routes_events.RedactAccessTokens) for f in access.filters):
        access.addFilter(routes_events.RedactAccessTokens())
