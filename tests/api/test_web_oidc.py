"""Single sign-on through an OpenID provider (a real one on 127.0.0.1): accounts follow the
provider's claims, and every way a sign-in can go wrong is a page with one reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from firehouse.auth.model import User
from firehouse.auth.users import disable_user
from firehouse.catalog.model import OrganisationSetting
from firehouse.integrations.oidc import HttpOidcClient
from tests.api.client import Api
from tests.api.web_support import add_user
from tests.fakes.oidc_provider import CLIENT_SECRET, OidcProvider

ROLES = {"admin": ["sre-leads"], "responder": ["oncall", "engineering"]}


@pytest.fixture
def idp(api: Api) -> Iterator[OidcProvider]:
    runtime = api.app.state.runtime
    runtime.settings = runtime.settings.model_copy(
        update={"oidc_client_secret": SecretStr(CLIENT_SECRET)}
    )
    api.app.state.oidc_client = HttpOidcClient(timeout=0.5)
    with OidcProvider(now=api.clock.now) as provider:
        configure(api, provider.config(roles_claim="groups", roles=ROLES))
        provider.user = {
            "preferred_username": "Alice",
            "name": "Alice Ng",
            "email": "alice@example.com",
            "groups": ["oncall"],
        }
        yield provider


def configure(api: Api, value: dict[str, Any]) -> None:
    with api.db.write() as session:
        row = session.get(OrganisationSetting, "web.oidc")
        if row is None:
            session.add(OrganisationSetting(key="web.oidc", value=value))
        else:
            row.value = value


def start(client: TestClient, next_path: str = "/") -> str:
    """Begins a sign-in and lets the provider sign the user in: the callback URL."""
    begun = client.get("/sign-in/oidc", params={"next": next_path}, follow_redirects=False)
    assert begun.status_code == 303, begun.text
    at_provider = httpx.get(begun.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    return f"{back.path}?{back.query}"


def sign_in(client: TestClient, next_path: str = "/") -> httpx.Response:
    return client.get(start(client, next_path), follow_redirects=False)


def user(api: Api, username: str) -> User | None:
    with api.db.read() as session:
        found = session.query(User).filter_by(username=username).one_or_none()
        if found is not None:
            session.expunge(found)
        return found


def test_signing_in_creates_an_account_with_the_mapped_role_and_person(
    api: Api, idp: OidcProvider
) -> None:
    response = sign_in(api.client, "/incidents")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/incidents"
    account = user(api, "alice")
    assert account is not None
    assert (account.role, account.person_id, account.password_hash) == ("responder", "alice", None)
    home = api.client.get("/")
    assert home.status_code == 200
    assert "Alice Ng" in home.text


def test_the_session_cookie_has_the_password_sign_ins_flags(api: Api, idp: OidcProvider) -> None:
    response = sign_in(api.client)
    cookie = response.headers["set-cookie"].lower()
    assert "firehouse_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_the_authorization_request_carries_state_nonce_and_pkce(
    api: Api, idp: OidcProvider
) -> None:
    begun = api.client.get("/sign-in/oidc", follow_redirects=False)
    query = parse_qs(urlsplit(begun.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["code_challenge"][0]
    assert "openid" in query["scope"][0].split()
    cookie = begun.headers["set-cookie"].lower()
    assert "path=/sign-in" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_a_second_sign_in_follows_changed_groups(api: Api, idp: OidcProvider) -> None:
    sign_in(api.client)
    idp.user["groups"] = ["sre-leads", "oncall"]
    again = TestClient(api.app, raise_server_exceptions=False)
    assert sign_in(again).status_code == 303
    account = user(api, "alice")
    assert account is not None
    assert account.role == "admin"


def test_no_matching_group_gives_the_default_role(api: Api, idp: OidcProvider) -> None:
    idp.user["groups"] = ["marketing"]
    assert sign_in(api.client).status_code == 303
    account = user(api, "alice")
    assert account is not None
    assert account.role == "viewer"


def test_default_role_none_refuses_people_in_no_listed_group(api: Api, idp: OidcProvider) -> None:
    configure(api, idp.config(roles_claim="groups", roles=ROLES, default_role="none"))
    idp.user["groups"] = ["marketing"]
    response = sign_in(api.client)
    assert response.status_code == 403
    assert "no group" in response.text
    assert user(api, "alice") is None


def test_a_wrong_state_is_refused(api: Api, idp: OidcProvider) -> None:
    callback = start(api.client)
    path, query = callback.split("?")
    params = {k: v[0] for k, v in parse_qs(query).items()} | {"state": "forged"}
    response = api.client.get(path, params=params, follow_redirects=False)
    assert response.status_code == 400
    assert "Sign-in expired, try again" in response.text


def test_a_replayed_callback_is_refused(api: Api, idp: OidcProvider) -> None:
    callback = start(api.client)
    assert api.client.get(callback, follow_redirects=False).status_code == 303
    replay = api.client.get(callback, follow_redirects=False)
    assert replay.status_code == 400
    assert "Sign-in expired" in replay.text


def test_a_sign_in_left_over_ten_minutes_has_expired(api: Api, idp: OidcProvider) -> None:
    callback = start(api.client)
    api.clock.advance(minutes=11)
    response = api.client.get(callback, follow_redirects=False)
    assert response.status_code == 400
    assert "Sign-in expired" in response.text


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("other_key", "signature does not verify"),
        ("audience", "meant for another client"),
        ("issuer", "another issuer"),
        ("expired", "has expired"),
        ("nonce", "not issued for this sign-in"),
        ("alg_none", "signature does not verify"),
    ],
)
def test_a_bad_id_token_is_refused(api: Api, idp: OidcProvider, tamper: str, reason: str) -> None:
    idp.tamper = tamper
    response = sign_in(api.client)
    assert response.status_code == 502
    assert reason in response.text
    assert "firehouse_session" not in response.headers.get("set-cookie", "")
    assert user(api, "alice") is None


def test_a_failing_token_endpoint_is_a_clear_error_page(api: Api, idp: OidcProvider) -> None:
    idp.fail_next("token", status=500)
    response = sign_in(api.client)
    assert response.status_code == 502
    assert "refused the request (HTTP 500)" in response.text


def test_a_token_endpoint_that_does_not_answer_in_time_is_an_error_page(
    api: Api, idp: OidcProvider
) -> None:
    idp.token_delay = 1.0
    response = sign_in(api.client)
    assert response.status_code == 502
    assert "did not answer in time" in response.text


def test_a_password_account_with_the_same_username_is_not_taken_over(
    api: Api, idp: OidcProvider
) -> None:
    add_user(api, "alice", role="viewer")
    response = sign_in(api.client)
    assert response.status_code == 409
    assert "already uses the username" in response.text
    account = user(api, "alice")
    assert account is not None
    assert account.role == "viewer"
    assert account.password_hash


def test_a_username_firehouse_cannot_hold_is_refused(api: Api, idp: OidcProvider) -> None:
    idp.user["preferred_username"] = "alice smith"
    response = sign_in(api.client)
    assert response.status_code == 400
    assert "does not fit" in response.text


def test_the_sign_in_page_offers_the_provider_when_configured(api: Api, idp: OidcProvider) -> None:
    page = api.client.get("/sign-in")
    assert "Sign in with single sign-on" in page.text
    assert 'href="/sign-in/oidc?next=/"' in page.text


def test_without_a_provider_there_is_no_button_and_no_route(api: Api) -> None:
    assert "/sign-in/oidc" not in api.client.get("/sign-in").text
    assert api.client.get("/sign-in/oidc", follow_redirects=False).status_code == 404


def test_a_provider_that_declines_is_a_refusal_page(api: Api, idp: OidcProvider) -> None:
    callback = start(api.client)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = api.client.get(
        "/sign-in/oidc/callback",
        params={"error": "access_denied", "state": state},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "did not sign you in" in response.text


def test_an_unreachable_provider_is_an_error_page_when_starting(
    api: Api, idp: OidcProvider
) -> None:
    configure(api, {**idp.config(), "issuer": "http://127.0.0.1:9"})
    response = api.client.get("/sign-in/oidc", follow_redirects=False)
    assert response.status_code == 502
    assert "could not be reached" in response.text


def test_failed_single_sign_ins_count_against_the_address(api: Api, idp: OidcProvider) -> None:
    for _ in range(10):
        assert api.client.get("/sign-in/oidc/callback?state=x&code=y").status_code == 400
    assert api.client.get("/sign-in/oidc/callback?state=x&code=y").status_code == 429


def test_a_disabled_account_cannot_sign_in(api: Api, idp: OidcProvider) -> None:
    assert sign_in(api.client).status_code == 303
    with api.db.write() as session:
        disable_user(session, "alice", now=api.clock.now())
    response = sign_in(TestClient(api.app, raise_server_exceptions=False))
    assert response.status_code == 403
    assert "disabled" in response.text


def test_the_secret_can_travel_in_the_form_when_the_provider_wants_it(
    api: Api, idp: OidcProvider
) -> None:
    idp.auth_methods = ["client_secret_post"]
    assert sign_in(api.client).status_code == 303
    assert idp.token_requests[-1]["client_secret"] == CLIENT_SECRET


def test_an_unverified_email_links_no_person(api: Api, idp: OidcProvider) -> None:
    idp.user["email_verified"] = False
    assert sign_in(api.client).status_code == 303
    account = user(api, "alice")
    assert account is not None
    assert account.person_id is None
