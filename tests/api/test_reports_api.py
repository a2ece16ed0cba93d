"""GET /api/v1/reports/summary and summary.csv: figures of a period, training and unseen
private incidents left out, bad dates refused naming the field."""

from __future__ import annotations

import csv
import io

import pytest

from firehouse.auth.service import create_token
from tests.api.client import Api, error_fields

PERIOD = {"from": "2026-01-01", "to": "2026-01-02"}


def person_token(api: Api, name: str, role: str, person: str) -> None:
    with api.db.write() as session:
        _row, api.tokens[name] = create_token(
            session, name=name, role=role, now=api.clock.now(), person=person
        )


@pytest.fixture
def history(api: Api) -> None:
    """#1 P2 website, acknowledged after 2 min, resolved after 10; #2 P3 cms open;
    #3 a P5 drill; #4 private P1 reported by alice."""
    person_token(api, "alice", "responder", "alice")
    first = api.declare(priority="P2")["number"]
    api.declare(priority="P3", service="cms")
    api.declare(priority="P5", message="Practice run")
    secret = api.post(
        "/api/v1/incidents",
        {"service": "website", "priority": "P1", "message": "Keys leaked", "private": True},
        role="alice",
    )
    assert secret.status_code == 201, secret.text
    api.clock.advance(minutes=2)
    assert api.act(first, "acknowledge").status_code == 200
    api.clock.advance(minutes=8)
    assert api.act(first, "resolve", {"note": "Rolled back"}).status_code == 200


def summary(api: Api, role: str = "viewer", **params: str) -> dict[str, object]:
    response = api.get("/api/v1/reports/summary", role=role, params=params or PERIOD)
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


def test_counts_leave_out_training_and_private_incidents_a_viewer_may_not_see(
    api: Api, history: None
) -> None:
    figures = summary(api)
    assert figures["incidents"] == 2
    assert figures["by_priority"] == {"P2": 1, "P3": 1}
    assert figures["by_service"] == {"cms": 1, "website": 1}
    assert figures["by_status"] == {"open": 1, "resolved": 1}


def test_an_admin_counts_private_incidents_but_never_training_ones(api: Api, history: None) -> None:
    figures = summary(api, role="admin")
    assert figures["incidents"] == 3
    assert figures["by_priority"] == {"P1": 1, "P2": 1, "P3": 1}


def test_the_reporter_of_a_private_incident_counts_it(api: Api, history: None) -> None:
    assert summary(api, role="alice")["by_priority"] == {"P1": 1, "P2": 1, "P3": 1}


def test_durations_are_in_seconds_and_null_without_data(api: Api, history: None) -> None:
    figures = summary(api)
    assert figures["time_to_acknowledge"] == {
        "count": 1,
        "median_seconds": 120.0,
        "p90_seconds": 120.0,
    }
    assert figures["time_to_resolve"] == {"count": 1, "median_seconds": 600.0, "p90_seconds": 600.0}
    empty = summary(api, **{"from": "2025-01-01", "to": "2025-02-01"})
    assert empty["incidents"] == 0
    assert empty["time_to_resolve"] == {"count": 0, "median_seconds": None, "p90_seconds": None}


def test_the_period_defaults_to_the_last_30_days(api: Api, history: None) -> None:
    response = api.get("/api/v1/reports/summary")
    assert response.status_code == 200, response.text
    assert response.json()["start"] == "2025-12-03"
    assert response.json()["end"] == "2026-01-02"
    assert response.json()["incidents"] == 2


def test_incidents_declared_on_the_end_day_are_outside_the_period(api: Api, history: None) -> None:
    assert summary(api, **{"from": "2025-12-01", "to": "2026-01-01"})["incidents"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-1-1"}, "from"),
        ({"from": "2026-W01-1"}, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_bad_dates_are_refused_naming_the_field(
    api: Api, params: dict[str, str], field: str
) -> None:
    response = api.get("/api/v1/reports/summary", params=params)
    assert response.status_code == 422, response.text
    assert error_fields(response) == [field]


def test_a_report_needs_a_token(api: Api) -> None:
    assert api.client.get("/api/v1/reports/summary").status_code == 401


def test_the_csv_holds_the_same_figures_as_rows(api: Api, history: None) -> None:
    response = api.get("/api/v1/reports/summary.csv", params=PERIOD)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["metric", "dimension", "value"]
    assert ["incidents", "", "2"] in rows
    assert ["incidents_by_priority", "P2", "1"] in rows
    assert ["time_to_resolve_seconds", "median", "600"] in rows
    assert not any(row[1] in {"P1", "P5"} for row in rows)


def test_the_csv_refuses_bad_dates_too(api: Api) -> None:
    response = api.get("/api/v1/reports/summary.csv", params={"to": "soon"})
    assert response.status_code == 422
    assert error_fields(response) == ["to"]
