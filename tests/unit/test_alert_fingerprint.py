"""What makes two deliveries the same alert."""

from __future__ import annotations

from firehouse.alerts.fingerprint import (
    MAX_FINGERPRINT,
    bounded,
    identity_fingerprint,
    is_id_reference,
    open_key,
    referenced_alert_id,
)


def test_identity_fingerprint_ignores_key_order() -> None:
    first = identity_fingerprint({"service": "website", "check": "http"})
    assert first == identity_fingerprint({"check": "http", "service": "website"})


def test_identity_fingerprint_tells_different_alerts_apart() -> None:
    assert identity_fingerprint({"check": "http"}) != identity_fingerprint({"check": "dns"})


def test_identity_fingerprint_is_32_hex_digits() -> None:
    value = identity_fingerprint({"check": "http"})
    assert len(value) == 32
    assert all(c in "0123456789abcdef" for c in value)


def test_the_open_key_separates_sources_and_scopes() -> None:
    assert open_key("pagerduty", "key-a", "db") != open_key("pagerduty", "key-b", "db")
    assert open_key("opsgenie", "", "db") != open_key("generic", "", "db")


def test_a_long_fingerprint_is_hashed_not_cut() -> None:
    common = "x" * MAX_FINGERPRINT
    first, second = bounded(common + "a", MAX_FINGERPRINT), bounded(common + "b", MAX_FINGERPRINT)
    assert first != second
    assert len(first) <= MAX_FINGERPRINT
    assert bounded("short", MAX_FINGERPRINT) == "short"


def test_an_id_reference_names_an_alert_id() -> None:
    assert is_id_reference("id:42")
    assert referenced_alert_id("id:42") == 42
    assert not is_id_reference("disk-full")


def test_an_id_reference_without_a_number_names_nothing() -> None:
    assert referenced_alert_id("id:abc") is None
    assert referenced_alert_id("id:") is None
