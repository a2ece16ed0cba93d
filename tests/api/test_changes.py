"""Changing an incident: PATCH with and without If-Match, roles, timeline entries and links."""

from __future__ import annotations

from tests.api.client import Api, error_fields

ONE = "/api/v1/incidents/1"


def test_patch_without_if_match_applies_and_returns_the_new_etag(api: Api) -> None:
    declared = api.declare(priority="P3")
    response = api.patch(ONE, {"priority": "P1", "message": "Checkout is down"})
    assert response.status_code == 200
    body = response.json()
    assert (body["priority"], body["message"]) == ("P1", "Checkout is down")
    assert body["version"] > declared["version"]
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert api.timeline_kinds(1)[-2:] == ["priority_changed", "updated"]


def test_patch_with_the_current_if_match_applies(api: Api) -> None:
    api.declare()
    etag = api.get(ONE).headers["ETag"]
    response = api.patch(ONE, {"description": "Card payments"}, headers={"If-Match": etag})
    assert response.status_code == 200
    assert response.json()["description"] == "Card payments"


def test_if_match_accepts_weak_and_bare_versions(api: Api) -> None:
    version = api.declare()["version"]
    first = api.patch(ONE, {"message": "one"}, headers={"If-Match": f'W/"{version}"'})
    assert first.status_code == 200
    second = api.patch(ONE, {"message": "two"}, headers={"If-Match": str(version + 1)})
    assert second.status_code == 200


def test_patch_with_a_stale_if_match_is_409_and_leaves_the_timeline_unchanged(api: Api) -> None:
    stale = api.declare()["version"]
    api.patch(ONE, {"priority": "P1"})
    before = api.timeline(1)
    response = api.patch(ONE, {"priority": "P4"}, headers={"If-Match": f'"{stale}"'})
    assert response.status_code == 409
    assert error_fields(response) == ["If-Match"]
    assert "reload" in response.json()["detail"]
    assert api.timeline(1) == before
    assert api.incident(1)["priority"] == "P1"


def test_a_garbage_if_match_is_422_naming_it(api: Api) -> None:
    api.declare()
    for garbage in [b"abc", b'"1.5"', b"-1", b"99999999999", "²".encode("latin-1"), b'W/"x"']:
        headers = {**api.auth(), "If-Match": garbage}
        response = api.client.patch(ONE, json={"priority": "P1"}, headers=headers)
        assert response.status_code == 422, garbage
        assert error_fields(response) == ["If-Match"]


def test_patch_changing_service_is_recorded(api: Api) -> None:
    api.declare()
    assert api.patch(ONE, {"service": "cms"}).json()["service"] == "cms"
    assert "service from 'website' to 'cms'" in api.timeline(1)[-1]["text"]


def test_patch_to_an_unknown_service_is_422_naming_service(api: Api) -> None:
    api.declare()
    response = api.patch(ONE, {"service": "legacy"})
    assert response.status_code == 422
    assert error_fields(response) == ["service"]


def test_patch_with_nothing_new_changes_nothing(api: Api) -> None:
    declared = api.declare()
    response = api.patch(ONE, {"message": declared["message"]})
    assert response.json()["version"] == declared["version"]


def test_patch_of_an_unknown_incident_is_404(api: Api) -> None:
    assert api.patch("/api/v1/incidents/7", {"priority": "P1"}).status_code == 404


def test_assigning_a_role_is_recorded(api: Api) -> None:
    api.declare()
    response = api.act(1, "roles", {"role": "communications_lead", "person": "carol"})
    assert response.status_code == 200
    assert response.json()["communications_lead"] == "carol"
    assert api.timeline(1)[-1]["text"] == "carol assigned as communications lead"


def test_assigning_a_commander_acknowledges(api: Api) -> None:
    api.declare()
    body = api.act(1, "roles", {"role": "commander", "person": "alice"}).json()
    assert body["commander"] == "alice"
    assert body["acknowledged_at"] is not None


def test_responders_are_many(api: Api) -> None:
    api.declare()
    api.act(1, "roles", {"role": "responder", "person": "bob"})
    body = api.act(1, "roles", {"role": "responder", "person": "dan"}).json()
    assert body["responders"] == ["bob", "dan"]


def test_assigning_an_unknown_role_or_person_is_422_naming_it(api: Api) -> None:
    api.declare()
    bad_role = api.act(1, "roles", {"role": "boss", "person": "bob"})
    bad_person = api.act(1, "roles", {"role": "responder", "person": "zed"})
    assert (bad_role.status_code, error_fields(bad_role)) == (422, ["role"])
    assert (bad_person.status_code, error_fields(bad_person)) == (422, ["person"])


def test_removing_a_role_with_a_json_body(api: Api) -> None:
    api.declare()
    api.act(1, "roles", {"role": "responder", "person": "bob"})
    response = api.delete(f"{ONE}/roles", json={"role": "responder", "person": "bob"})
    assert response.status_code == 200
    assert response.json()["responders"] == []
    assert api.timeline_kinds(1)[-1] == "role_removed"


def test_removing_a_role_with_query_parameters(api: Api) -> None:
    api.declare(commander="alice")
    response = api.delete(f"{ONE}/roles", params={"role": "commander", "person": "alice"})
    assert response.status_code == 200
    assert response.json()["commander"] is None


def test_removing_a_role_nobody_holds_is_404_naming_person(api: Api) -> None:
    api.declare()
    response = api.delete(f"{ONE}/roles", params={"role": "responder", "person": "bob"})
    assert response.status_code == 404
    assert error_fields(response) == ["person"]


def test_removing_a_role_without_saying_which_is_422_naming_role(api: Api) -> None:
    api.declare()
    response = api.delete(f"{ONE}/roles")
    assert response.status_code == 422
    assert error_fields(response) == ["role"]


def test_the_timeline_starts_with_the_declaration(api: Api) -> None:
    api.declare()
    [entry] = api.timeline(1)
    assert entry["kind"] == "declared"
    assert entry["actor"] == "token:responder"


def test_a_note_is_added_now_by_default(api: Api) -> None:
    api.declare()
    response = api.act(1, "timeline", {"text": "Rolled back deploy 412"})
    assert response.status_code == 201
    entry = response.json()
    assert (entry["kind"], entry["text"]) == ("note", "Rolled back deploy 412")
    assert entry["occurred_at"] == entry["recorded_at"]
    assert api.timeline(1)[-1] == entry


def test_a_note_may_say_it_happened_earlier_and_sorts_there(api: Api) -> None:
    api.clock.advance(hours=1)
    api.declare()
    response = api.act(
        1, "timeline", {"text": "First customer report", "occurred_at": "2026-01-01T12:05:00Z"}
    )
    assert response.status_code == 201
    assert response.json()["occurred_at"].startswith("2026-01-01T12:05:00")
    assert api.timeline(1)[0]["text"] == "First customer report"


def test_a_note_in_the_future_is_422_naming_occurred_at(api: Api) -> None:
    api.declare()
    response = api.act(1, "timeline", {"text": "x", "occurred_at": "2030-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert error_fields(response) == ["occurred_at"]


def test_a_note_without_a_time_zone_is_422_naming_occurred_at(api: Api) -> None:
    api.declare()
    response = api.act(1, "timeline", {"text": "x", "occurred_at": "2026-01-01T12:00:00"})
    assert response.status_code == 422
    assert error_fields(response) == ["occurred_at"]


def test_an_empty_note_is_422_naming_text(api: Api) -> None:
    api.declare()
    for text in ["", "   "]:
        response = api.act(1, "timeline", {"text": text})
        assert response.status_code == 422
        assert error_fields(response) == ["text"]


def test_adding_a_link_is_201_and_shows_on_the_incident(api: Api) -> None:
    api.declare()
    response = api.act(
        1,
        "links",
        {"url": "https://tracker.example.com/F-1", "kind": "follow_up", "title": "Add alarm"},
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "follow_up"
    assert [link["title"] for link in api.incident(1)["links"]] == ["Add alarm"]
    assert api.timeline_kinds(1)[-1] == "link_added"


def test_a_link_that_is_not_http_is_422_naming_url(api: Api) -> None:
    api.declare()
    response = api.act(1, "links", {"url": "javascript:alert(1)", "kind": "bug"})
    assert response.status_code == 422
    assert error_fields(response) == ["url"]


def test_a_link_of_an_unknown_kind_is_422_naming_kind(api: Api) -> None:
    api.declare()
    response = api.act(1, "links", {"url": "https://x.example.com", "kind": "gossip"})
    assert response.status_code == 422
    assert error_fields(response) == ["kind"]
