"""Signing a test client into the web UI, and reading what a form needs back from a page."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from firehouse.auth.users import create_user
from tests.api.client import Api

PASSWORD = "correct horse battery"


def add_user(
    api: Api, username: str, *, role: str = "responder", person: str | None = None
) -> None:
    """An account; the test catalogue's people are alice, bob, carol and dan."""
    with api.db.write() as session:
        create_user(
            session,
            username=username,
            name=username.title(),
            role=role,
            password=PASSWORD,
            person=person,
            now=api.clock.now(),
        )


def browser_for(api: Api, username: str) -> TestClient:
    """A separate signed-in client (its own cookie jar) over the same app."""
    client = TestClient(api.app, base_url="http://testserver", raise_server_exceptions=False)
    signed = client.post(
        "/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text
    return client


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, "the page carries no form with a CSRF token"
    return found.group(1)


def post_form(
    client: TestClient, path: str, form: dict[str, str], *, page: str = "/"
) -> httpx.Response:
    """Posts like a browser: the CSRF token read from `page`, no redirects followed."""
    token = csrf_of(client.get(page))
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)
