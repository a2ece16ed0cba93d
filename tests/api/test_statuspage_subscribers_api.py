"""The subscriber routes: the public sign-up with hard checks and a rate limit, the
confirmation and one-click unsubscribe links, and the admin's list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from firehouse.app import create_app
from firehouse.clock import FakeClock
from firehouse.settings import Settings
from firehouse.statuspage import subscribers
from firehouse.statuspage.model import Subscriber
from firehouse.statuspage.subscriber_api import router
from tests.api.client import BASE_URL, Api, error_fields, mint_role_tokens
from tests.factories import seed_catalog
from tests.integrations.subscriber_support import enable

PATH = "/api/v1/statuspage/subscribers"


@pytest.fixture
def api(database_url: str, clock: FakeClock) -> Iterator[Api]:
    settings = Settings(
        database_url=database_url,
        base_url=BASE_URL,
        subscriber_webhooks_allow_loopback=True,
        subscriber_signups_per_minute=3,
    )
    app = create_app(settings, clock=clock, run_dispatcher=False)
    if not any(getattr(route, "path", "").startswith(PATH) for route in app.routes):
        app.include_router(router)  # until create_app includes it
    db = app.state.runtime.db
    with db.write() as session:
        seed_catalog(session)
    enable(db, clock.now())
    tokens = mint_role_tokens(db, clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client=client, app=app, db=db, clock=clock, tokens=tokens)
    db.dispose()


def sign_up(api: Api, body: dict[str, Any]) -> Any:
    return api.client.post(PATH, json=body)


def only_subscriber(api: Api) -> Subscriber:
    with api.db.read() as session:
        [row] = subscribers.list_subscribers(session)
        return row


def test_an_email_sign_up_is_accepted_and_waits_for_confirmation(api: Api) -> None:
    response = sign_up(api, {"email": "ann@example.com", "components": ["website"]})
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "pending"
    assert subscribers.state_of(only_subscriber(api)) == "pending"


def test_a_webhook_sign_up_returns_its_secret_once(api: Api) -> None:
    response = sign_up(api, {"url": "https://hooks.example.com/status"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["secret"].startswith("whsec_")
    listed = api.get(PATH, role="admin").json()
    assert "secret" not in listed[0]
    assert body["secret"] not in str(listed)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({}, "email"),
        ({"email": "ann@example.com", "url": "https://hooks.example.com/x"}, "email"),
        ({"url": "http://hooks.example.com/x"}, "url"),
        ({"url": "https://192.168.1.10/x"}, "url"),
        ({"email": "ann@example.com", "components": ["billing"]}, "components"),
        ({"email": "ann@example.com", "components": ["web\u0000site"]}, "components.0"),
        ({"email": "ann\u0000@example.com"}, "email"),
        ({"email": "ann@example.com", "colour": "red"}, "colour"),
    ],
)
def test_bad_sign_ups_are_refused_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = sign_up(api, body)
    assert response.status_code == 422, response.text
    assert field in error_fields(response)


def test_too_many_sign_ups_from_one_address_are_throttled(api: Api) -> None:
    statuses = [sign_up(api, {"email": f"ann{n}@example.com"}).status_code for n in range(4)]
    assert statuses == [202, 202, 202, 429]
    refused = sign_up(api, {"email": "late@example.com"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    api.clock.advance(seconds=60)
    assert sign_up(api, {"email": "later@example.com"}).status_code == 202


def test_the_confirmation_link_confirms_once(api: Api) -> None:
    sign_up(api, {"email": "ann@example.com"})
    token = subscribers.link_token(only_subscriber(api), "confirm")
    first = api.client.get(f"{PATH}/confirm", params={"token": token})
    assert (first.status_code, first.json()["state"]) == (200, "confirmed")
    again = api.client.get(f"{PATH}/confirm", params={"token": token})
    assert again.status_code == 404
    assert error_fields(again) == ["token"]


def test_a_browser_opening_the_confirmation_link_gets_a_page(api: Api) -> None:
    sign_up(api, {"email": "ann@example.com"})
    token = subscribers.link_token(only_subscriber(api), "confirm")
    page = api.client.get(
        f"{PATH}/confirm", params={"token": token}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "confirmed" in page.text


def test_a_bad_confirmation_token_is_not_found(api: Api) -> None:
    response = api.client.get(f"{PATH}/confirm", params={"token": "bogus"})
    assert response.status_code == 404


def test_opening_the_unsubscribe_link_only_shows_the_button(api: Api) -> None:
    sign_up(api, {"email": "ann@example.com"})
    token = subscribers.link_token(only_subscriber(api), "unsubscribe")
    page = api.client.get(
        f"{PATH}/unsubscribe", params={"token": token}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert 'method="post"' in page.text
    assert subscribers.state_of(only_subscriber(api)) == "pending"


def test_one_click_unsubscribe_posts_to_the_link(api: Api) -> None:
    sign_up(api, {"email": "ann@example.com"})
    token = subscribers.link_token(only_subscriber(api), "unsubscribe")
    response = api.client.post(
        f"{PATH}/unsubscribe",
        params={"token": token},
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.json()["state"]) == (200, "unsubscribed")
    assert subscribers.state_of(only_subscriber(api)) == "unsubscribed"


def test_an_unknown_unsubscribe_token_is_not_found(api: Api) -> None:
    assert api.client.post(f"{PATH}/unsubscribe", params={"token": "bogus"}).status_code == 404


def test_only_admins_list_subscribers(api: Api) -> None:
    sign_up(api, {"email": "ann@example.com"})
    assert api.client.get(PATH).status_code == 401
    assert api.get(PATH, role="responder").status_code == 403
    [listed] = api.get(PATH, role="admin").json()
    assert (listed["address"], listed["state"]) == ("ann@example.com", "pending")


def test_an_admin_removes_a_subscriber(api: Api) -> None:
    sign_up(api, {"email": "ann@example.com"})
    subscriber_id = only_subscriber(api).id
    assert api.delete(f"{PATH}/{subscriber_id}", role="responder").status_code == 403
    assert api.delete(f"{PATH}/{subscriber_id}", role="admin").status_code == 204
    assert api.delete(f"{PATH}/{subscriber_id}", role="admin").status_code == 404
