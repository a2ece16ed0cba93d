"""Shared helpers of the alert service tests: events built directly, ingested as a delivery."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from firehouse.alerts import service
from firehouse.alerts.events import Action, AlertEvent, IngestResult, Source
from firehouse.alerts.model import Alert
from firehouse.catalog.model import OrganisationSetting
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents.model import Incident, TimelineEntry


def alert_event(fingerprint: str = "disk-full", **fields: Any) -> AlertEvent:
    defaults: dict[str, Any] = {
        "source": Source.ALERTMANAGER,
        "action": Action.TRIGGER,
        "fingerprint": fingerprint,
        "summary": "Disk almost full on web-1",
        "severity": "critical",
        "labels": {"alertname": "DiskFull", "severity": "critical", "instance": "web-1"},
        "links": {"generator": "https://prometheus.example.com/graph?g0.expr=disk"},
        "service": "website",
        "raw": {"status": "firing", "fingerprint": fingerprint},
    }
    return AlertEvent(**{**defaults, **fields})


def deliver(
    db: Database, clock: FakeClock, *events: AlertEvent, integration: str = "default"
) -> list[IngestResult]:
    with db.write() as session:
        return service.ingest(session, list(events), integration=integration, now=clock.now())


def all_alerts(db: Database) -> list[Alert]:
    with db.read() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def set_routing(db: Database, rules: list[dict[str, Any]], **extra: Any) -> None:
    """What `config apply` stores for `routing:` (tests skip the file)."""
    value = {"rules": rules, "default": extra.pop("default", "record"), **extra}
    with db.write() as session:
        session.merge(OrganisationSetting(key="alerts.routing", value=value))


def incident_rule(name: str = "critical", **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "match": {"labels": {"severity": "critical"}},
        "action": "incident",
        **fields,
    }


def incidents(db: Database) -> list[Incident]:
    with db.read() as session:
        return list(session.scalars(select(Incident).order_by(Incident.number)))


def timeline_texts(db: Database, number: int, kind: str | None = None) -> list[str]:
    with db.read() as session:
        query = (
            select(TimelineEntry.text)
            .join(Incident, Incident.id == TimelineEntry.incident_id)
            .where(Incident.number == number)
            .order_by(TimelineEntry.id)
        )
        if kind is not None:
            query = query.where(TimelineEntry.kind == kind)
        return list(session.scalars(query))
