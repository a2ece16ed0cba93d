"""Prometheus Alertmanager's `webhook_config` body (version 4), and Grafana-managed alerting's.

One notification carries a group: every alert in it, firing and resolved, becomes one event.
Grafana's webhook contact point sends the same shape with extras (`silenceURL`,
`dashboardURL`, `panelURL`, `values`, `orgId`, …) and `version: "1"`, so the version is
recorded, never checked.

Mapping, per alert:
- `status` firing → TRIGGER, resolved → RESOLVE.
- fingerprint: the alert's `fingerprint`; senders too old to send one get Prometheus's own
  label-set fingerprint, computed the same way, so both name the alert alike.
- summary: `annotations.summary`, else `annotations.description`, else `labels.alertname`.
- priority: `labels.priority` when it is P1-P5 (case aside); else from `labels.severity`:
  critical → P2, error and warning → P3, info → P4 (P1 stays a human's call, or an explicit
  label); any other word → None, left to routing. An odd value never refuses the alert:
  Alertmanager drops a 4xx for good.
- service: `labels.service`. ends_at: only for resolved alerts (a firing alert's endsAt is an
  expiry estimate, not an end).
- links: generator, silence, dashboard, panel, image, runbook (`annotations.runbook_url`),
  alertmanager (`externalURL`); only http(s) URLs are kept.
"""

from __future__ import annotations

from typing import Any

from firehouse.alerts.events import Action, AlertEvent, PayloadError, Source
from firehouse.alerts.formats.fields import (
    BODY,
    PRIORITIES,
    as_list,
    as_object,
    at,
    is_web_url,
    item,
    optional_int,
    optional_object,
    optional_str,
    parse_time,
    string_map,
)
from firehouse.alerts.formats.fingerprint import label_fingerprint

SEVERITY_PRIORITY = {"critical": "P2", "error": "P3", "warning": "P3", "info": "P4"}
_STATUS_ACTION = {"firing": Action.TRIGGER, "resolved": Action.RESOLVE}
_ALERT_LINKS = {
    "generatorURL": "generator",
    "silenceURL": "silence",
    "dashboardURL": "dashboard",
    "panelURL": "panel",
    "imageURL": "image",
}


def parse(payload: Any) -> list[AlertEvent]:
    body = as_object(payload, BODY)
    group = _group_details(body)
    external = optional_str(body, "externalURL", "")
    alerts = body.get("alerts")
    if alerts is None:
        raise PayloadError("is required", field="alerts")
    return [
        _alert(as_object(alert, item("alerts", index)), item("alerts", index), group, external)
        for index, alert in enumerate(as_list(alerts, "alerts"))
    ]


def truncated(payload: Any) -> int:
    """How many alerts Alertmanager left out of this notification (`max_alerts`)."""
    return optional_int(as_object(payload, BODY), "truncatedAlerts", "") or 0


def _group_details(body: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {
        "receiver": optional_str(body, "receiver", ""),
        "group_key": optional_str(body, "groupKey", ""),
        "group_labels": string_map(body.get("groupLabels"), "groupLabels"),
        "truncated_alerts": optional_int(body, "truncatedAlerts", "") or 0,
        "version": optional_str(body, "version", ""),
    }
    org_id = optional_int(body, "orgId", "")
    if org_id is not None:
        details["org_id"] = org_id
    return {key: value for key, value in details.items() if value is not None}


def _alert(
    alert: dict[str, Any], prefix: str, group: dict[str, Any], external: str | None
) -> AlertEvent:
    action = _action(alert, prefix)
    labels = string_map(alert.get("labels"), at(prefix, "labels"))
    annotations = string_map(alert.get("annotations"), at(prefix, "annotations"))
    fingerprint = optional_str(alert, "fingerprint", prefix) or label_fingerprint(labels)
    ends_at = parse_time(alert.get("endsAt"), at(prefix, "endsAt"))
    return AlertEvent(
        source=Source.ALERTMANAGER,
        action=action,
        fingerprint=fingerprint,
        summary=_summary(annotations, labels, fingerprint),
        description=annotations.get("description", ""),
        priority=_priority(labels),
        severity=labels.get("severity"),
        labels=labels,
        details={**group, **_alert_details(alert, prefix, annotations)},
        links=_links(alert, prefix, annotations, external),
        service=labels.get("service") or None,
        starts_at=parse_time(alert.get("startsAt"), at(prefix, "startsAt")),
        ends_at=ends_at if action is Action.RESOLVE else None,
        raw=alert,
    )


def _action(alert: dict[str, Any], prefix: str) -> Action:
    status = optional_str(alert, "status", prefix)
    if status is None:
        raise PayloadError("is required", field=at(prefix, "status"))
    if status not in _STATUS_ACTION:
        raise PayloadError("must be firing or resolved", field=at(prefix, "status"))
    return _STATUS_ACTION[status]


def _summary(annotations: dict[str, str], labels: dict[str, str], fingerprint: str) -> str:
    for text in (annotations.get("summary"), annotations.get("description")):
        if text and text.strip():
            return text.strip()
    return labels.get("alertname") or f"Alert {fingerprint}"


def _priority(labels: dict[str, str]) -> str | None:
    stated = labels.get("priority", "").strip().upper()
    if stated in PRIORITIES:
        return stated
    return SEVERITY_PRIORITY.get(labels.get("severity", "").strip().lower())


def _alert_details(
    alert: dict[str, Any], prefix: str, annotations: dict[str, str]
) -> dict[str, Any]:
    details: dict[str, Any] = {"annotations": annotations}
    values = optional_object(alert, "values", prefix)
    if values:
        details["values"] = values
    value_string = optional_str(alert, "valueString", prefix)
    if value_string:
        details["value_string"] = value_string
    return details


def _links(
    alert: dict[str, Any], prefix: str, annotations: dict[str, str], external: str | None
) -> dict[str, str]:
    candidates = {name: optional_str(alert, key, prefix) for key, name in _ALERT_LINKS.items()}
    candidates["runbook"] = annotations.get("runbook_url")
    candidates["alertmanager"] = external
    return {name: url for name, url in candidates.items() if url and is_web_url(url)}
