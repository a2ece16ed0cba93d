"""The snapshot: every public byte built in one read, rebuilt after a change, exported."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import typer
from typer.testing import CliRunner

from firehouse.catalog.model import OrganisationSetting
from firehouse.cli.statuspage_export import export
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.settings import get_settings
from firehouse.statuspage import snapshot
from firehouse.statuspage.publisher import Publisher
from firehouse.statuspage.snapshot import Snapshot
from tests.statuspage_public_rows import component, example_page, incident, publish

ATOM = "{http://www.w3.org/2005/Atom}"


def built(db: Database, clock: FakeClock, previous: Snapshot | None = None) -> Snapshot:
    with db.read() as session:
        data = snapshot.load(session, now=clock.now(), base_url="https://fh.example")
    return snapshot.build(data, built_at=clock.now(), previous=previous)


@pytest.fixture
def page_db(db: Database, clock: FakeClock) -> Database:
    with db.write() as session:
        example_page(session, clock.now())
    return db


def test_every_public_path_is_in_the_snapshot(page_db: Database, clock: FakeClock) -> None:
    paths = set(built(page_db, clock).resources)
    assert {"/status", "/status/history", "/status/history.atom", "/status/history.rss"} <= paths
    assert "/api/v2/summary.json" in paths
    assert "/api/v2/scheduled-maintenances/active.json" in paths


def test_drafts_are_in_no_public_byte(page_db: Database, clock: FakeClock) -> None:
    for path, resource in built(page_db, clock).resources.items():
        assert b"Secret draft" not in resource.body, path
        assert b"internal words" not in resource.body, path
        assert b"draft1" not in resource.body, path


def test_the_page_shows_the_published_incident_and_components(
    page_db: Database, clock: FakeClock
) -> None:
    html = built(page_db, clock).resources["/status"].body.decode()
    assert "Ticket checkout fails for some buyers" in html
    assert "Partial System Outage" in html
    assert "Ticket sales" in html
    assert "Database upgrade" in html  # upcoming maintenance


def test_page_name_and_url_come_from_the_organisation_settings(
    page_db: Database, clock: FakeClock
) -> None:
    with page_db.read() as session:
        data = snapshot.load(session, now=clock.now(), base_url="https://fh.example")
    assert (data.page.name, data.page.url) == ("Example Arts Status", "https://status.example.com")


def test_without_settings_the_page_is_named_after_the_organisation(
    db: Database, clock: FakeClock
) -> None:
    with db.write() as session:
        session.add(OrganisationSetting(key="organisation.name", value="Example Arts"))
    with db.read() as session:
        data = snapshot.load(session, now=clock.now(), base_url="https://fh.example/")
    assert (data.page.name, data.page.url) == ("Example Arts Status", "https://fh.example/status")


def test_a_rebuild_without_changes_keeps_validators(page_db: Database, clock: FakeClock) -> None:
    first = built(page_db, clock)
    clock.advance(seconds=5)
    second = built(page_db, clock, previous=first)
    assert second.resources["/status"] is first.resources["/status"]
    assert (
        second.resources["/api/v2/summary.json"].etag
        == first.resources["/api/v2/summary.json"].etag
    )


def test_a_change_gives_new_validators(page_db: Database, clock: FakeClock) -> None:
    first = built(page_db, clock)
    clock.advance(seconds=5)
    publish(page_db, component("search", "Search", now=clock.now(), position=9))
    second = built(page_db, clock, previous=first)
    old, new = (
        first.resources["/api/v2/components.json"],
        second.resources["/api/v2/components.json"],
    )
    assert new.etag != old.etag
    assert new.last_modified > old.last_modified


def test_the_atom_feed_is_atom_1_0(page_db: Database, clock: FakeClock) -> None:
    feed = ET.fromstring(built(page_db, clock).resources["/status/history.atom"].body)  # noqa: S314
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert "Ticket checkout fails for some buyers" in titles
    assert all(entry.find(f"{ATOM}id") is not None for entry in feed.iter(f"{ATOM}entry"))


def test_the_rss_feed_is_rss_2_0(page_db: Database, clock: FakeClock) -> None:
    rss = ET.fromstring(built(page_db, clock).resources["/status/history.rss"].body)  # noqa: S314
    assert (rss.tag, rss.get("version")) == ("rss", "2.0")
    channel = rss.find("channel")
    assert channel is not None
    assert channel.findtext("title")
    assert channel.findtext("link")
    assert channel.findtext("description")
    titles = [item.findtext("title") for item in channel.iter("item")]
    assert "Partner API slow" in titles


def test_the_publisher_shows_a_published_incident_within_a_second(
    db: Database, clock: FakeClock
) -> None:
    publisher = Publisher(db, clock, "https://fh.example", poll_seconds=60, refresh_seconds=60)
    publisher.start()
    try:
        publish(db, component("api", "Partner API", now=clock.now()))
        publish(
            db,
            incident(
                "live1",
                "Partner API unreachable",
                created=clock.now() - timedelta(minutes=5),
                components={"api": "major_outage"},
                updates=[("investigating", "Looking into it.", clock.now())],
            ),
        )
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            current = publisher.current
            if current and b"Partner API unreachable" in current.resources["/status"].body:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the page did not show the incident within a second")
    finally:
        publisher.stop()


def test_export_writes_the_page_json_and_feeds(
    page_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", page_db.url)
    get_settings.cache_clear()
    command = typer.Typer()
    command.command()(export)
    try:
        result = CliRunner().invoke(command, [str(tmp_path / "site")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    for name in (
        "index.html",
        "history/index.html",
        "history.atom",
        "history.rss",
        "status.css",
        "api/v2/summary.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances/upcoming.json",
    ):
        assert (site / name).is_file(), name
    assert 'href="status.css' in (site / "index.html").read_text()
    assert 'href="../status.css' in (site / "history/index.html").read_text()
