"""Reading a product's REST API for an import: JSON GETs that survive rate limits and blips.

An import reads a few hundred pages once, with a person waiting at the terminal, so the rules
are simple: a 429 waits as long as Retry-After says (capped), a 5xx or a dropped connection
waits a little longer each time, and after a few attempts, or at once on 401/403/404, the
import stops with one line that says what to fix. The API key goes in a header and never into
a message: error text is built from the status and the product's own message only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

ATTEMPTS = 5
MAX_WAIT_SECONDS = 30.0
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)
Json = dict[str, Any]
Params = Mapping[str, str | int | list[str]]


class ImportFailed(Exception):
    """The import cannot go on; the message is one line for the person at the terminal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiReader:
    """GETs JSON from one product's API. `sleep` is injectable so tests need not wait."""

    def __init__(
        self,
        product: str,
        base_url: str,
        headers: Mapping[str, str],
        *,
        key_variable: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        self.product = product
        self.key_variable = key_variable
        self.base_url = base_url.rstrip("/")
        self.sleep = sleep
        self.calls = 0
        self._client = httpx.Client(
            base_url=self.base_url, headers=dict(headers), timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def same_origin_path(self, url: str) -> str:
        """A `next` link as a path on our own API: a link elsewhere must not get the key."""
        parts, ours = urlsplit(url), urlsplit(self.base_url)
        if parts.netloc and (parts.scheme, parts.netloc) != (ours.scheme, ours.netloc):
            raise ImportFailed(f"{self.product} sent a next-page link to another host: {url}")
        prefix = ours.path.rstrip("/")
        path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix) else parts.path
        return f"{path}?{parts.query}" if parts.query else path

    def get(self, path: str, params: Params | None = None) -> Json:
        for attempt in range(1, ATTEMPTS + 1):
            wait = self._attempt(path, params, attempt)
            if isinstance(wait, dict):
                return wait
            self.sleep(wait)
        raise AssertionError("unreachable: the last attempt raises")  # pragma: no cover

    def _attempt(self, path: str, params: Params | None, attempt: int) -> Json | float:
        """The answer, or how long to wait before the next attempt."""
        last = attempt == ATTEMPTS
        self.calls += 1
        try:
            response = self._client.get(path, params=params)
        except httpx.TransportError as exc:
            if last:
                raise ImportFailed(
                    f"cannot reach {self.product} at {self.base_url}: {exc}"
                ) from None
            return BACKOFF_SECONDS[attempt - 1]
        status = response.status_code
        if status in (401, 403):
            raise ImportFailed(
                f"{self.product} refused the API key in {self.key_variable} "
                f"({status}: {_message(response)}); check the key and its access rights"
            )
        if status == 429 or status >= 500:
            if last:
                raise ImportFailed(
                    f"{self.product} kept answering {status} to GET {path} after {ATTEMPTS} "
                    "attempts; try again later"
                )
            if status == 429:
                return _retry_after(response.headers.get("Retry-After"), attempt)
            return BACKOFF_SECONDS[attempt - 1]
        if status >= 400:
            raise ImportFailed(
                f"{self.product} answered {status} to GET {path}: {_message(response)}"
            )
        try:
            body = response.json()
        except ValueError:
            raise ImportFailed(f"{self.product} answered GET {path} with non-JSON") from None
        if not isinstance(body, dict):
            raise ImportFailed(f"{self.product} answered GET {path} with unexpected JSON")
        return body


def _retry_after(value: str | None, attempt: int) -> float:
    try:
        seconds = float(value) if value else BACKOFF_SECONDS[attempt - 1]
    except ValueError:
        seconds = BACKOFF_SECONDS[attempt - 1]
    return min(max(seconds, 0.0), MAX_WAIT_SECONDS)


def _message(response: httpx.Response) -> str:
    """The product's own words: OpsGenie {"message"}, PagerDuty {"error": {"message"}}."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no details"
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if body.get("message"):
            return str(body["message"])
    return response.reason_phrase or "no details"
