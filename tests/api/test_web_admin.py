"""The admin pages: the catalogue as configured, API tokens, web accounts and the applied
configuration — for administrators only, every change behind the form's CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from firehouse.auth.service import list_tokens
from firehouse.catalog.applied import REDACTED, redacted
from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import check_file, parse_config
from tests.api.client import Api
from tests.api.web_support import PASSWORD, add_user, browser_for, post_form

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "firehouse.yaml"
PAGES = [
    "/admin",
    "/admin/services",
    "/admin/services/website",
    "/admin/people",
    "/admin/teams",
    "/admin/tokens",
    "/admin/users",
    "/admin/config",
]


@pytest.fixture
def admin(api: Api) -> TestClient:
    add_user(api, "root", role="admin")
    return browser_for(api, "root")


def _secret_on(page: str) -> str:
    found = re.search(r'id="token-secret-value"[^>]*value="([^"]+)"', page)
    assert found is not None, "the page shows no new token"
    return found.group(1)


def _create_token(admin: TestClient, name: str, role: str = "viewer") -> str:
    created = post_form(admin, "/admin/tokens", {"name": name, "role": role}, page="/admin/tokens")
    assert created.status_code == 200, created.text
    return _secret_on(created.text)


# ---- who may see the admin pages ----


@pytest.mark.parametrize("path", PAGES)
def test_each_admin_page_renders_for_an_admin(api: Api, admin: TestClient, path: str) -> None:
    page = admin.get(path)
    assert page.status_code == 200, page.text
    assert '<nav class="admin-nav" aria-label="Admin">' in page.text
    assert page.text.count("<h1") == 1


@pytest.mark.parametrize("role", ["viewer", "responder"])
@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_refuse_other_roles(api: Api, role: str, path: str) -> None:
    add_user(api, role, role=role)
    page = browser_for(api, role).get(path)
    assert page.status_code == 403
    assert "needs the admin role" in page.text


@pytest.mark.parametrize("role", ["viewer", "responder"])
def test_other_roles_cannot_create_tokens(api: Api, role: str) -> None:
    add_user(api, role, role=role)
    browser = browser_for(api, role)
    refused = post_form(browser, "/admin/tokens", {"name": "sneaky", "role": "admin"})
    assert refused.status_code == 403
    with api.db.read() as session:
        assert "sneaky" not in [token.name for token in list_tokens(session)]


def test_a_change_without_the_csrf_token_is_refused(api: Api, admin: TestClient) -> None:
    refused = admin.post(
        "/admin/tokens", data={"name": "no-csrf", "role": "viewer"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert "no-csrf" not in admin.get("/admin/tokens").text


def test_the_catalogue_pages_say_they_come_from_the_config_file(admin: TestClient) -> None:
    for path in ("/admin/services", "/admin/people", "/admin/teams"):
        assert "firehouse config apply" in admin.get(path).text


def test_the_services_page_lists_inactive_services_too(admin: TestClient) -> None:
    page = admin.get("/admin/services").text
    assert 'href="/admin/services/website"' in page
    assert "Legacy" in page
    assert "inactive" in page


def test_a_service_page_shows_its_team_point_people_and_playbook(admin: TestClient) -> None:
    page = admin.get("/admin/services/website").text
    assert "platform" in page
    assert "(alice)" in page
    assert "https://wiki.example.com/website" in page


def test_an_unknown_service_is_a_not_found_page(admin: TestClient) -> None:
    assert admin.get("/admin/services/nothing").status_code == 404


# ---- API tokens ----


def test_a_new_token_is_shown_once_and_works_against_the_api(api: Api, admin: TestClient) -> None:
    created = post_form(
        admin, "/admin/tokens", {"name": "deploy-bot", "role": "viewer"}, page="/admin/tokens"
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    assert "will not be shown again" in created.text
    secret = _secret_on(created.text)
    listed = api.client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 200


def test_the_token_listing_never_shows_a_secret(api: Api, admin: TestClient) -> None:
    secret = _create_token(admin, "deploy-bot")
    listing = admin.get("/admin/tokens")
    assert "deploy-bot" in listing.text
    assert secret not in listing.text


def test_a_token_can_act_for_a_person(api: Api, admin: TestClient) -> None:
    form = {"name": "alice-script", "role": "responder", "person": "alice"}
    created = post_form(admin, "/admin/tokens", form, page="/admin/tokens")
    assert created.status_code == 200
    row = re.search(r"<td>alice-script</td>\s*<td>responder</td>\s*<td>alice</td>", created.text)
    assert row is not None


def test_a_revoked_token_no_longer_authenticates(api: Api, admin: TestClient) -> None:
    secret = _create_token(admin, "old-bot")
    revoked = post_form(admin, "/admin/tokens/old-bot/revoke", {}, page="/admin/tokens")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/admin/tokens"
    refused = api.client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert "revoked" in admin.get("/admin/tokens").text


def test_a_duplicate_token_name_is_refused_naming_the_field(api: Api, admin: TestClient) -> None:
    _create_token(admin, "twice")
    again = post_form(
        admin, "/admin/tokens", {"name": "twice", "role": "admin"}, page="/admin/tokens"
    )
    assert again.status_code == 422
    assert "Name: a token named &#39;twice&#39; already exists" in again.text
    assert 'id="token-secret-value"' not in again.text
    assert again.text.count("<td>twice</td>") == 1


def test_an_empty_token_name_is_refused_naming_the_field(api: Api, admin: TestClient) -> None:
    empty = post_form(admin, "/admin/tokens", {"name": " ", "role": "viewer"}, page="/admin/tokens")
    assert empty.status_code == 422
    assert "Name: must be 1-100 characters" in empty.text


def test_revoking_an_unknown_token_is_not_found(admin: TestClient) -> None:
    missing = post_form(admin, "/admin/tokens/ghost/revoke", {}, page="/admin/tokens")
    assert missing.status_code == 404


# ---- web accounts ----


def test_a_created_account_can_sign_in(api: Api, admin: TestClient) -> None:
    form = {
        "username": "erin",
        "name": "Erin Stone",
        "role": "responder",
        "person": "dan",
        "password": "a long enough password",
    }
    created = post_form(admin, "/admin/users", form, page="/admin/users")
    assert created.status_code == 303
    assert "Erin Stone" in admin.get("/admin/users").text
    fresh = TestClient(api.app, base_url="http://testserver")
    signed = fresh.post(
        "/sign-in",
        data={"username": "erin", "password": "a long enough password"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert "Erin Stone" in fresh.get("/").text


def test_the_user_form_asks_for_a_new_password(admin: TestClient) -> None:
    page = admin.get("/admin/users").text
    assert 'type="password" autocomplete="new-password" minlength="12"' in page


def test_a_short_password_is_refused_and_nothing_is_created(api: Api, admin: TestClient) -> None:
    form = {"username": "erin", "name": "Erin", "role": "viewer", "password": "short"}
    refused = post_form(admin, "/admin/users", form, page="/admin/users")
    assert refused.status_code == 422
    assert "Password: must be at least 12 characters" in refused.text
    assert "<td>erin</td>" not in admin.get("/admin/users").text


def test_disabling_an_account_signs_it_out(api: Api, admin: TestClient) -> None:
    add_user(api, "alice", role="responder", person="alice")
    alice = browser_for(api, "alice")
    assert alice.get("/", follow_redirects=False).status_code == 200
    disabled = post_form(admin, "/admin/users/alice/disable", {}, page="/admin/users")
    assert disabled.status_code == 303
    assert alice.get("/", follow_redirects=False).status_code == 303
    again = TestClient(api.app, base_url="http://testserver").post(
        "/sign-in", data={"username": "alice", "password": PASSWORD}, follow_redirects=False
    )
    assert again.status_code == 401


def test_an_admin_cannot_disable_their_own_account(api: Api, admin: TestClient) -> None:
    refused = post_form(admin, "/admin/users/root/disable", {}, page="/admin/users")
    assert refused.status_code == 422
    assert "cannot disable your own account" in refused.text
    assert admin.get("/admin/users", follow_redirects=False).status_code == 200


# ---- the applied configuration ----


def test_the_config_page_says_when_nothing_was_applied(admin: TestClient) -> None:
    page = admin.get("/admin/config").text
    assert "No configuration has been applied yet" in page
    assert "firehouse config apply firehouse.yaml" in page
    assert "Priority policy" in page


def test_the_config_page_shows_the_applied_file_and_its_document(
    api: Api, admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREHOUSE_SMTP_PASSWORD", "hunter2-smtp-secret")
    config, problems = check_file(EXAMPLE)
    assert config is not None
    assert not problems
    with api.db.write() as session:
        apply_config(session, config, source=str(EXAMPLE), now=api.clock.now())
    page = admin.get("/admin/config").text
    assert str(EXAMPLE) in page
    assert '<pre class="source">organisation:\n  name: Northlight Art Market' in page
    assert "Maya Okafor" in page
    assert "hunter2-smtp-secret" not in page


def test_the_config_page_shows_the_applied_priority_policy(api: Api, admin: TestClient) -> None:
    text = EXAMPLE.read_text()
    config, problems = parse_config(text)
    assert config is not None
    assert not problems
    with api.db.write() as session:
        apply_config(session, config, source="firehouse.yaml", now=api.clock.now())
    page = admin.get("/admin/config").text
    for level in config.priority_policy().ordered():
        assert level.name in page


def test_secret_values_are_redacted_but_variable_names_are_kept() -> None:
    document = {
        "smtp": {"host": "mail.example", "password": "p4ss"},
        "webhooks": [{"name": "ops", "secret_env": "FIREHOUSE_OPS_SECRET", "secret": "s3"}],
        "chat": {"bot_token": "xoxb-1", "api_key": "k", "port": 25},
    }
    assert redacted(document) == {
        "smtp": {"host": "mail.example", "password": REDACTED},
        "webhooks": [{"name": "ops", "secret_env": "FIREHOUSE_OPS_SECRET", "secret": REDACTED}],
        "chat": {"bot_token": REDACTED, "api_key": REDACTED, "port": 25},
    }
