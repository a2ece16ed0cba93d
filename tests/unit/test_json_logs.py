"""Log lines as a log collector receives them: one JSON object per line with the request or
delivery id, text with the id for people, and credentials masked whatever the format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.observability.context import REQUEST_ID, delivery_scope
from firehouse.observability.http_metrics import RequestMetrics
from firehouse.observability.logs import build_handler, configure_logging, ensure_logging
from firehouse.observability.metrics import build_metrics
from firehouse.settings import Settings
from tests.loops import in_own_loop

SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"
API_TOKEN = "fh_Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE"


class Captured:
    def __init__(self, log_format: str) -> None:
        self.stream = io.StringIO()
        self.handler = build_handler(Settings(log_format=log_format), self.stream)  # type: ignore[arg-type]
        self.logger = logging.getLogger(f"firehouse.test.{log_format}")

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines()]


def attached(log_format: str) -> Iterator[Captured]:
    captured = Captured(log_format)
    captured.logger.addHandler(captured.handler)
    captured.logger.setLevel(logging.DEBUG)
    captured.logger.propagate = False
    yield captured
    captured.logger.removeHandler(captured.handler)


@pytest.fixture
def json_log() -> Iterator[Captured]:
    yield from attached("json")


@pytest.fixture
def text_log() -> Iterator[Captured]:
    yield from attached("text")


def test_a_json_line_has_time_level_logger_and_message(json_log: Captured) -> None:
    json_log.logger.warning("queue is %d deep", 42)
    [record] = json_log.records()
    assert record["level"] == "WARNING"
    assert record["logger"] == "firehouse.test.json"
    assert record["message"] == "queue is 42 deep"
    assert datetime.fromisoformat(record["time"]).utcoffset() is not None


def test_a_json_line_carries_the_request_id_inside_a_request(json_log: Captured) -> None:
    token = REQUEST_ID.set("req-1")
    try:
        json_log.logger.info("inside")
    finally:
        REQUEST_ID.reset(token)
    json_log.logger.info("outside")
    inside, outside = json_log.records()
    assert inside["request_id"] == "req-1"
    assert "request_id" not in outside


def test_a_json_line_carries_the_delivery_id_while_delivering(json_log: Captured) -> None:
    with delivery_scope(42):
        json_log.logger.info("sending")
    assert json_log.records()[0]["delivery_id"] == 42


def test_an_exception_is_one_string_field_of_one_line(json_log: Captured) -> None:
    try:
        raise ValueError("bad value")
    except ValueError:
        json_log.logger.exception("it failed")
    [line] = json_log.lines()
    record = json.loads(line)
    assert record["exc_info"].startswith("Traceback")
    assert "ValueError: bad value" in record["exc_info"]


def test_extra_fields_become_fields_of_the_line(json_log: Captured) -> None:
    json_log.logger.info("delivered", extra={"provider": "webhook", "attempt": 3})
    record = json_log.records()[0]
    assert (record["provider"], record["attempt"]) == ("webhook", 3)


def test_a_text_line_names_the_request_between_logger_and_message(text_log: Captured) -> None:
    token = REQUEST_ID.set("req-7")
    try:
        text_log.logger.info("hello")
    finally:
        REQUEST_ID.reset(token)
    assert text_log.lines()[0].endswith("INFO firehouse.test.text [request req-7]: hello")


def test_a_text_line_outside_a_request_keeps_the_usual_format(text_log: Captured) -> None:
    text_log.logger.info("hello")
    assert text_log.lines()[0].endswith("INFO firehouse.test.text: hello")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"slack said invalid_auth for {SLACK_TOKEN}", SLACK_TOKEN),
        (f"token {API_TOKEN} was revoked", API_TOKEN),
        ("sent Authorization: Bearer s3cr3t-abcdef", "s3cr3t-abcdef"),
        ("calling https://hooks.example.com/x?token=abc123&page=2", "abc123"),
        ("smtp login with password=hunter2hunter2", "hunter2hunter2"),
        ("to https://ops:pa55word@hooks.example.com/in", "pa55word"),
        ('body {"routing_key": "R0UTINGKEY0000000000000000000000"}', "R0UTINGKEY0000"),
        ("OpsGenie refused GenieKey 5d7b1c3e-1111-2222-3333-444455556666", "5d7b1c3e"),
    ],
)
def test_credentials_are_masked_in_messages(json_log: Captured, text: str, secret: str) -> None:
    json_log.logger.warning("%s", text)
    assert secret not in json_log.stream.getvalue()
    assert "***" in json_log.records()[0]["message"]


def test_credentials_are_masked_in_tracebacks(json_log: Captured) -> None:
    try:
        raise RuntimeError(f"refused {SLACK_TOKEN}")
    except RuntimeError:
        json_log.logger.exception("call failed")
    assert SLACK_TOKEN not in json_log.stream.getvalue()


def test_secrets_from_the_environment_are_masked_whatever_their_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACME_WEBHOOK_SECRET", "plainwordsecret")
    captured = Captured("json")
    captured.logger.addHandler(captured.handler)
    try:
        captured.logger.warning("signature made with plainwordsecret")
    finally:
        captured.logger.removeHandler(captured.handler)
    assert "plainwordsecret" not in captured.stream.getvalue()


def test_ordinary_words_are_left_alone(json_log: Captured) -> None:
    json_log.logger.info("Basic information about the Bearer tokens page")
    assert json_log.records()[0]["message"] == "Basic information about the Bearer tokens page"


def test_configuring_twice_leaves_one_handler() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        configure_logging(Settings(log_format="json"), io.StringIO())
        configure_logging(Settings(log_format="text"), io.StringIO())
        assert len(root.handlers) == len(before) + 1
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)


def test_outbound_request_lines_of_the_http_client_are_kept_out() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    stream = io.StringIO()
    try:
        configure_logging(Settings(log_format="json", log_level="DEBUG"), stream)
        logging.getLogger("httpx").info("HTTP Request: POST https://hooks.example.com/T0/B0/s3cr3t")
        logging.getLogger("httpx").warning("retrying")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
    assert "s3cr3t" not in stream.getvalue()
    assert "retrying" in stream.getvalue()


def test_logging_set_up_by_someone_else_is_left_as_it_is() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    assert before  # pytest's own capture handlers
    ensure_logging(Settings(log_format="json"))
    assert root.handlers == before


def test_a_log_line_written_in_a_request_carries_the_id_the_response_names(
    json_log: Captured, tmp_path: Path
) -> None:
    def endpoint(_request: Request) -> PlainTextResponse:  # sync: runs in the thread pool
        json_log.logger.info("handling")
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/work", endpoint)])
    database = Database(f"sqlite:///{tmp_path / 'unused.db'}")  # the gauges are not scraped
    wrapped = RequestMetrics(app, build_metrics(database, FakeClock()))

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=wrapped)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/work")

    response = in_own_loop(call())
    assert json_log.records()[0]["request_id"] == response.headers["x-request-id"]


def test_uvicorns_lines_take_the_process_format_but_its_access_log_stays_off() -> None:
    root, error, access = (logging.getLogger(n) for n in ("", "uvicorn.error", "uvicorn.access"))
    before, level = list(root.handlers), root.level
    saved = [(lg, list(lg.handlers), lg.propagate) for lg in (error, access)]
    error.handlers, error.propagate = [logging.StreamHandler(io.StringIO())], False
    access.handlers, access.propagate = [], False  # what uvicorn does for access_log=False
    try:
        configure_logging(Settings(log_format="json"), io.StringIO())
        assert (error.handlers, error.propagate) == ([], True)
        assert access.propagate is False
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
        for lg, handlers, propagate in saved:
            lg.handlers, lg.propagate = handlers, propagate
