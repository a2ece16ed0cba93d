"""The public JSON has Statuspage's public API v2 keys and types, and shows nothing private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from firehouse.statuspage import public_api
from firehouse.statuspage.model import Component, Maintenance, PublicIncident
from firehouse.statuspage.public_api import PageData, PageInfo
from tests.statuspage_public_rows import component, incident, maintenance

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
    "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact",
    "shortlink", "started_at", "page_id", "incident_updates", "components",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
    "affected_components", "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip


def page(
    components: list[Component] | None = None,
    incidents: list[PublicIncident] | None = None,
    maintenances: list[Maintenance] | None = None,
) -> PageData:
    info = PageInfo(
        id="abc123def456", name="Example Status", url="https://s.example", updated_at=NOW
    )
    return PageData(
        info,
        NOW,
        tuple(components if components is not None else [component("api", "API", now=NOW)]),
        tuple(incidents or []),
        tuple(maintenances or []),
    )


def docs(data: PageData) -> dict[str, Any]:
    return public_api.documents(data)


def outage(published: bool = True, **overrides: Any) -> PublicIncident:
    return incident(
        "inc1",
        "API errors",
        created=NOW - HOUR,
        published=published,
        components={"api": "major_outage"},
        updates=[("investigating", "Looking into it", NOW - HOUR)],
        **overrides,
    )


def test_every_statuspage_path_is_produced() -> None:
    assert set(docs(page())) == {
        "summary.json",
        "status.json",
        "components.json",
        "incidents.json",
        "incidents/unresolved.json",
        "scheduled-maintenances.json",
        "scheduled-maintenances/upcoming.json",
        "scheduled-maintenances/active.json",
    }


def test_summary_has_statuspage_sections_and_page_fields() -> None:
    summary = docs(page())["summary.json"]
    assert set(summary) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert set(summary["page"]) == PAGE_KEYS
    assert summary["page"]["updated_at"] == "2026-03-10T12:00:00.000Z"
    assert set(summary["status"]) == {"indicator", "description"}


def test_a_component_has_statuspage_keys_and_types() -> None:
    (item,) = docs(page())["components.json"]["components"]
    assert set(item) == COMPONENT_KEYS
    assert item["status"] == "operational"
    assert isinstance(item["position"], int)
    assert item["group"] is False
    assert item["group_id"] is None
    assert item["description"] is None  # empty text is null, as on Statuspage
    assert item["page_id"] == "abc123def456"


def test_a_group_is_a_component_listing_its_members() -> None:
    data = page(
        [
            component("web", "Website", now=NOW, group="Public", position=0),
            component("shop", "Shop", now=NOW, group="Public", position=1, status="partial_outage"),
            component("api", "API", now=NOW, position=2),
        ]
    )
    group, web, shop, api = docs(data)["components.json"]["components"]
    assert group["group"] is True
    assert group["components"] == ["web", "shop"]
    assert group["status"] == "partial_outage"  # the worst of its members
    assert web["group_id"] == shop["group_id"] == group["id"]
    assert (group["position"], api["position"]) == (1, 2)
    assert (web["position"], shop["position"]) == (1, 2)


def test_an_incident_and_its_updates_have_statuspage_keys() -> None:
    (item,) = docs(page(incidents=[outage()]))["incidents.json"]["incidents"]
    assert set(item) == INCIDENT_KEYS
    (update,) = item["incident_updates"]
    assert set(update) == UPDATE_KEYS
    assert update["incident_id"] == "inc1"
    assert update["affected_components"][0] == {
        "code": "api",
        "name": "api",
        "old_status": "operational",
        "new_status": "major_outage",
    }
    assert [c["id"] for c in item["components"]] == ["api"]
    assert item["shortlink"] == "https://s.example/history#inc1"


def test_drafts_never_appear_anywhere() -> None:
    everything = str(docs(page(incidents=[outage(published=False)])))
    assert "inc1" not in everything
    assert "API errors" not in everything


def test_the_indicator_follows_the_worst_component() -> None:
    data = page([component("api", "API", now=NOW, status="partial_outage")])
    assert docs(data)["status.json"]["status"] == {
        "indicator": "major",
        "description": "Partial System Outage",
    }


def test_the_indicator_follows_unresolved_incidents() -> None:
    status = docs(page(incidents=[outage(impact="critical")]))["status.json"]["status"]
    assert status["indicator"] == "critical"


def test_resolved_incidents_leave_the_indicator_and_the_unresolved_list() -> None:
    done = outage(impact="critical", status="resolved", resolved=NOW - HOUR / 2)
    documents = docs(page(incidents=[done]))
    assert documents["status.json"]["status"]["indicator"] == "none"
    assert documents["incidents/unresolved.json"]["incidents"] == []
    assert len(documents["incidents.json"]["incidents"]) == 1


def test_maintenance_inside_its_window_puts_components_under_maintenance() -> None:
    running = maintenance("m1", "DB upgrade", start=NOW - HOUR, component_ids=["api"])
    documents = docs(page(maintenances=[running]))
    (active,) = documents["scheduled-maintenances/active.json"]["scheduled_maintenances"]
    assert active["status"] == "in_progress"
    assert {"scheduled_for", "scheduled_until"} <= set(active)
    assert documents["components.json"]["components"][0]["status"] == "under_maintenance"
    assert documents["status.json"]["status"]["indicator"] == "maintenance"


def test_upcoming_maintenance_is_listed_in_upcoming_and_summary() -> None:
    later = maintenance("m1", "DB upgrade", start=NOW + 24 * HOUR, component_ids=["api"])
    documents = docs(page(maintenances=[later]))
    assert [
        m["id"] for m in documents["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]
    ] == ["m1"]
    assert [m["id"] for m in documents["summary.json"]["scheduled_maintenances"]] == ["m1"]
    assert documents["scheduled-maintenances/active.json"]["scheduled_maintenances"] == []
    assert documents["components.json"]["components"][0]["status"] == "operational"


def test_a_maintenance_past_its_window_counts_as_completed() -> None:
    past = maintenance("m1", "DB upgrade", start=NOW - 5 * HOUR, component_ids=["api"])
    (item,) = docs(page(maintenances=[past]))["scheduled-maintenances.json"][
        "scheduled_maintenances"
    ]
    assert item["status"] == "completed"


def test_timestamps_are_iso_8601_utc_with_milliseconds() -> None:
    assert public_api.stamp(datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)) == (
        "2026-01-02T03:04:05.600Z"
    )
