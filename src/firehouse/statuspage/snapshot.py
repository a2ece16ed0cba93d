"""Every public byte of the status page, built from the database in one read.

A status page is hit hardest exactly when things are broken, so requests never reach the
database: the publisher builds a Snapshot after each change and the routes hand out its
bytes, with their ETag and Last-Modified computed here once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.utils import format_datetime
from functools import cached_property
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from firehouse.catalog.model import OrganisationSetting
from firehouse.statuspage import feeds, public_api
from firehouse.statuspage.ids import page_id
from firehouse.statuspage.model import Component, Maintenance, PublicIncident, PublicUpdate
from firehouse.statuspage.policy import ComponentStatus
from firehouse.statuspage.public_api import PageData, PageInfo
from firehouse.statuspage.render import Links, render_history, render_status
from firehouse.statuspage.uptime import (
    DAYS,
    MaintenanceWindow,
    Uptime,
    Window,
    component_uptime,
    incident_windows,
)

# Browsers and CDNs may reuse a copy for 10 s: at 10,000 readers that is at most one request
# per reader every 10 s, while an update still reaches everyone within seconds. A CDN may
# serve a stale copy while it revalidates, and for a day if firehouse itself is down.
CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
# The stylesheet's URL carries its hash, so a new version is a new URL.
CSS_CACHE_CONTROL = "public, max-age=86400"

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
CSS = "text/css; charset=utf-8"

STYLESHEET = files("firehouse.statuspage").joinpath("static/status.css").read_bytes()
_CSS_VERSION = hashlib.sha256(STYLESHEET).hexdigest()[:10]


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime
    cache_control: str = CACHE_CONTROL

    @cached_property
    def revalidated_headers(self) -> list[tuple[bytes, bytes]]:
        """What a 304 repeats: the validators and the caching rule, no body headers."""
        headers = [
            (b"etag", self.etag.encode()),
            (b"last-modified", format_datetime(self.last_modified, usegmt=True).encode()),
            (b"cache-control", self.cache_control.encode()),
        ]
        if self.content_type == JSON:
            # Statuspage's public API may be read by widgets on any site, and so may this one.
            headers.append((b"access-control-allow-origin", b"*"))
        return headers

    @cached_property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """Computed once per resource, not per request (HEAD sends the same ones)."""
        return [
            (b"content-type", self.content_type.encode()),
            (b"content-length", str(len(self.body)).encode()),
            (b"x-content-type-options", b"nosniff"),
            *self.revalidated_headers,
        ]


@dataclass(frozen=True)
class Snapshot:
    resources: Mapping[str, Rendered]
    built_at: datetime
    fingerprint: tuple[Any, ...] = ()

    def get(self, path: str) -> Rendered | None:
        return self.resources.get(path)


# -- reading -----------------------------------------------------------------------------


def fingerprint(session: Session) -> tuple[Any, ...]:
    """A cheap summary that changes whenever anything public may have: another process's
    commits reach this one only through the database, so the publisher polls this."""
    row = session.execute(
        select(
            select(func.max(Component.updated_at)).scalar_subquery(),
            select(func.count()).select_from(Component).scalar_subquery(),
            select(func.max(PublicIncident.updated_at)).scalar_subquery(),
            select(func.count()).select_from(PublicIncident).scalar_subquery(),
            select(func.max(Maintenance.updated_at)).scalar_subquery(),
            select(func.count()).select_from(Maintenance).scalar_subquery(),
            select(func.count()).select_from(PublicUpdate).scalar_subquery(),
            select(func.count()).select_from(OrganisationSetting).scalar_subquery(),
        )
    ).one()
    settings = tuple(
        session.execute(
            select(OrganisationSetting.key, OrganisationSetting.value)
            .where(OrganisationSetting.key.in_(_SETTING_KEYS))
            .order_by(OrganisationSetting.key)
        ).all()
    )
    return (*tuple(row), settings)


_SETTING_KEYS = ("organisation.name", "statuspage.name", "statuspage.url")


def load(session: Session, *, now: datetime, base_url: str) -> PageData:
    """Everything public, in one read transaction. Drafts are filtered out in the query."""
    horizon = now - timedelta(days=DAYS)
    settings: dict[str, Any] = dict(
        session.execute(
            select(OrganisationSetting.key, OrganisationSetting.value).where(
                OrganisationSetting.key.in_(_SETTING_KEYS)
            )
        ).all()
    )
    components = tuple(
        session.scalars(
            select(Component)
            .where(Component.active.is_(True))
            .order_by(Component.position, Component.id)
        )
    )
    incidents = _incidents(session, horizon)
    maintenances = _maintenances(session, horizon)
    info = _page_info(settings, base_url, now, [*components, *incidents, *maintenances])
    return PageData(info, now, components, incidents, maintenances)


def _incidents(session: Session, horizon: datetime) -> tuple[PublicIncident, ...]:
    published = select(PublicIncident).where(PublicIncident.published_at.is_not(None))
    eager = (selectinload(PublicIncident.components), selectinload(PublicIncident.updates))
    recent = session.scalars(
        published.where(
            or_(PublicIncident.resolved_at.is_(None), PublicIncident.resolved_at >= horizon)
        ).options(*eager)
    ).all()
    latest = session.scalars(
        published.order_by(PublicIncident.created_at.desc())
        .limit(public_api.RECENT)
        .options(*eager)
    ).all()
    rows = {row.id: row for row in [*recent, *latest]}
    return tuple(sorted(rows.values(), key=lambda row: (row.created_at, row.id), reverse=True))


def _maintenances(session: Session, horizon: datetime) -> tuple[Maintenance, ...]:
    eager = selectinload(Maintenance.updates)
    recent = session.scalars(
        select(Maintenance).where(Maintenance.scheduled_until >= horizon).options(eager)
    ).all()
    latest = session.scalars(
        select(Maintenance)
        .order_by(Maintenance.scheduled_for.desc())
        .limit(public_api.RECENT)
        .options(eager)
    ).all()
    rows = {row.id: row for row in [*recent, *latest]}
    return tuple(sorted(rows.values(), key=lambda row: (row.scheduled_for, row.id), reverse=True))


def _page_info(settings: dict[str, Any], base_url: str, now: datetime, rows: list[Any]) -> PageInfo:
    organisation = settings.get("organisation.name")
    name = settings.get("statuspage.name") or (
        f"{organisation} Status" if organisation else "Status"
    )
    url = str(settings.get("statuspage.url") or f"{base_url.rstrip('/')}/status").rstrip("/")
    stamps = [row.updated_at for row in rows]
    # With nothing to show, midnight: stable through the day, so caches stay valid.
    updated = max(stamps) if stamps else datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    return PageInfo(id=page_id(url), name=str(name), url=url, updated_at=updated)


# -- uptime ------------------------------------------------------------------------------


def uptimes(data: PageData) -> dict[str, Uptime]:
    windows: list[Window] = []
    for incident in data.published:
        end = incident.resolved_at or data.now
        for affected in incident.components:
            windows += incident_windows(
                affected.component_id,
                ComponentStatus(affected.status),
                _changes(incident, affected.component_id),
                start=incident.created_at,
                end=end,
                incident=incident.name,
            )
    planned = [
        MaintenanceWindow(frozenset(m.component_ids), *_maintenance_window(m, data.now), m.name)
        for m in data.maintenances
        if public_api.maintenance_status(m, data.now).value != "scheduled"
    ]
    return {
        c.id: component_uptime(c.id, c.created_at, windows, planned, now=data.now)
        for c in data.components
    }


_STATUSES = frozenset(status.value for status in ComponentStatus)


def _changes(incident: PublicIncident, component_id: str) -> list[tuple[datetime, ComponentStatus]]:
    changes = []
    for update in sorted(incident.updates, key=lambda u: u.created_at):
        for item in update.affected_components or []:
            if item.get("code") == component_id and item.get("new_status") in _STATUSES:
                changes.append((update.created_at, ComponentStatus(item["new_status"])))
    return changes


def _maintenance_window(row: Maintenance, now: datetime) -> tuple[datetime, datetime]:
    start = row.started_at or row.scheduled_for
    if row.completed_at is not None:
        return start, row.completed_at
    if public_api.maintenance_status(row, now).is_active:
        return start, max(row.scheduled_until, now)
    return start, row.scheduled_until


# -- building ----------------------------------------------------------------------------

LIVE = Links(
    home="/status",
    history="/status/history",
    css=f"/status/status.css?v={_CSS_VERSION}",
    atom="/status/history.atom",
    rss="/status/history.rss",
    api="/api/v2/summary.json",
)


def _relative(prefix: str) -> Links:
    return Links(
        home=f"{prefix}index.html",
        history=f"{prefix}history/index.html",
        css=f"{prefix}status.css?v={_CSS_VERSION}",
        atom=f"{prefix}history.atom",
        rss=f"{prefix}history.rss",
        api=f"{prefix}api/v2/summary.json",
    )


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def bodies(data: PageData) -> dict[str, tuple[bytes, str]]:
    """Every served path with its body and content type."""
    bars = uptimes(data)
    served: dict[str, tuple[bytes, str]] = {
        "/status": (render_status(data, bars, LIVE).encode(), HTML),
        "/status/history": (render_history(data, LIVE).encode(), HTML),
        "/status/history.atom": (feeds.atom(data), ATOM),
        "/status/history.rss": (feeds.rss(data), RSS),
        "/status/status.css": (STYLESHEET, CSS),
    }
    for name, document in public_api.documents(data).items():
        served[f"/api/v2/{name}"] = (_json(document), JSON)
    return served


def build(
    data: PageData,
    *,
    built_at: datetime,
    previous: Snapshot | None = None,
    fingerprint: tuple[Any, ...] = (),
) -> Snapshot:
    """A snapshot whose unchanged resources keep their ETag and Last-Modified, so that a
    rebuild with nothing new never makes a client download the same bytes again."""
    stamp = built_at.replace(microsecond=0)  # HTTP dates have whole seconds
    resources: dict[str, Rendered] = {}
    for path, (body, content_type) in bodies(data).items():
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        old = previous.get(path) if previous else None
        if old is not None and old.etag == etag:
            resources[path] = old
            continue
        modified = stamp if old is None else max(stamp, old.last_modified + timedelta(seconds=1))
        cache = CSS_CACHE_CONTROL if content_type == CSS else CACHE_CONTROL
        resources[path] = Rendered(body, content_type, etag, modified, cache)
    return Snapshot(MappingProxyType(resources), built_at, fingerprint)


def export_files(data: PageData) -> dict[str, bytes]:
    """The page as static files for hosting elsewhere: relative links, directory indexes."""
    bars = uptimes(data)
    exported = {
        "index.html": render_status(data, bars, _relative("")).encode(),
        "history/index.html": render_history(data, _relative("../")).encode(),
        "history.atom": feeds.atom(data),
        "history.rss": feeds.rss(data),
        "status.css": STYLESHEET,
    }
    for name, document in public_api.documents(data).items():
        exported[f"api/v2/{name}"] = _json(document)
    return exported
