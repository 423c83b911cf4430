"""The FastAPI application, built from a :class:`~briefcast.runtime.Runtime`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from briefcast import __version__
from briefcast.runtime import Runtime
from briefcast.web import routes_bills, routes_podcasts, routes_system
from briefcast.web.errors import install_error_handlers

if TYPE_CHECKING:
    from briefcast.worker import Worker

__all__ = ["create_app"]


def create_app(runtime: Runtime, *, worker: Worker | None = None) -> FastAPI:
    """The API; with ``worker``, the worker starts and stops with the server."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The engine's start-up and shutdown block; keep them off the event loop.
        if worker is not None:
            await asyncio.to_thread(worker.start)
        try:
            yield
        finally:
            if worker is not None:
                await asyncio.to_thread(worker.stop)

    app = FastAPI(
        title="briefcast",
        version=__version__,
        description="Personalised audio briefings on U.S. Congressional bills, generated asynchronously.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(routes_podcasts.router)
    app.include_router(routes_bills.router)
    app.include_router(routes_system.router)
    return app
