"""Request plumbing shared by every route: the runtime, the caller, and their rights."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from firehouse.auth.roles import AccessRole
from firehouse.auth.service import Principal, authenticate, record_use
from firehouse.auth.tokens import hash_token
from firehouse.errors import InvalidInput
from firehouse.httpapi.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """`async` on purpose, as is `check` below: FastAPI runs a plain `def` dependency in the
    thread pool, and a hop there and back cost more than the work these two do."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status_code=401,
            detail="Authorization: send 'Bearer <token>' (see `firehouse token create`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


async def principal(
    runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    """A token seen in the last few seconds costs nothing; see `firehouse.auth.recent`."""
    secret = _bearer(authorization)
    now = runtime.clock.now()
    token_hash = hash_token(secret)
    caller = runtime.recent_tokens.get(token_hash, now=now)
    if caller is None:
        caller = await run_in_threadpool(_look_up, runtime, secret, now)
        runtime.recent_tokens.remember(token_hash, caller, now=now)
    return caller


def _look_up(runtime: Runtime, secret: str, now: datetime) -> Principal:
    with runtime.db.read() as session:
        caller = authenticate(session, secret, now=now)
    if caller is None:
        raise HTTPException(
            status_code=401,
            detail="Authorization: unknown or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if caller.use_is_stale:
        with runtime.db.write() as session:
            record_use(session, caller.token_name, now=now)
    return caller


def require(role: AccessRole) -> Callable[..., Awaitable[Principal]]:
    async def check(caller: Annotated[Principal, Depends(principal)]) -> Principal:
        if not caller.role.allows(role):
            raise HTTPException(
                status_code=403,
                detail=f"this needs the {role.value} role; token has {caller.role.value}",
            )
        return caller

    return check


Viewer = Annotated[Principal, Depends(require(AccessRole.VIEWER))]
Responder = Annotated[Principal, Depends(require(AccessRole.RESPONDER))]
Admin = Annotated[Principal, Depends(require(AccessRole.ADMIN))]


def is_ascii_number(value: str) -> bool:
    """`str.isdigit` also accepts "²" and other digits `int()` refuses; this does not."""
    return value.isascii() and value.isdigit()


def parse_if_match(value: str | None) -> int | None:
    """Accepts `3`, `"3"` and `W/"3"`; the version is the incident's ETag."""
    if value is None or value.strip() in {"", "*"}:
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not is_ascii_number(raw) or len(raw) > 9:
        raise InvalidInput('must be the incident version from its ETag, e.g. "3"', field="If-Match")
    return int(raw)
