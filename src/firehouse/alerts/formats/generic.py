"""firehouse's own JSON format (`POST /api/v1/alerts`), for senders with no format of their own.

One alert object, or `{"alerts": [...]}` with at least one. An alert:

    summary      string, required                 the alert's one line
    status       "firing" | "resolved"            default "firing"
    fingerprint  string ≤ 255                     default: a hash of source, summary, labels
    labels       {string: string}                 matched by routing rules
    details      {string: any JSON}
    priority     "P1" … "P5"
    severity, service, source, description        strings
    links        {name: http(s) URL}
    starts_at, ends_at                            RFC 3339 times with a zone

Strict, because it is ours: an unknown field is refused (a typo such as `sumary` would
otherwise silently lose data) and every error names its field, `alerts[2].labels.env`.
"""

from __future__ import annotations

from typing import Any

from firehouse.alerts.events import Action, AlertEvent, PayloadError, Source
from firehouse.alerts.formats.fields import (
    BODY,
    as_list,
    as_object,
    at,
    is_web_url,
    item,
    optional_object,
    optional_str,
    parse_time,
    priority,
    required_str,
    string_map,
)
from firehouse.alerts.formats.fingerprint import identity_fingerprint

FINGERPRINT_LIMIT = 255
FIELDS = frozenset(
    {
        "summary",
        "status",
        "fingerprint",
        "labels",
        "details",
        "priority",
        "severity",
        "service",
        "source",
        "description",
        "links",
        "starts_at",
        "ends_at",
    }
)
_STATUS_ACTION = {"firing": Action.TRIGGER, "resolved": Action.RESOLVE}


def parse(payload: Any) -> list[AlertEvent]:
    body = as_object(payload, BODY)
    if "alerts" not in body:
        return [_alert(body, "")]
    for key in body:
        if key != "alerts":
            raise PayloadError("cannot be given beside alerts", field=key)
    alerts = as_list(body["alerts"], "alerts")
    if not alerts:
        raise PayloadError("must hold at least one alert", field="alerts")
    return [
        _alert(as_object(alert, item("alerts", index)), item("alerts", index))
        for index, alert in enumerate(alerts)
    ]


def _alert(alert: dict[str, Any], prefix: str) -> AlertEvent:
    for key in alert:
        if key not in FIELDS:
            raise PayloadError("is not a field of an alert", field=at(prefix, key))
    summary = required_str(alert, "summary", prefix).strip()
    labels = string_map(alert.get("labels"), at(prefix, "labels"))
    source = optional_str(alert, "source", prefix) or ""
    details = optional_object(alert, "details", prefix)
    if source:
        details = {**details, "source": source}
    action = _action(alert, prefix)
    return AlertEvent(
        source=Source.GENERIC,
        action=action,
        fingerprint=_fingerprint(alert, prefix)
        or identity_fingerprint(source=source, summary=summary, labels=labels),
        summary=summary,
        description=optional_str(alert, "description", prefix) or "",
        priority=priority(optional_str(alert, "priority", prefix), at(prefix, "priority")),
        severity=optional_str(alert, "severity", prefix) or None,
        labels=labels,
        details=details,
        links=_links(alert.get("links"), at(prefix, "links")),
        service=optional_str(alert, "service", prefix) or None,
        starts_at=parse_time(alert.get("starts_at"), at(prefix, "starts_at")),
        ends_at=parse_time(alert.get("ends_at"), at(prefix, "ends_at")),
        raw=alert,
    )


def _action(alert: dict[str, Any], prefix: str) -> Action:
    status = optional_str(alert, "status", prefix) or "firing"
    if status not in _STATUS_ACTION:
        raise PayloadError("must be firing or resolved", field=at(prefix, "status"))
    return _STATUS_ACTION[status]


def _fingerprint(alert: dict[str, Any], prefix: str) -> str | None:
    fingerprint = optional_str(alert, "fingerprint", prefix)
    if fingerprint is None:
        return None
    if not fingerprint.strip():
        raise PayloadError("must not be blank", field=at(prefix, "fingerprint"))
    if len(fingerprint) > FINGERPRINT_LIMIT:
        raise PayloadError(
            f"must be at most {FINGERPRINT_LIMIT} characters", field=at(prefix, "fingerprint")
        )
    return fingerprint


def _links(value: Any, field: str) -> dict[str, str]:
    links = string_map(value, field)
    for name, url in links.items():
        if not is_web_url(url):
            raise PayloadError("must be an http(s) URL", field=at(field, name))
    return links
