"""Bad input of any kind is a 4xx in the one error shape, naming the field; never a 500."""

from __future__ import annotations

import pytest

from tests.api.client import Api, error_fields

INCIDENTS = "/api/v1/incidents"
VALID = {"service": "website", "message": "Checkout fails", "priority": "P2"}


def test_an_unknown_field_in_a_body_is_422_naming_it(api: Api) -> None:
    response = api.post(INCIDENTS, {**VALID, "severity": "high"})
    assert response.status_code == 422
    assert error_fields(response) == ["severity"]
    assert response.json()["error"] == "invalid_input"


def test_an_unknown_field_in_a_patch_is_422_naming_it(api: Api) -> None:
    api.declare()
    response = api.patch(f"{INCIDENTS}/1", {"status": "resolved"})
    assert response.status_code == 422
    assert error_fields(response) == ["status"]


def test_the_detail_line_names_field_and_problem(api: Api) -> None:
    response = api.post(INCIDENTS, {**VALID, "priority": "urgent"})
    assert response.json()["detail"].startswith("priority: ")


def test_a_nested_problem_names_its_path(api: Api) -> None:
    response = api.post(INCIDENTS, {**VALID, "tags": ["ok", 7]})
    assert response.status_code == 422
    assert error_fields(response) == ["tags.1"]


@pytest.mark.parametrize(
    "body",
    [b"{", b"not json", b"[]", b'"text"', b"null", b"\xff\xfe"],
)
def test_a_body_that_is_not_a_json_object_is_422_naming_the_body(api: Api, body: bytes) -> None:
    response = api.client.post(
        INCIDENTS, content=body, headers=api.auth(extra={"Content-Type": "application/json"})
    )
    assert response.status_code == 422
    assert error_fields(response) == ["body"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_of_another_content_type_is_a_4xx(api: Api, content_type: str) -> None:
    response = api.client.post(
        INCIDENTS,
        content=b'{"service": "website", "message": "m", "priority": "P2"}',
        headers=api.auth(extra={"Content-Type": content_type}),
    )
    assert 400 <= response.status_code < 500
    error_fields(response)


def test_a_nul_character_is_422_naming_the_field(api: Api) -> None:
    response = api.post(INCIDENTS, {**VALID, "message": "bad\x00byte"})
    assert response.status_code == 422
    assert error_fields(response) == ["message"]


def test_an_unpaired_surrogate_is_422_naming_the_field(api: Api) -> None:
    body = b'{"service": "website", "priority": "P2", "message": "bad \\ud800 text"}'
    response = api.client.post(
        INCIDENTS, content=body, headers=api.auth(extra={"Content-Type": "application/json"})
    )
    assert response.status_code == 422
    assert error_fields(response) == ["message"]


def test_an_over_long_message_is_422_naming_it(api: Api) -> None:
    response = api.post(INCIDENTS, {**VALID, "message": "x" * 301})
    assert response.status_code == 422
    assert error_fields(response) == ["message"]


@pytest.mark.parametrize("number", ["0", "-1", "abc", "2147483648", "9" * 40, "1.5"])
def test_a_bad_incident_number_is_422_naming_number(api: Api, number: str) -> None:
    response = api.get(f"{INCIDENTS}/{number}")
    assert response.status_code == 422
    assert error_fields(response) == ["number"]


def test_an_unknown_route_is_404_in_the_error_shape(api: Api) -> None:
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    error_fields(response)


def test_a_wrong_method_is_405_in_the_error_shape(api: Api) -> None:
    response = api.client.put(f"{INCIDENTS}/1", json={}, headers=api.auth())
    assert response.status_code == 405
    error_fields(response)


def test_a_detected_at_in_the_future_is_422_naming_it(api: Api) -> None:
    response = api.post(INCIDENTS, {**VALID, "detected_at": "2099-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert error_fields(response) == ["detected_at"]


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-14:00", "1969-12-31T23:59:59Z"]
)
def test_a_time_out_of_range_is_422_naming_it(api: Api, moment: str) -> None:
    response = api.post(INCIDENTS, {**VALID, "detected_at": moment})
    assert response.status_code == 422
    assert error_fields(response) == ["detected_at"]


def test_a_wrong_method_lists_every_allowed_method(api: Api) -> None:
    response = api.client.put(f"{INCIDENTS}/1/roles", json={}, headers=api.auth())
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, POST"


def test_a_time_given_as_a_number_is_422_naming_it(api: Api) -> None:
    api.declare()
    response = api.act(1, "timeline", {"text": "x", "occurred_at": 0})
    assert response.status_code == 422
    assert error_fields(response) == ["occurred_at"]


def test_a_flag_given_as_text_is_422_naming_it(api: Api) -> None:
    response = api.post(INCIDENTS, {**VALID, "training": "yes"})
    assert response.status_code == 422
    assert error_fields(response) == ["training"]


def test_a_body_that_is_not_utf8_names_the_body(api: Api) -> None:
    response = api.client.post(
        f"{INCIDENTS}/1/resolve",
        content=b"\xc3(",
        headers=api.auth(extra={"Content-Type": "application/json"}),
    )
    assert 400 <= response.status_code < 500
    assert error_fields(response) == ["body"]
