"""Bearer tokens: no token or a bad one is 401, the wrong role is 403, a revoked token is 401."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from firehouse.auth.recent import RECENT_TOKEN_SECONDS
from firehouse.auth.service import create_token, revoke_token
from tests.api.client import Api, error_fields

INCIDENTS = "/api/v1/incidents"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token fh_x", "Bearer fh_not-a-token"],
)
def test_a_request_without_a_valid_token_is_401_with_a_bearer_challenge(
    api: Api, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = api.client.get(INCIDENTS, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthenticated"
    error_fields(response)


def test_acting_routes_also_refuse_an_anonymous_caller(api: Api) -> None:
    response = api.client.post(INCIDENTS, json={"service": "website"})
    assert response.status_code == 401


def test_a_viewer_may_read(api: Api) -> None:
    api.declare()
    assert api.get(INCIDENTS, role="viewer").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", INCIDENTS, {"service": "website", "message": "m", "priority": "P3"}),
        ("PATCH", f"{INCIDENTS}/1", {"priority": "P1"}),
        ("POST", f"{INCIDENTS}/1/timeline", {"text": "looking"}),
        ("POST", f"{INCIDENTS}/1/resolve", {"note": "fixed"}),
        ("POST", f"{INCIDENTS}/1/acknowledge", None),
    ],
)
def test_a_viewer_trying_to_act_gets_403(
    api: Api, method: str, path: str, body: dict[str, str] | None
) -> None:
    version = api.declare()["version"]
    response = api.client.request(method, path, json=body, headers=api.auth("viewer"))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert "responder" in response.json()["detail"]
    assert api.incident(1)["version"] == version


def test_an_admin_may_act_as_a_responder(api: Api) -> None:
    response = api.post(
        INCIDENTS, {"service": "website", "message": "m", "priority": "P3"}, role="admin"
    )
    assert response.status_code == 201


def test_a_revoked_token_is_refused_with_401(api: Api) -> None:
    secret = api.mint_token("soon-gone", "responder")
    headers = {"Authorization": f"Bearer {secret}"}
    with api.db.write() as session:
        revoke_token(session, "soon-gone", now=datetime(2026, 1, 1, tzinfo=UTC))
    response = api.client.get(INCIDENTS, headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_token_revoked_while_in_use_stops_working_within_the_recent_token_window(
    api: Api,
) -> None:
    secret = api.mint_token("soon-gone", "responder")
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get(INCIDENTS, headers=headers).status_code == 200
    with api.db.write() as session:
        revoke_token(session, "soon-gone", now=api.clock.now())
    api.clock.advance(seconds=RECENT_TOKEN_SECONDS)
    assert api.client.get(INCIDENTS, headers=headers).status_code == 401


def test_an_unknown_token_is_looked_up_every_time_so_a_new_token_works_at_once(
    api: Api,
) -> None:
    headers = {"Authorization": "Bearer fh_made-up-for-now"}
    assert api.client.get(INCIDENTS, headers=headers).status_code == 401
    with api.db.write() as session:
        _row, secret = create_token(session, name="fresh", role="viewer", now=api.clock.now())
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get(INCIDENTS, headers=headers).status_code == 200
