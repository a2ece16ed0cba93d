"""Process logging: text for people, JSON lines for log collectors, secrets masked in both.

`configure_logging` is called once by `firehouse serve` and `firehouse worker`, and by each
process `serve --workers N` starts (create_app does it when nothing else has). Every line
carries the request id of the request it was written for, or the id of the outbox delivery,
so one request's lines can be found among thousands.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from firehouse.observability.context import DELIVERY_ID, REQUEST_ID
from firehouse.observability.redaction import Redactor, secrets_in
from firehouse.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
# Not uvicorn.access: `serve` turns the access log off, and uvicorn does that by cutting the
# access logger off from the root; handing it to the root would turn it back on.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error")

# Attributes every LogRecord has; anything else on a record came from `extra=`. uvicorn adds
# `color_message`, the message again with terminal colour codes.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "context",
    "color_message",
}


class RedactingFilter(logging.Filter):
    """Masks credentials in the message and traceback before any formatter sees them, and
    adds the request or delivery id. Attached to the handler, so records of every logger
    (uvicorn's and libraries' too) pass through it."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        for key, value in _extras(record).items():
            if isinstance(value, str):
                setattr(record, key, self._redact(value))
        record.request_id = REQUEST_ID.get()
        record.delivery_id = DELIVERY_ID.get()
        return True


class TextFormatter(logging.Formatter):
    """Today's format, with ` [request abc]` or ` [delivery 42]` after the logger name."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        delivery_id = getattr(record, "delivery_id", None)
        record.context = (
            f" [request {request_id}]"
            if request_id
            else f" [delivery {delivery_id}]"
            if delivery_id is not None
            else ""
        )
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, exc_info, extras."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "delivery_id"):
            value = getattr(record, key, None)
            if value is not None:
                document[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            document["exc_info"] = record.exc_text
        if record.stack_info:
            document["stack_info"] = record.stack_info
        for key, value in _extras(record).items():
            document.setdefault(key, value)
        return json.dumps(document, default=str, ensure_ascii=False)


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD and key not in {"request_id", "delivery_id"}
    }


class _FirehouseHandler(logging.StreamHandler[TextIO]):
    """Marks the handler configure_logging installed, so a second call replaces it."""


def build_handler(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """The handler of the chosen format, with the redacting filter; tests attach it to
    capture exactly what an operator's log collector would receive."""
    handler = _FirehouseHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    redact = Redactor(secrets_in(os.environ) + _setting_secrets(settings))
    handler.addFilter(RedactingFilter(redact))
    return handler


def _setting_secrets(settings: Settings) -> list[str]:
    values = [settings.secret_key]
    for secret in (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.smtp_password,
        settings.oidc_client_secret,
    ):
        if secret is not None:
            values.append(secret.get_secret_value())
    return [value for value in values if value]


QUIET_LOGGERS = ("httpx", "httpcore")


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Root logger: one handler of the configured format at the configured level."""
    root = logging.getLogger()
    for existing in [h for h in root.handlers if isinstance(h, _FirehouseHandler)]:
        root.removeHandler(existing)
    handler = build_handler(settings, stream)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for chatty in QUIET_LOGGERS:
        # One line per outbound request, with its full URL: noise at best, and some URLs
        # carry a secret in their path (chat and paging webhooks), which no filter can tell.
        logging.getLogger(chatty).setLevel(logging.WARNING)
    adopt_server_loggers()
    return handler


def ensure_logging(settings: Settings) -> None:
    """Configures logging unless something already did: `serve` before building its app, a
    test runner, a host embedding the app. The processes `serve --workers N` starts build
    their app in a fresh interpreter where nothing has, and would otherwise log nothing."""
    if not logging.getLogger().handlers:
        configure_logging(settings)


def adopt_server_loggers() -> None:
    """uvicorn configures its own loggers with their own format when its server starts; this
    hands their lines to the root handler instead, so one process speaks one format. Only
    when configure_logging ran in this process: otherwise whoever set up logging decides."""
    root = logging.getLogger()
    if not any(isinstance(h, _FirehouseHandler) for h in root.handlers):
        return
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
