"""The Atlassian Statuspage mirror, through the outbox, against a local emulator of the
manage API: everything the public sees arrives once, whatever the API does to the calls."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest

from firehouse.catalog.config import parse_config
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.integrations.atlassian_statuspage.mirror import SUBSCRIPTION
from firehouse.integrations.atlassian_statuspage.model import AtlassianIncidentLink
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.statuspage.model import PublicIncident
from tests.fakes.atlassian_statuspage import API_KEY, StatuspageEmulator, atlassian
from tests.integrations.atlassian_support import (
    MAPPING,
    apply,
    dispatcher,
    lose_outbox_record,
    mirror,
    mirror_deliveries,
    post_update,
    publish,
    run_until_settled,
    set_component,
)

__all__ = ["atlassian"]  # the emulator fixture, used by name


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=1.0, follow_redirects=False) as client:
        yield client


def _configure(db: Database, clock: FakeClock, emulator: StatuspageEmulator) -> None:
    emulator.add_component("webcmp000001", "Website")
    emulator.add_component("apicmp000001", "Public API")
    section = {"page_id": emulator.page.id, "api_url": emulator.api_url, "components": MAPPING}
    apply(db, clock, section)


@pytest.fixture
def run(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, http: httpx.Client
) -> Dispatcher:
    _configure(db, clock, atlassian)
    return dispatcher(db, clock, mirror(db, clock, http, API_KEY))


def test_publishing_creates_the_atlassian_incident_with_its_mapped_components(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    public_id = publish(db, clock, {"website": "partial_outage", "docs": "major_outage"})
    run_until_settled(run, clock)
    [incident] = atlassian.incidents.values()
    assert (incident["name"], incident["status"], incident["impact"]) == (
        "Checkout errors",
        "investigating",
        "critical",  # firehouse's impact, which counts the unmapped component too
    )
    assert incident["metadata"] == {"firehouse": {"public_incident_id": public_id}}
    assert [c["id"] for c in incident["components"]] == ["webcmp000001"]
    assert atlassian.components["webcmp000001"]["status"] == "partial_outage"
    [update] = incident["incident_updates"]
    assert update["body"] == "We are investigating failed checkouts."


def test_each_update_arrives_once_with_its_status_and_text(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    public_id = publish(db, clock)
    post_update(db, clock, public_id, status="identified", message="A bad deploy; rolling back.")
    post_update(db, clock, public_id, status="monitoring", message="Rolled back; watching.")
    run_until_settled(run, clock)
    [incident] = atlassian.incidents.values()
    assert [(u["status"], u["body"]) for u in incident["incident_updates"]] == [
        ("monitoring", "Rolled back; watching."),
        ("identified", "A bad deploy; rolling back."),
        ("investigating", "We are investigating failed checkouts."),
    ]
    assert len(atlassian.calls_to("create_incident")) == 1


def test_resolving_resolves_it_and_returns_its_components_to_operational(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    public_id = publish(db, clock)
    post_update(db, clock, public_id, status="resolved", message="Checkouts work again.")
    run_until_settled(run, clock)
    [incident] = atlassian.incidents.values()
    assert incident["status"] == "resolved"
    assert incident["resolved_at"] is not None
    assert atlassian.components["webcmp000001"]["status"] == "operational"


def test_a_component_set_by_hand_is_mirrored(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    set_component(db, clock, "api", "degraded_performance")
    run_until_settled(run, clock)
    assert atlassian.components["apicmp000001"]["status"] == "degraded_performance"


def test_unmapped_components_are_never_sent(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    set_component(db, clock, "docs", "major_outage")
    publish(db, clock, {"docs": "partial_outage"})
    run_until_settled(run, clock)
    assert atlassian.calls_to("update_component") == []
    [create] = atlassian.calls_to("create_incident")
    assert "components" not in create.body["incident"]
    assert "component_ids" not in create.body["incident"]
    assert not mirror_deliveries(db, "dead")


def test_a_redelivered_update_is_not_posted_again(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    public_id = publish(db, clock)
    post_update(db, clock, public_id, status="identified", message="Found it.")
    run_until_settled(run, clock)
    for delivery in mirror_deliveries(db):
        lose_outbox_record(db, delivery.id, clock)
    run_until_settled(run, clock)
    [incident] = atlassian.incidents.values()
    assert len(incident["incident_updates"]) == 2
    assert len(atlassian.calls_to("create_incident")) == 1


def test_a_rate_limited_create_waits_for_retry_after_then_creates_one_incident(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    atlassian.fail_next("create_incident", status=429, retry_after=120)
    publish(db, clock)
    run.run_until_idle()
    [delivery] = mirror_deliveries(db, "pending")
    assert "rate limit" in str(delivery.last_error)
    assert delivery.next_attempt_at >= clock.now() + timedelta(seconds=120)
    run_until_settled(run, clock)
    assert len(atlassian.incidents) == 1
    assert [d.state for d in mirror_deliveries(db)] == ["delivered"]


def test_server_errors_then_recovery_create_exactly_one_incident(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    atlassian.fail_next("create_incident", status=503, times=2)
    publish(db, clock)
    run_until_settled(run, clock)
    assert len(atlassian.incidents) == 1
    assert [c.status for c in atlassian.calls_to("create_incident")] == [503, 503, 201]


def test_a_create_whose_reply_was_lost_is_adopted_not_duplicated(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    atlassian.lose_reply("create_incident")
    public_id = publish(db, clock)
    run_until_settled(run, clock)
    [(remote_id, incident)] = atlassian.incidents.items()
    assert len(atlassian.calls_to("create_incident")) == 1
    assert len(incident["incident_updates"]) == 1
    with db.read() as session:
        link = session.get_one(AtlassianIncidentLink, (atlassian.page.id, public_id))
        assert link.atlassian_incident_id == remote_id


def test_an_update_whose_reply_was_lost_is_not_posted_twice(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    public_id = publish(db, clock)
    run_until_settled(run, clock)
    atlassian.lose_reply("update_incident")
    post_update(db, clock, public_id, status="identified", message="Found it.")
    run_until_settled(run, clock)
    [incident] = atlassian.incidents.values()
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]


def test_a_wrong_api_key_parks_the_delivery_with_a_clear_error(
    db: Database,
    clock: FakeClock,
    atlassian: StatuspageEmulator,
    http: httpx.Client,
) -> None:
    _configure(db, clock, atlassian)
    run = dispatcher(db, clock, mirror(db, clock, http, "not-the-key"))
    publish(db, clock)
    run_until_settled(run, clock)
    [delivery] = mirror_deliveries(db)
    assert delivery.state == "dead"
    assert "refused the API key" in str(delivery.last_error)
    assert "not-the-key" not in str(delivery.last_error)
    assert atlassian.incidents == {}


def test_a_missing_api_key_is_reported_by_its_variable_name(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, http: httpx.Client
) -> None:
    _configure(db, clock, atlassian)
    run = dispatcher(db, clock, mirror(db, clock, http, ""))
    publish(db, clock)
    run.run_until_idle()
    [delivery] = mirror_deliveries(db)
    assert "FIREHOUSE_ATLASSIAN_STATUSPAGE_API_KEY" in str(delivery.last_error)
    assert atlassian.calls == []


def test_calls_are_paced_within_the_rate_limit(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, http: httpx.Client
) -> None:
    _configure(db, clock, atlassian)
    atlassian.limit_rate(0.05)  # unpaced, these three calls come within a few milliseconds
    run = dispatcher(db, clock, mirror(db, clock, http, API_KEY, interval=0.15))
    public_id = publish(db, clock)
    set_component(db, clock, "api", "partial_outage")
    post_update(db, clock, public_id, status="resolved", message="Fixed.")
    run.run_until_idle()
    assert [c.status for c in atlassian.calls] == [201, 200, 200]
    assert [d.state for d in mirror_deliveries(db)] == ["delivered"] * 3


def test_without_an_atlassian_section_nothing_is_queued_for_it(
    db: Database, clock: FakeClock
) -> None:
    apply(db, clock, None)
    publish(db, clock)
    assert mirror_deliveries(db) == []
    with db.read() as session:
        assert session.query(PublicIncident).count() == 1


def test_config_apply_creates_the_subscription_and_removing_the_section_stops_it(
    db: Database, clock: FakeClock
) -> None:
    section = {"page_id": "abc123def456", "components": {"website": "k1"}}
    assert f"created subscription {SUBSCRIPTION}" in apply(db, clock, section)
    assert not any(SUBSCRIPTION in change for change in apply(db, clock, section))
    assert f"deactivated subscription {SUBSCRIPTION}" in apply(db, clock, None)


def test_mapping_a_component_the_page_does_not_declare_is_a_config_problem() -> None:
    text = """
organisation: {name: Example}
statuspage:
  components: [{id: website, name: Website}]
  atlassian:
    page_id: abc123def456
    components: {website: k1, checkout: k2}
"""
    _config, problems = parse_config(text)
    assert [(p.path, p.message) for p in problems] == [
        ("statuspage.atlassian.components.checkout", "unknown component 'checkout'")
    ]


def test_a_create_that_timed_out_but_landed_is_adopted(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator
) -> None:
    _configure(db, clock, atlassian)
    with httpx.Client(timeout=0.2) as impatient:
        run = dispatcher(db, clock, mirror(db, clock, impatient, API_KEY))
        atlassian.set_latency(0.4)  # the create is applied after the client gave up
        publish(db, clock)
        run.run_until_idle()
        assert "timed out" in str(mirror_deliveries(db, "pending")[0].last_error)
        atlassian.set_latency(0.0)
        clock.advance(seconds=5)  # past the back-off, not past the in-flight grace
        run.run_until_idle()
        assert "may still be in flight" in str(mirror_deliveries(db, "pending")[0].last_error)
        _wait_until(lambda: len(atlassian.calls_to("create_incident")) == 1)  # it landed
        run_until_settled(run, clock)
    assert len(atlassian.incidents) == 1
    assert len(atlassian.calls_to("create_incident")) == 1


def test_a_component_statuspage_does_not_know_parks_with_its_error(
    db: Database, clock: FakeClock, atlassian: StatuspageEmulator, run: Dispatcher
) -> None:
    del atlassian.components["apicmp000001"]  # removed on Statuspage, still mapped here
    set_component(db, clock, "api", "major_outage")
    run_until_settled(run, clock)
    [delivery] = mirror_deliveries(db)
    assert delivery.state == "dead"
    assert "PATCH /pages/emupage00001/components/apicmp000001: HTTP 404" in str(delivery.last_error)


def _wait_until(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)
