"""Which request or delivery the current code works for, for every log line it writes.

Standard library only, so the outbox dispatcher can set the delivery id without depending on
anything the web side uses. Context variables follow asyncio tasks and are copied into the
thread FastAPI runs a sync route in, so a log line from deep inside a service still carries
the id of the request that caused it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("firehouse_request_id", default=None)
DELIVERY_ID: ContextVar[int | None] = ContextVar("firehouse_delivery_id", default=None)


@contextmanager
def delivery_scope(delivery_id: int) -> Iterator[None]:
    """Log lines written while delivering carry the delivery's id (Dispatcher.deliver)."""
    token = DELIVERY_ID.set(delivery_id)
    try:
        yield
    finally:
        DELIVERY_ID.reset(token)
