"""The public status page over HTTP: no auth, served from memory, revalidated with 304s."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from firehouse.statuspage.publisher import Publisher
from tests.api.client import Api
from tests.statuspage_public_rows import example_page, incident, publish

PUBLIC_PATHS = [
    "/status",
    "/status/history",
    "/status/history.atom",
    "/status/history.rss",
    "/status/status.css",
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
]
BACKGROUND_THREADS = {"statuspage-publisher", "outbox-dispatcher"}


@pytest.fixture
def page(api: Api) -> Api:
    """The example page, in the snapshot the server serves."""
    with api.db.write() as session:
        example_page(session, api.clock.now())
    publisher(api).rebuild()
    return api


def publisher(api: Api) -> Publisher:
    found: Publisher = api.app.state.status_publisher
    return found


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_public_path_answers_without_a_token(page: Api, path: str) -> None:
    response = page.client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["etag"]
    assert response.headers["last-modified"].endswith(" GMT")
    assert response.headers["cache-control"].startswith("public, max-age=")


def test_the_page_is_html_with_the_banner_and_components(page: Api) -> None:
    response = page.client.get("/status")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Partial System Outage" in response.text
    assert "Ticket sales" in response.text
    assert "Ticket checkout fails for some buyers" in response.text


def test_json_is_readable_from_any_site(page: Api) -> None:
    response = page.client.get("/api/v2/summary.json")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json()["status"]["indicator"] == "major"


def test_drafts_are_not_served(page: Api) -> None:
    for path in PUBLIC_PATHS:
        assert "Secret draft" not in page.client.get(path).text, path


def test_a_matching_etag_gets_304_without_a_body(page: Api) -> None:
    first = page.client.get("/api/v2/summary.json")
    again = page.client.get(
        "/api/v2/summary.json", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]


def test_an_old_etag_gets_the_page(page: Api) -> None:
    response = page.client.get("/status", headers={"If-None-Match": '"something-else"'})
    assert response.status_code == 200
    assert response.content


def test_if_modified_since_at_last_modified_gets_304(page: Api) -> None:
    first = page.client.get("/status")
    again = page.client.get(
        "/status", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert again.status_code == 304


def test_if_modified_since_before_last_modified_gets_the_page(page: Api) -> None:
    response = page.client.get(
        "/status", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert response.status_code == 200


def test_if_none_match_wins_over_if_modified_since(page: Api) -> None:
    first = page.client.get("/status")
    response = page.client.get(
        "/status",
        headers={"If-None-Match": '"old"', "If-Modified-Since": first.headers["last-modified"]},
    )
    assert response.status_code == 200


def test_a_malformed_if_modified_since_is_ignored(page: Api) -> None:
    response = page.client.get("/status", headers={"If-Modified-Since": "yesterday-ish"})
    assert response.status_code == 200


def test_head_sends_the_headers_without_the_body(page: Api) -> None:
    full = page.client.get("/api/v2/components.json")
    head = page.client.head("/api/v2/components.json")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == full.headers["etag"]
    assert int(head.headers["content-length"]) == len(full.content)


def test_writing_methods_are_not_allowed(page: Api) -> None:
    assert page.client.post("/api/v2/summary.json").status_code == 405


@pytest.fixture
def statement_threads(page: Api) -> Iterator[list[str]]:
    """The name of the thread behind every SQL statement sent while the fixture is active."""
    threads: list[str] = []

    def record(*_args: Any) -> None:
        threads.append(threading.current_thread().name)

    event.listen(page.db.engine, "before_cursor_execute", record)
    yield threads
    event.remove(page.db.engine, "before_cursor_execute", record)


def test_serving_the_page_sends_no_sql(page: Api, statement_threads: list[str]) -> None:
    for index in range(100):
        path = PUBLIC_PATHS[index % len(PUBLIC_PATHS)]
        assert page.client.get(path).status_code == 200
    assert set(statement_threads) <= BACKGROUND_THREADS
    publisher(page).rebuild()  # and the listener does see statements: a rebuild sends some
    assert threading.current_thread().name in statement_threads


def test_a_published_incident_is_served_within_a_second(page: Api) -> None:
    publish(
        page.db,
        incident(
            "new1",
            "Partner CMS login fails",
            created=page.clock.now() - timedelta(minutes=1),
            impact="critical",
            components={"cms": "major_outage"},
            updates=[("investigating", "We are on it.", page.clock.now())],
        ),
    )
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        unresolved = page.client.get("/api/v2/incidents/unresolved.json").json()["incidents"]
        if "new1" in [item["id"] for item in unresolved]:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the new incident was not served within a second")
    assert page.client.get("/api/v2/status.json").json()["status"]["indicator"] == "critical"
