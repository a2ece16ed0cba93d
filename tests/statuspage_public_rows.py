"""Status-page rows for the public page's tests, written straight into the tables.

The public surfaces only read these tables, so their tests state exactly what the page
holds instead of going through the responder services (another slice's concern).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from firehouse.catalog.model import OrganisationSetting
from firehouse.db import Database, notify_after_commit
from firehouse.statuspage.model import (
    Component,
    Maintenance,
    PublicIncident,
    PublicIncidentComponent,
    PublicUpdate,
)

LONG_AGO = timedelta(days=200)


def component(
    component_id: str,
    name: str,
    *,
    now: datetime,
    group: str | None = None,
    position: int = 0,
    status: str = "operational",
    description: str = "",
) -> Component:
    return Component(
        id=component_id,
        name=name,
        description=description,
        group_name=group,
        position=position,
        status=status,
        active=True,
        created_at=now - LONG_AGO,
        updated_at=now - LONG_AGO,
    )


def incident(
    incident_id: str,
    name: str,
    *,
    created: datetime,
    impact: str = "major",
    status: str = "investigating",
    published: bool = True,
    resolved: datetime | None = None,
    components: dict[str, str] | None = None,
    updates: Sequence[tuple[str, str, datetime]] = (),
) -> PublicIncident:
    """`updates` are (status, body, time); each names the incident's components' statuses."""
    affected = components or {}
    row = PublicIncident(
        id=incident_id,
        name=name,
        status=status,
        impact=impact,
        incident_id=None,
        created_at=created,
        updated_at=max([created, *(at for _, _, at in updates)]),
        published_at=created if published else None,
        monitoring_at=None,
        resolved_at=resolved,
        resolution_proposed_at=None,
    )
    row.components = [
        PublicIncidentComponent(component_id=cid, status=value) for cid, value in affected.items()
    ]
    row.updates = [
        PublicUpdate(
            id=f"{incident_id}-u{index}",
            status=update_status,
            body=body,
            affected_components=[
                {"code": cid, "name": cid, "old_status": "operational", "new_status": value}
                for cid, value in affected.items()
            ],
            author="alice",
            created_at=at,
        )
        for index, (update_status, body, at) in enumerate(updates)
    ]
    return row


def maintenance(
    maintenance_id: str,
    name: str,
    *,
    start: datetime,
    hours: float = 2,
    status: str = "scheduled",
    component_ids: Sequence[str] = (),
    created: datetime | None = None,
) -> Maintenance:
    made = created or start - timedelta(days=3)
    return Maintenance(
        id=maintenance_id,
        name=name,
        status=status,
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=hours),
        component_ids=list(component_ids),
        created_at=made,
        updated_at=made,
        started_at=None,
        completed_at=None,
    )


def page_settings(session: Session, *, name: str, url: str) -> None:
    session.add(OrganisationSetting(key="statuspage.name", value=name))
    session.add(OrganisationSetting(key="statuspage.url", value=url))


def publish(db: Database, *rows: object) -> None:
    """Write rows in one transaction that tells the publisher, as the services do."""
    with db.write() as session:
        session.add_all(rows)
        notify_after_commit(session)


def example_page(session: Session, now: datetime) -> None:
    """A page worth looking at: groups, an open incident, a past one, maintenance ahead."""
    page_settings(session, name="Example Arts Status", url="https://status.example.com")
    session.add_all(
        [
            component("website", "Website", now=now, group="Public site", position=0),
            component(
                "tickets",
                "Ticket sales",
                now=now,
                group="Public site",
                position=1,
                status="partial_outage",
                description="Buying and refunding tickets",
            ),
            component("api", "Partner API", now=now, position=2),
            component("cms", "Partner CMS", now=now, position=3),
        ]
    )
    session.flush()
    session.add_all(
        [
            incident(
                "open1",
                "Ticket checkout fails for some buyers",
                created=now - timedelta(hours=2),
                impact="major",
                status="identified",
                components={"tickets": "partial_outage"},
                updates=[
                    (
                        "investigating",
                        "We are looking into failed checkouts.",
                        now - timedelta(hours=2),
                    ),
                    (
                        "identified",
                        "A payment provider timeout; a fix is rolling out.",
                        now - timedelta(hours=1),
                    ),
                ],
            ),
            incident(
                "past1",
                "Partner API slow",
                created=now - timedelta(days=12),
                impact="minor",
                status="resolved",
                resolved=now - timedelta(days=12, hours=-3),
                components={"api": "major_outage"},
                updates=[
                    (
                        "resolved",
                        "Response times are back to normal.",
                        now - timedelta(days=12, hours=-3),
                    )
                ],
            ),
            incident(
                "draft1",
                "Secret draft about the database",
                created=now - timedelta(hours=1),
                published=False,
                components={"cms": "major_outage"},
                updates=[("investigating", "internal words", now - timedelta(hours=1))],
            ),
            maintenance(
                "maint1",
                "Database upgrade",
                start=now + timedelta(days=2),
                component_ids=["cms"],
            ),
        ]
    )
