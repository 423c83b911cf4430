"""Request dependencies, as ``Annotated`` aliases routes can name in their signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from briefcast.errors import BriefcastError
from briefcast.runtime import Runtime
from briefcast.users import User

__all__ = ["Admin", "Credentials", "CurrentUser", "Services", "Unauthorized", "authenticate"]

_bearer = HTTPBearer(auto_error=False, description="Your API key")


class Unauthorized(BriefcastError):
    code = "unauthorized"


# Dependencies are async when they do not block: FastAPI runs plain ``def``
# dependencies in its thread pool, and those hops cost more than the work here.
async def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


Services = Annotated[Runtime, Depends(_runtime)]


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def authenticate(runtime: Runtime, credentials: HTTPAuthorizationCredentials | None) -> User:
    """The listener a bearer key belongs to (blocking: may read the database)."""
    key = _bearer_key(credentials)
    user = runtime.users.by_api_key(key)
    if user is None:
        raise Unauthorized("this API key is not valid")
    return user


def _bearer_key(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
    return credentials.credentials


async def _current_user(runtime: Services, credentials: Credentials) -> User:
    user = runtime.users.remembered(_bearer_key(credentials))
    if user is None:
        user = await run_in_threadpool(authenticate, runtime, credentials)
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


class Forbidden(BriefcastError):
    code = "forbidden"


async def _admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise Forbidden("this page is for operators")
    return user


Admin = Annotated[User, Depends(_admin)]
