"""The incident list page and its CSV export, as a signed-in browser sees them."""

from __future__ import annotations

import csv
import io
import re

import httpx
from fastapi.testclient import TestClient

from tests.api.client import Api
from tests.api.web_support import add_user, browser_for
from tests.factories import declare


def viewer(api: Api) -> TestClient:
    add_user(api, "vera", role="viewer")
    return browser_for(api, "vera")


def numbers(page: httpx.Response) -> list[int]:
    assert page.status_code == 200, page.text
    return [int(n) for n in re.findall(r'<a href="/incidents/(\d+)">#', page.text)]


def rows(response: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def declare_private(api: Api) -> int:
    created = api.declare(
        message="Leaked credentials", priority="P1", reporter="alice", private=True
    )
    number: int = created["number"]
    # Only an admin's token may write to it: API tokens act for no person.
    added = api.post(
        f"/api/v1/incidents/{number}/timeline", {"text": "rotated the signing keys"}, role="admin"
    )
    assert added.status_code == 201, added.text
    return number


def test_a_viewer_sees_incidents_newest_first(api: Api) -> None:
    api.declare(message="First")
    api.declare(message="Second")
    page = viewer(api).get("/incidents")
    assert numbers(page) == [2, 1]
    assert "Second" in page.text


def test_signed_out_visitors_are_sent_to_sign_in(api: Api) -> None:
    response = api.client.get("/incidents", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_the_filter_form_has_every_labelled_control(api: Api) -> None:
    page = viewer(api).get("/incidents")
    for control, label in [
        ("status", "Status"),
        ("priority", "Priority"),
        ("service", "Service"),
        ("declared_from", "Declared from"),
        ("declared_to", "Declared to"),
        ("q", "Search"),
    ]:
        assert f'<label for="{control}">{label}</label>' in page.text
    assert 'method="get" action="/incidents"' in page.text
    assert ">Filter</button>" in page.text


def test_each_filter_narrows_the_list(api: Api) -> None:
    api.declare(priority="P1")
    api.declare(service="cms")
    api.act(2, "resolve", {"note": "fixed"})
    browser = viewer(api)
    assert numbers(browser.get("/incidents?priority=P1")) == [1]
    assert numbers(browser.get("/incidents?service=cms")) == [2]
    assert numbers(browser.get("/incidents?status=resolved")) == [2]
    assert numbers(browser.get("/incidents?status=open")) == [1]
    assert numbers(browser.get("/incidents?declared_from=2026-01-02")) == []
    assert numbers(browser.get("/incidents?declared_to=2026-01-01")) == [2, 1]


def test_search_finds_words_in_timeline_entries(api: Api) -> None:
    api.declare(message="Checkout fails")
    api.declare(message="Search is slow")
    api.act(1, "timeline", {"text": "Rolled back the canary"})
    assert numbers(viewer(api).get("/incidents?q=canary+rolled")) == [1]


def test_a_bad_filter_is_named_beside_its_field_with_422(api: Api) -> None:
    browser = viewer(api)
    for query, name in [
        ("status=burning", "status"),
        ("priority=P9", "priority"),
        ("service=nowhere", "service"),
        ("declared_from=yesterday", "declared_from"),
        ("declared_to=9999-99-99", "declared_to"),
        ("declared_from=2026-02-01&declared_to=2026-01-01", "declared_to"),
    ]:
        page = browser.get(f"/incidents?{query}")
        assert page.status_code == 422, query
        assert f'id="{name}-error"' in page.text, query
        assert f'aria-describedby="{name}-error"' in page.text, query


def test_pagination_walks_every_incident_exactly_once_keeping_filters(api: Api) -> None:
    for _ in range(60):
        declare(api.db, api.clock.now(), priority="P3")
    declare(api.db, api.clock.now(), priority="P2")
    browser = viewer(api)
    first = browser.get("/incidents?priority=P3")
    older = re.search(r'<a rel="next" href="([^"]+)">Older</a>', first.text)
    assert older is not None
    second_url = older.group(1).replace("&amp;", "&")
    assert "priority=P3" in second_url
    second = browser.get(second_url)
    assert 'rel="next"' not in second.text
    assert sorted(numbers(first) + numbers(second)) == list(range(1, 61))
    newer = re.search(r'<a rel="prev" href="([^"]+)">Newer</a>', second.text)
    assert newer is not None
    assert numbers(browser.get(newer.group(1).replace("&amp;", "&"))) == numbers(first)


def test_a_private_incident_is_hidden_from_a_non_participant(api: Api) -> None:
    api.declare(message="Ordinary outage")
    secret = declare_private(api)
    add_user(api, "dan", role="responder", person="dan")
    browser = browser_for(api, "dan")
    assert secret not in numbers(browser.get("/incidents"))
    assert numbers(browser.get("/incidents?q=leaked")) == []
    assert numbers(browser.get("/incidents?q=rotated")) == []
    assert [row["number"] for row in rows(browser.get("/incidents.csv"))] == ["1"]


def test_a_private_incident_is_listed_for_its_reporter_and_an_admin(api: Api) -> None:
    secret = declare_private(api)
    add_user(api, "alice", role="responder", person="alice")
    add_user(api, "ada", role="admin")
    for name in ("alice", "ada"):
        browser = browser_for(api, name)
        assert numbers(browser.get("/incidents?q=rotated")) == [secret]
        assert [row["number"] for row in rows(browser.get("/incidents.csv"))] == [str(secret)]


def test_the_csv_has_the_header_and_every_matching_row(api: Api) -> None:
    for _ in range(3):
        api.declare(priority="P2", commander="bob")
    api.declare(priority="P4")
    response = viewer(api).get("/incidents.csv?priority=P2")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="incidents.csv"' in response.headers["content-disposition"]
    found = rows(response)
    assert response.text.startswith("number,priority,status,service,message,commander,reporter,")
    assert [row["number"] for row in found] == ["3", "2", "1"]
    assert found[0]["commander"] == "bob"
    assert found[0]["declared_at"] == "2026-01-01T12:00:00Z"
    assert found[0]["private"] == "false"


def test_the_csv_is_not_limited_to_one_page(api: Api) -> None:
    for _ in range(55):
        declare(api.db, api.clock.now())
    assert len(rows(viewer(api).get("/incidents.csv"))) == 55


def test_the_csv_neutralises_formulas(api: Api) -> None:
    api.declare(message='=HYPERLINK("http://evil.example")')
    api.declare(message="@SUM(A1)")
    found = rows(viewer(api).get("/incidents.csv"))
    assert [row["message"] for row in found] == ["'@SUM(A1)", '\'=HYPERLINK("http://evil.example")']


def test_the_csv_refuses_a_bad_filter_naming_it(api: Api) -> None:
    response = viewer(api).get("/incidents.csv?declared_to=2026-13-01")
    assert response.status_code == 422
    assert "declared_to" in response.text


def test_the_export_link_carries_the_current_filters(api: Api) -> None:
    page = viewer(api).get("/incidents?priority=P1&q=disk")
    assert 'href="/incidents.csv?priority=P1&amp;q=disk"' in page.text


def test_a_broken_page_link_is_refused_naming_its_cursor(api: Api) -> None:
    page = viewer(api).get("/incidents?before=ten")
    assert page.status_code == 422
    assert 'id="before-error"' in page.text
