"""One API client per responder command, closed when the command ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from firehouse.cli.client import ApiClient


@contextmanager
def api() -> Iterator[ApiClient]:
    client = ApiClient.from_environment()
    try:
        yield client
    finally:
        client.close()
