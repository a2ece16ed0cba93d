"""A database filled the way a team fills it: the example organisation applied, then incidents
run through the HTTP API (public and private, notes, roles, links, follow-ups, a postmortem,
the checklist, a drill), alerts ingested, pages raised, the status page used, people signed in.

The copy test compares every table after the copy, so the more tables hold rows here, the
more the comparison proves.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from firehouse.alerts.events import Action, AlertEvent, Source
from firehouse.alerts.service import ingest
from firehouse.app import create_app
from firehouse.auth import users, web_sessions
from firehouse.auth.service import create_token
from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import check_file
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.settings import Settings
from firehouse.statuspage import subscribers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "firehouse.yaml"
DRILL = ROOT / "examples" / "drills" / "checkout-outage.yaml"


class Filler:
    """One admin client over a freshly migrated database; each step asserts it succeeded."""

    def __init__(self, url: str, clock: FakeClock) -> None:
        self.clock = clock
        settings = Settings(database_url=url, base_url="http://firehouse.test")
        self.app = create_app(settings, clock=clock, run_dispatcher=False)
        self.db: Database = self.app.state.runtime.db
        self.token = ""

    def call(self, client: TestClient, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json()

    def post(self, client: TestClient, path: str, body: Any = None) -> Any:
        return self.call(client, "POST", path, body)


def fill(url: str, clock: FakeClock) -> None:
    filler = Filler(url, clock)
    _organisation(filler)
    with TestClient(filler.app) as client:
        _incidents(filler, client)
        _status_page(filler, client)
        _oncall(filler, client)
    _alerts(filler)
    _subscribers(filler)
    filler.db.dispose()


def _organisation(filler: Filler) -> None:
    config, problems = check_file(EXAMPLE)
    assert config is not None, problems
    now = filler.clock.now()
    with filler.db.write() as session:
        apply_config(session, config, source=str(EXAMPLE), now=now)
        _row, filler.token = create_token(session, name="admin", role="admin", now=now)
        create_token(session, name="maya", role="responder", person="maya", now=now)
        user = users.create_user(
            session,
            username="maya",
            name="Maya",
            role="admin",
            password="correct-horse-battery",
            now=now,
        )
        web_sessions.start(session, user, now=now)


def _incidents(filler: Filler, client: TestClient) -> None:
    post = filler.post
    first = post(client, "/api/v1/incidents", _declaration("P1", tags=["checkout"]))["number"]
    private = _declaration("P3", message="Suspicious logins")
    second = post(client, "/api/v1/incidents", private)["number"]
    filler.call(client, "PATCH", f"/api/v1/incidents/{second}", {"private": True})
    filler.clock.advance(minutes=5)
    post(client, f"/api/v1/incidents/{first}/roles", {"role": "commander", "person": "maya"})
    post(client, f"/api/v1/incidents/{first}/timeline", {"text": "Rolled back the deploy"})
    link = {"url": "https://bugs.example.com/1", "kind": "bug", "title": "Checkout bug"}
    post(client, f"/api/v1/incidents/{first}/links", link)
    filler.call(client, "PATCH", f"/api/v1/incidents/{first}", {"priority": "P2"})
    post(client, f"/api/v1/incidents/{first}/follow-ups", {"title": "Add a canary"})
    post(client, f"/api/v1/incidents/{first}/resolve", {"note": "Deploy rolled back"})
    post(client, f"/api/v1/incidents/{first}/postmortem")
    post(client, f"/api/v1/incidents/{first}/reminders/no_commander/snooze", {"minutes": 30})
    post(client, "/api/v1/drills", {"scenario": DRILL.read_text()})


def _declaration(priority: str, **fields: Any) -> dict[str, Any]:
    return {"service": "website", "message": "Checkout fails", "priority": priority, **fields}


def _status_page(filler: Filler, client: TestClient) -> None:
    body = {
        "name": "Checkout is slow",
        "components": {"checkout": "partial_outage"},
        "body": "We are looking into slow checkouts.",
    }
    created = filler.post(client, "/api/v1/statuspage/incidents", body)
    filler.post(
        client,
        f"/api/v1/statuspage/incidents/{created['id']}/updates",
        {"status": "identified", "message": "Found it."},
    )
    later = filler.clock.now() + timedelta(days=2)
    maintenance = {
        "name": "Database upgrade",
        "scheduled_for": later.isoformat(),
        "scheduled_until": (later + timedelta(hours=2)).isoformat(),
        "component_ids": ["checkout"],
    }
    filler.post(client, "/api/v1/statuspage/maintenances", maintenance)


def _oncall(filler: Filler, client: TestClient) -> None:
    now = filler.clock.now()
    override = {
        "layer": "primary",
        "person": "jonas",
        "start": (now + timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(hours=5)).isoformat(),
        "reason": "swap",
    }
    filler.post(client, "/api/v1/schedules/engineering/overrides", override)
    page = filler.post(client, "/api/v1/pages", {"message": "Checkout is down", "person": "maya"})
    filler.post(client, f"/api/v1/pages/{page['id']}/acknowledge")
    silence = {"matchers": {"labels": {"host": "db-1"}}, "duration": "2h", "reason": "upgrade"}
    filler.post(client, "/api/v1/silences", silence)


def _alerts(filler: Filler) -> None:
    event = AlertEvent(
        source=Source.ALERTMANAGER,
        action=Action.TRIGGER,
        fingerprint="disk-full",
        summary="Disk almost full on web-1",
        severity="critical",
        labels={"alertname": "DiskFull", "severity": "critical"},
        links={"generator": "https://prometheus.example.com/graph"},
        service="website",
        raw={"status": "firing"},
    )
    with filler.db.write() as session:
        ingest(session, [event], integration="default", now=filler.clock.now())


def _subscribers(filler: Filler) -> None:
    with filler.db.write() as session:
        subscribers.subscribe_email(
            session, "reader@example.com", ["checkout"], now=filler.clock.now()
        )
