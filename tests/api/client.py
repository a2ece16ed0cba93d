"""A test client that speaks the API's language: tokens per role, and one helper per action.

Tests read as the behaviour they specify: `api.declare(priority="P1")`, `api.act(n, "resolve")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from firehouse.app import create_app
from firehouse.auth.service import create_token
from firehouse.clock import Clock, FakeClock
from firehouse.db import Database
from firehouse.settings import Settings
from tests.factories import seed_catalog

BASE_URL = "http://firehouse.test"
ROLES = ("viewer", "responder", "admin")


@dataclass
class Api:
    """A client that knows the tokens, with one helper per thing a responder does."""

    client: TestClient
    app: FastAPI
    db: Database
    clock: FakeClock
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, role: str = "responder", extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **(extra or {})}

    def get(self, path: str, *, role: str = "viewer", **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers=self.auth(role), **kwargs)

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        role: str = "responder",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.auth(role, headers))

    def patch(
        self,
        path: str,
        body: Any,
        *,
        role: str = "responder",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self.client.patch(path, json=body, headers=self.auth(role, headers))

    def delete(self, path: str, *, role: str = "responder", **kwargs: Any) -> httpx.Response:
        return self.client.request("DELETE", path, headers=self.auth(role), **kwargs)

    def declare(self, **overrides: Any) -> dict[str, Any]:
        """Declares an incident that succeeds; overrides change any field of the body."""
        body: dict[str, Any] = {
            "service": "website",
            "message": "Checkout fails for some users",
            "priority": "P2",
            **overrides,
        }
        response = self.post("/api/v1/incidents", body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def incident(self, number: int) -> dict[str, Any]:
        response = self.get(f"/api/v1/incidents/{number}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def timeline(self, number: int) -> list[dict[str, Any]]:
        response = self.get(f"/api/v1/incidents/{number}/timeline")
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries

    def timeline_kinds(self, number: int) -> list[str]:
        return [entry["kind"] for entry in self.timeline(number)]

    def act(
        self, number: int, action: str, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST to one of the incident's action routes (resolve, close, roles, timeline, ...)."""
        return self.post(f"/api/v1/incidents/{number}/{action}", body, headers=headers)

    def mint_token(self, name: str, role: str) -> str:
        with self.db.write() as session:
            _row, secret = create_token(session, name=name, role=role, now=self.clock.now())
        return secret


def seeded_app(database_url: str, clock: Clock) -> tuple[FastAPI, Database]:
    """An app over a migrated database holding the test organisation."""
    app = create_app(
        Settings(database_url=database_url, base_url=BASE_URL), clock=clock, run_dispatcher=False
    )
    db: Database = app.state.runtime.db
    with db.write() as session:
        seed_catalog(session)
    return app, db


def mint_role_tokens(db: Database, clock: Clock) -> dict[str, str]:
    tokens = {}
    with db.write() as session:
        for role in ROLES:
            _row, tokens[role] = create_token(session, name=role, role=role, now=clock.now())
    return tokens


def error_fields(response: httpx.Response) -> list[str]:
    """The fields a 4xx body names, after checking the body has the one error shape."""
    body = response.json()
    assert set(body) == {"error", "detail", "errors"}, body
    assert isinstance(body["error"], str)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    for problem in body["errors"]:
        assert set(problem) == {"field", "problem"}, problem
    return [problem["field"] for problem in body["errors"]]
