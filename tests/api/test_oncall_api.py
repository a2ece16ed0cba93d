"""On-call over HTTP: who is on call, schedules, shifts, overrides, and calendar feeds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar

from firehouse.auth.signing import sign, signing_key
from tests.api.client import Api, error_fields
from tests.service.schedule_support import FIRST_MONDAY, add_schedule

WEEK = timedelta(weeks=1)


@pytest.fixture
def oncall(api: Api) -> Api:
    add_schedule(api.db)
    return api


def override_body(api: Api, **fields: Any) -> dict[str, Any]:
    now = api.clock.now()
    return {
        "layer": "primary",
        "person": "dan",
        "start": (now + timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(hours=5)).isoformat(),
        "reason": "alice is at the dentist",
        **fields,
    }


def create_override(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/v1/schedules/engineering/overrides", override_body(api, **fields))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def calendar_of(response: Any) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


# who is on call --------------------------------------------------------------------------------
def test_oncall_names_each_layers_person_and_when_they_hand_over(oncall: Api) -> None:
    body = oncall.get("/api/v1/oncall").json()
    [schedule] = body["schedules"]
    assert (schedule["id"], schedule["name"]) == ("engineering", "Engineering on-call")
    primary, secondary = schedule["layers"]
    assert primary["person"] == {"id": "alice", "name": "Alice Ng"}
    assert secondary["person"]["id"] == "carol"
    assert primary["start"] == FIRST_MONDAY.isoformat().replace("+00:00", "Z")
    assert primary["end"] == (FIRST_MONDAY + WEEK).isoformat().replace("+00:00", "Z")
    assert primary["override"] is False


def test_oncall_at_a_time_with_an_offset(oncall: Api) -> None:
    at = "2026-01-06T10:00:00+01:00"  # second week: bob and dan
    body = oncall.get("/api/v1/oncall", params={"at": at}).json()
    assert [la["person"]["id"] for la in body["schedules"][0]["layers"]] == ["bob", "dan"]


def test_oncall_shows_an_override_that_applies(oncall: Api) -> None:
    create_override(oncall)
    at = (oncall.clock.now() + timedelta(hours=2)).isoformat()
    primary = oncall.get("/api/v1/oncall", params={"at": at}).json()["schedules"][0]["layers"][0]
    assert (primary["person"]["id"], primary["override"]) == ("dan", True)


@pytest.mark.parametrize("at", ["2026-13-01T00:00Z", "2026-01-01T00:00"])
def test_oncall_refuses_a_bad_time_naming_at(oncall: Api, at: str) -> None:
    response = oncall.get("/api/v1/oncall", params={"at": at})
    assert response.status_code == 422
    assert error_fields(response) == ["at"]


def test_oncall_needs_a_token(oncall: Api) -> None:
    assert oncall.client.get("/api/v1/oncall").status_code == 401


# schedules and shifts --------------------------------------------------------------------------
def test_a_schedule_lists_its_layers_and_people(oncall: Api) -> None:
    body = oncall.get("/api/v1/schedules/engineering").json()
    assert [layer["name"] for layer in body["layers"]] == ["primary", "secondary"]
    assert body["layers"][0]["people"][1] == {"id": "bob", "name": "Bob Ortiz"}
    assert body["ical_url"] is None  # a viewer does not see the feed's secret


def test_a_responder_sees_the_schedule_feed_url(oncall: Api) -> None:
    listed = oncall.get("/api/v1/schedules", role="responder").json()
    assert listed[0]["ical_url"].startswith("http://firehouse.test/ical/schedules/engineering/")


def test_an_unknown_schedule_is_404(oncall: Api) -> None:
    for path in ("", "/shifts", "/overrides"):
        assert oncall.get(f"/api/v1/schedules/nope{path}").status_code == 404
    assert oncall.post("/api/v1/schedules/nope/overrides", override_body(oncall)).status_code == 404


def test_shifts_default_to_the_next_two_weeks(oncall: Api) -> None:
    body = oncall.get("/api/v1/schedules/engineering/shifts").json()
    now = oncall.clock.now()
    assert body["from"] == now.isoformat().replace("+00:00", "Z")
    assert body["to"] == (now + timedelta(days=14)).isoformat().replace("+00:00", "Z")
    assert [s["person"]["id"] for s in body["shifts"] if s["layer"] == "primary"] == [
        "alice",
        "bob",
        "carol",
    ]


def test_shifts_show_overrides_applied(oncall: Api) -> None:
    created = create_override(oncall)
    body = oncall.get("/api/v1/schedules/engineering/shifts").json()
    overridden = [s for s in body["shifts"] if s["override_id"] == created["id"]]
    assert [s["person"]["id"] for s in overridden] == ["dan"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-01T00:00Z", "to": "2026-02-01T00:00Z"}, "to"),
        ({"from": "2026-02-01T00:00Z", "to": "2026-01-01T00:00Z"}, "to"),
        ({"from": "2026-01-01T00:00Z", "to": "2027-03-01T00:00Z"}, "to"),
        ({"from": "yesterday"}, "from"),
    ],
)
def test_shifts_refuse_a_bad_window_naming_the_field(
    oncall: Api, params: dict[str, str], field: str
) -> None:
    response = oncall.get("/api/v1/schedules/engineering/shifts", params=params)
    assert response.status_code == 422
    assert error_fields(response) == [field]


# overrides -------------------------------------------------------------------------------------
def test_creating_an_override_records_the_caller_as_author(oncall: Api) -> None:
    created = create_override(oncall, covers_for="alice")
    assert created["author"] == "token:responder"
    assert created["person"] == {"id": "dan", "name": "Dan Kim"}
    assert created["covers_for"]["id"] == "alice"
    listed = oncall.get("/api/v1/schedules/engineering/overrides").json()
    assert [o["id"] for o in listed] == [created["id"]]


def test_a_viewer_cannot_create_an_override(oncall: Api) -> None:
    response = oncall.post(
        "/api/v1/schedules/engineering/overrides", override_body(oncall), role="viewer"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"layer": "tertiary"}, "layer"),
        ({"person": "zed"}, "person"),
        ({"covers_for": "zed"}, "covers_for"),
        ({"end": "2025-12-01T00:00:00Z"}, "end"),
        ({"start": "tomorrow"}, "start"),
        ({"reason": ""}, "reason"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_override_is_refused_naming_the_field(
    oncall: Api, fields: dict[str, Any], field: str
) -> None:
    response = oncall.post(
        "/api/v1/schedules/engineering/overrides", override_body(oncall, **fields)
    )
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_cancelling_an_override_keeps_it_as_the_record(oncall: Api) -> None:
    created = create_override(oncall)
    path = f"/api/v1/schedules/engineering/overrides/{created['id']}"
    cancelled = oncall.delete(path)
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_by"] == "token:responder"
    assert oncall.delete(path).status_code == 409
    assert oncall.get("/api/v1/schedules/engineering/overrides").json() == []
    every = oncall.get("/api/v1/schedules/engineering/overrides", params={"all": "true"}).json()
    assert [o["id"] for o in every] == [created["id"]]


def test_cancelling_an_unknown_override_is_404(oncall: Api) -> None:
    assert oncall.delete("/api/v1/schedules/engineering/overrides/999").status_code == 404


# calendar feeds --------------------------------------------------------------------------------
def feed_path(api: Api, kind: str, ident: str) -> str:
    key = signing_key(api.db, "")
    folder = "schedules" if kind == "schedule" else "people"
    return f"/ical/{folder}/{ident}/{sign(key, 'ical', f'{kind}:{ident}')}.ics"


def test_the_schedule_feed_is_a_valid_calendar_of_its_shifts(oncall: Api) -> None:
    url = oncall.get("/api/v1/schedules/engineering", role="responder").json()["ical_url"]
    calendar = calendar_of(oncall.client.get(url.removeprefix("http://firehouse.test")))
    events = calendar.walk("VEVENT")
    # 30 days back (before the rotation's start: none) to 180 ahead, two layers, weekly
    assert 50 <= len(events) <= 56
    first = events[0]
    assert str(first["SUMMARY"]) == "On call: Alice Ng (Engineering on-call / primary)"
    assert first.decoded("DTSTART") == FIRST_MONDAY
    assert "DTSTAMP" in first
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_feed_uids_are_stable_between_fetches(oncall: Api) -> None:
    path = feed_path(oncall, "schedule", "engineering")
    first = calendar_of(oncall.client.get(path)).walk("VEVENT")
    oncall.clock.advance(hours=1)
    again = calendar_of(oncall.client.get(path)).walk("VEVENT")
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in again]


def test_the_person_feed_has_their_shifts_in_every_schedule(oncall: Api) -> None:
    add_schedule(oncall.db, "support", "Support")
    url = oncall.get("/api/v1/people/carol/ical", role="responder").json()["url"]
    events = calendar_of(oncall.client.get(url.removeprefix("http://firehouse.test"))).walk(
        "VEVENT"
    )
    summaries = {str(e["SUMMARY"]) for e in events}
    assert summaries == {
        "On call: Carol Diaz (Engineering on-call / primary)",
        "On call: Carol Diaz (Engineering on-call / secondary)",
        "On call: Carol Diaz (Support / primary)",
        "On call: Carol Diaz (Support / secondary)",
    }


def test_a_feed_with_a_wrong_token_is_404(oncall: Api) -> None:
    good = feed_path(oncall, "schedule", "engineering")
    assert oncall.client.get(good.replace("engineering/", "engineering/x")).status_code == 404
    person_token_for_schedule = feed_path(oncall, "person", "engineering")
    path = person_token_for_schedule.replace("/people/", "/schedules/")
    assert oncall.client.get(path).status_code == 404


def test_a_person_feed_url_needs_a_responder_and_a_known_person(oncall: Api) -> None:
    assert oncall.get("/api/v1/people/carol/ical", role="viewer").status_code == 403
    assert oncall.get("/api/v1/people/zed/ical", role="responder").status_code == 404
