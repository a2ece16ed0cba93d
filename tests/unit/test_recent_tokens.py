"""The per-process memory of recently seen tokens: bounded in time and in size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from firehouse.auth.recent import RecentTokens
from firehouse.auth.roles import AccessRole
from firehouse.auth.service import Principal

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
CALLER = Principal(token_name="ci", role=AccessRole.RESPONDER, use_is_stale=True)


def test_a_remembered_token_is_answered_until_the_window_ends() -> None:
    recent = RecentTokens(ttl=timedelta(seconds=5))
    recent.remember("h1", CALLER, now=NOW)
    assert recent.get("h1", now=NOW + timedelta(seconds=4.9)) is not None
    assert recent.get("h1", now=NOW + timedelta(seconds=5)) is None
    assert recent.get("h1", now=NOW) is None  # gone for good once expired


def test_a_remembered_use_does_not_ask_to_record_the_use_again() -> None:
    recent = RecentTokens()
    recent.remember("h1", CALLER, now=NOW)
    remembered = recent.get("h1", now=NOW)
    assert remembered is not None
    assert remembered.token_name == "ci"
    assert remembered.use_is_stale is False


def test_a_clock_that_went_backwards_does_not_extend_the_window() -> None:
    recent = RecentTokens()
    recent.remember("h1", CALLER, now=NOW)
    assert recent.get("h1", now=NOW - timedelta(seconds=1)) is None


def test_the_memory_never_holds_more_than_its_capacity() -> None:
    recent = RecentTokens(capacity=3)
    for index in range(10):
        recent.remember(f"h{index}", CALLER, now=NOW)
    held = [index for index in range(10) if recent.get(f"h{index}", now=NOW) is not None]
    assert 1 <= len(held) <= 3
    assert 9 in held
