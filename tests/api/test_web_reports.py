"""The /reports page: figures in tables, SVG charts with text, CSV download; training and
unseen private incidents left out; a bad period answered on the page."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.api.client import Api
from tests.api.web_support import add_user, browser_for

PERIOD = {"from": "2026-01-01", "to": "2026-01-02"}


@pytest.fixture
def history(api: Api) -> None:
    """#1 P2 acknowledged after 2 minutes and resolved after 10; #2 P3 on cms; #3 a drill;
    #4 a private P1 with bob as commander."""
    first = api.declare(priority="P2")["number"]
    api.declare(priority="P3", service="cms")
    api.declare(priority="P5", message="Practice run")
    api.declare(priority="P1", message="Keys leaked", private=True, commander="bob")
    api.clock.advance(minutes=2)
    assert api.act(first, "acknowledge").status_code == 200
    api.clock.advance(minutes=8)
    assert api.act(first, "resolve", {"note": "Rolled back"}).status_code == 200


def test_the_page_shows_counts_in_tables_and_charts(api: Api, history: None) -> None:
    add_user(api, "vera", role="viewer", person="dan")
    page = browser_for(api, "vera").get("/reports", params=PERIOD)
    assert page.status_code == 200, page.text
    assert "<h1>Reports</h1>" in page.text
    assert page.text.count("<svg") == 3
    assert '<title id="chart-priority-title">Incidents by priority</title>' in page.text
    assert re.search(r"<desc id=\"chart-priority-desc\">P2: 1; P3: 1</desc>", page.text)
    assert '<th scope="row">cms</th><td>1</td>' in page.text
    assert (
        "Acknowledge median: 2m 00s; Acknowledge p90: 2m 00s; Mitigate median: 10m 00s" in page.text
    )


def test_a_period_without_data_says_so_instead_of_an_empty_chart(api: Api) -> None:
    add_user(api, "vera", role="viewer", person="dan")
    page = browser_for(api, "vera").get("/reports", params=PERIOD)
    assert page.status_code == 200
    assert "<svg" not in page.text
    assert page.text.count("No data in this period.") == 3


def test_the_page_leaves_out_training_and_private_incidents_one_may_not_see(
    api: Api, history: None
) -> None:
    add_user(api, "vera", role="viewer", person="dan")
    page = browser_for(api, "vera").get("/reports", params=PERIOD)
    assert '<th scope="row">P5</th>' not in page.text
    assert '<th scope="row">P1</th>' not in page.text
    assert "<dt>Incidents</dt><dd>2</dd>" in page.text


def test_the_commander_of_a_private_incident_counts_it(api: Api, history: None) -> None:
    add_user(api, "bob", role="responder", person="bob")
    page = browser_for(api, "bob").get("/reports", params=PERIOD)
    assert '<th scope="row">P1</th><td>1</td>' in page.text
    assert '<th scope="row">P5</th>' not in page.text


def test_the_csv_download_holds_the_same_figures(api: Api, history: None) -> None:
    add_user(api, "vera", role="viewer", person="dan")
    browser = browser_for(api, "vera")
    page = browser.get("/reports", params=PERIOD)
    link = re.search(r'href="(/reports\.csv\?[^"]+)"', page.text)
    assert link is not None
    response = browser.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["incidents", "", "2"] in rows
    assert ["period_start", "", "2026-01-01"] in rows


def test_a_bad_period_is_shown_on_the_page_naming_the_field(api: Api) -> None:
    add_user(api, "vera", role="viewer", person="dan")
    page = browser_for(api, "vera").get(
        "/reports", params={"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert page.status_code == 422
    assert 'id="from-error"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert "<svg" not in page.text


def test_signed_out_visitors_are_sent_to_sign_in(api: Api) -> None:
    response = api.client.get("/reports", follow_redirects=False)
    assert response.status_code in {303, 307}
    assert "/sign-in" in response.headers["location"]
