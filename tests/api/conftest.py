"""An app per test over both databases, a seeded catalogue, and one token per access role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from firehouse.clock import FakeClock
from tests.api.client import Api, mint_role_tokens, seeded_app


@pytest.fixture
def api(database_url: str, clock: FakeClock) -> Iterator[Api]:
    app, db = seeded_app(database_url, clock)
    tokens = mint_role_tokens(db, clock)
    # Entering the client runs the app's lifespan (startup and shutdown), as a server would.
    # Server exceptions become 500 responses, so a test sees exactly what a client would.
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client=client, app=app, db=db, clock=clock, tokens=tokens)
    db.dispose()
