"""The Slack app manifest we ship: someone pastes it into Slack and expects it to just work.

Slack only tells you a manifest is wrong when you paste it, so the limits of its manifest schema
(version 1) that this file could break are checked here, along with what firehouse relies on:
the three request URLs, the slash command, the message shortcut and the bot scopes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from firehouse.catalog.config import ChatConfig
from firehouse.integrations.slack.api import SHORTCUT_CALLBACK, router

MANIFEST = Path(__file__).resolve().parents[2] / "examples" / "slack-app-manifest.yaml"
API = "/api/v1/integrations/slack"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    document = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_the_manifest_is_a_yaml_mapping_with_only_known_top_level_sections(
    manifest: dict[str, Any],
) -> None:
    known = {"_metadata", "display_information", "features", "oauth_config", "settings"}
    assert set(manifest) <= known
    assert manifest["_metadata"]["major_version"] == 1


def test_display_information_fits_slacks_length_limits(manifest: dict[str, Any]) -> None:
    display = manifest["display_information"]
    assert 1 <= len(display["name"]) <= 35
    assert 1 <= len(display["description"]) <= 140
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", display["background_color"])


def test_the_bot_user_has_a_display_name(manifest: dict[str, Any]) -> None:
    assert 1 <= len(manifest["features"]["bot_user"]["display_name"]) <= 80


def test_the_slash_command_is_the_configured_default_and_posts_to_the_commands_url(
    manifest: dict[str, Any],
) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == ChatConfig().command
    assert urlsplit(command["url"]).path == f"{API}/commands"
    assert 1 <= len(command["description"]) <= 2000
    assert 1 <= len(command["usage_hint"]) <= 1000


def test_the_message_shortcut_declares_from_a_message(manifest: dict[str, Any]) -> None:
    (shortcut,) = manifest["features"]["shortcuts"]
    assert shortcut["type"] == "message"
    assert shortcut["callback_id"] == SHORTCUT_CALLBACK
    assert 1 <= len(shortcut["name"]) <= 24
    assert 1 <= len(shortcut["description"]) <= 150


def test_interactivity_is_enabled_and_posts_to_the_interactions_url(
    manifest: dict[str, Any],
) -> None:
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert urlsplit(interactivity["request_url"]).path == f"{API}/interactions"


def test_events_are_delivered_to_the_events_url_and_include_reactions(
    manifest: dict[str, Any],
) -> None:
    events = manifest["settings"]["event_subscriptions"]
    assert urlsplit(events["request_url"]).path == f"{API}/events"
    assert "reaction_added" in events["bot_events"]


def test_all_three_request_urls_point_at_the_same_https_deployment(
    manifest: dict[str, Any],
) -> None:
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
    ]
    origins = {(urlsplit(url).scheme, urlsplit(url).netloc) for url in urls}
    assert origins == {("https", "firehouse.example.com")}


def test_every_request_url_is_a_route_firehouse_serves(manifest: dict[str, Any]) -> None:
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
    ]
    served = {path for route in router.routes if (path := getattr(route, "path", None))}
    assert {urlsplit(url).path for url in urls} <= served


def test_the_app_uses_http_request_urls_not_socket_mode(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["org_deploy_enabled"] is False


@pytest.mark.parametrize(
    ("scope", "needed_for"),
    [
        ("channels:manage", "conversations.create/setPurpose/setTopic/invite/archive, public"),
        ("groups:write", "the same calls on private channels"),
        ("channels:read", "conversations.info and conversations.list"),
        ("groups:read", "conversations.info and conversations.list, private"),
        ("channels:history", "conversations.history/replies to find a lost post"),
        ("groups:history", "the same in private channels"),
        ("chat:write", "chat.postMessage, chat.update, chat.postEphemeral"),
        ("bookmarks:write", "bookmarks.add"),
        ("users:read", "users.info"),
        ("users:read.email", "users.lookupByEmail"),
        ("commands", "the slash command and the shortcut"),
        ("reactions:read", "the reaction_added event"),
    ],
)
def test_the_bot_has_every_scope_firehouse_calls_need(
    manifest: dict[str, Any], scope: str, needed_for: str
) -> None:
    assert scope in manifest["oauth_config"]["scopes"]["bot"], needed_for


def test_the_bot_asks_for_no_user_scopes_and_no_duplicates(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}
    assert len(scopes["bot"]) == len(set(scopes["bot"]))
