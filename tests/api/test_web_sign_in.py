"""The web UI's sign-in: sessions in an HttpOnly cookie, CSRF on forms, and the limits on
guessing (per account and per client address)."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from firehouse.auth.users import create_user
from firehouse.web.deps import COOKIE
from firehouse.web.site import ROUTERS
from tests.api.client import Api

PASSWORD = "correct horse battery"


@pytest.fixture
def web(api: Api) -> Api:
    with api.db.write() as session:
        create_user(
            session,
            username="alice",
            name="Alice Ng",
            role="responder",
            password=PASSWORD,
            person="alice",
            now=api.clock.now(),
        )
    return api


def sign_in(
    client: TestClient, password: str = PASSWORD, username: str = "alice", **extra: str
) -> httpx.Response:
    form = {"username": username, "password": password, **extra}
    return client.post("/sign-in", data=form, follow_redirects=False)


def csrf_token(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_signing_in_opens_the_home_page_with_who_you_are(web: Api) -> None:
    response = sign_in(web.client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = web.client.get("/")
    assert home.status_code == 200
    assert "Alice Ng" in home.text
    assert "responder" in home.text
    assert home.headers["cache-control"] == "no-store"


def test_the_home_page_sends_a_stranger_to_sign_in(web: Api) -> None:
    response = web.client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_the_sign_in_page_is_a_labelled_form(web: Api) -> None:
    page = web.client.get("/sign-in")
    assert page.status_code == 200
    assert '<label for="username">' in page.text
    assert '<label for="password">' in page.text
    assert 'href="#main"' in page.text


def test_a_wrong_password_shows_the_form_again_with_a_generic_message(web: Api) -> None:
    response = sign_in(web.client, "not the password")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert 'value="alice"' in response.text
    assert "not the password" not in response.text
    assert COOKIE not in response.headers.get("set-cookie", "")


def test_an_unknown_user_gets_the_same_message(web: Api) -> None:
    response = sign_in(web.client, username="mallory")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(web: Api) -> None:
    codes = [sign_in(web.client, "wrong password!").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    locked = sign_in(web.client)
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.text
    web.clock.advance(minutes=15)
    assert sign_in(web.client).status_code == 303


def test_too_many_failures_from_one_address_are_refused_for_a_minute(web: Api) -> None:
    for n in range(10):
        assert sign_in(web.client, username=f"guess{n}").status_code == 401
    refused = sign_in(web.client)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    web.clock.advance(minutes=1)
    assert sign_in(web.client).status_code == 303


def test_the_session_cookie_is_http_only_and_same_site(web: Api) -> None:
    cookie = sign_in(web.client).headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here


def test_the_session_cookie_is_secure_over_https(web: Api) -> None:
    with TestClient(web.app, base_url="https://firehouse.test") as client:
        cookie = sign_in(client).headers["set-cookie"]
    assert "Secure" in cookie


def test_signing_out_ends_the_session_so_the_old_cookie_stops_working(web: Api) -> None:
    sign_in(web.client)
    old = web.client.cookies[COOKIE]
    token = csrf_token(web.client)
    response = web.client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert COOKIE not in web.client.cookies  # the browser is told to forget it
    web.client.cookies.set(COOKIE, old)
    again = web.client.get("/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/sign-in"


@pytest.mark.parametrize("form", [{}, {"csrf_token": "forged"}])
def test_a_form_without_the_sessions_csrf_token_is_refused(web: Api, form: dict[str, str]) -> None:
    sign_in(web.client)
    response = web.client.post("/sign-out", data=form, follow_redirects=False)
    assert response.status_code == 403
    assert "Form expired" in response.text
    assert web.client.get("/").status_code == 200  # still signed in


def test_a_sign_in_posted_from_another_site_is_refused(web: Api) -> None:
    forged = web.client.post(
        "/sign-in",
        data={"username": "alice", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_after_sign_in_you_land_on_the_page_you_asked_for(web: Api) -> None:
    first = web.client.get("/?view=mine", follow_redirects=False)
    assert first.headers["location"] == "/sign-in?next=/%3Fview%3Dmine"
    response = sign_in(web.client, next="/?view=mine")
    assert response.headers["location"] == "/?view=mine"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_never_leaves_the_site(web: Api, target: str) -> None:
    assert sign_in(web.client, next=target).headers["location"] == "/"


def test_the_stylesheet_is_served_and_the_status_page_paths_are_unaffected(web: Api) -> None:
    css = web.client.get("/static/firehouse.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text
    assert web.client.get("/static/missing.css").status_code == 404


def test_the_web_routes_leave_the_status_page_and_api_paths_alone() -> None:
    web = {getattr(route, "path", "") for router in ROUTERS for route in router.routes}
    assert {"/sign-in", "/sign-out", "/", "/static/{name}"} <= web
    assert not any(path.startswith(("/api/", "/ical/", "/ack/", "/status")) for path in web)
