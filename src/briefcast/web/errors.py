"""Every error leaves the API as JSON ``{"error": {"code", "message"}}``; never a stack trace."""

from __future__ import annotations

import math

import sqlalchemy.exc
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from briefcast.errors import (
    BriefcastError,
    Conflict,
    InvalidInput,
    NotFound,
    QueueLimitReached,
    RetryableError,
)
from briefcast.web.deps import Forbidden, Unauthorized

__all__ = ["NulPathsNotFound", "install_error_handlers"]

log = structlog.get_logger("briefcast.web")

_STATUS: tuple[tuple[type[BriefcastError], int], ...] = (
    (Unauthorized, 401),
    (Forbidden, 403),
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (QueueLimitReached, 429),
    (RetryableError, 503),
)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def _briefcast_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BriefcastError)
    status = next((s for kind, s in _STATUS if isinstance(exc, kind)), 500)
    headers: dict[str, str] = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 500:
        log.error("request.failed", path=request.url.path, code=exc.code, error=exc.message)
        return JSONResponse(error_body("internal_error", "something went wrong on our side"), 500)
    return JSONResponse(error_body(exc.code, exc.message), status, headers=headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return JSONResponse(error_body("invalid_input", "; ".join(problems) or "invalid request"), 422)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:
        # The framework could not read the body at all (it is not UTF-8, say): that is
        # bad input like a body that is not JSON, and gets the same answer.
        return JSONResponse(error_body("invalid_input", str(exc.detail)), 422)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), exc.status_code, headers=getattr(exc, "headers", None)
    )


def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("request.database_unavailable", path=request.url.path, error=type(exc).__name__)
    return JSONResponse(
        error_body("unavailable", "the database is not answering; try again shortly"),
        503,
        headers={"Retry-After": "5"},
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("request.crashed", path=request.url.path)
    return JSONResponse(error_body("internal_error", "something went wrong on our side"), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BriefcastError, _briefcast_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(sqlalchemy.exc.OperationalError, _database_down)
    app.add_exception_handler(sqlalchemy.exc.InterfaceError, _database_down)
    app.add_exception_handler(Exception, _unexpected)


class NulPathsNotFound:
    """A path with a NUL character in it names nothing here: 404 before any route sees it.

    Ids from the path go straight into queries, and PostgreSQL refuses text with a
    NUL in it (SQLite would merely find nothing).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope["path"]:
            response = JSONResponse(error_body("not_found", "no such resource"), 404)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
