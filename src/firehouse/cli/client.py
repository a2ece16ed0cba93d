"""The API client of the responder commands: FIREHOUSE_URL, FIREHOUSE_TOKEN and httpx.

Every way a request can fail becomes a CliError worded for the person at the terminal: the
API's own `detail` line for a refused request, a hint for a missing token or a server that
does not answer.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from firehouse.cli.errors import CliError

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT_SECONDS = 30.0
API = "/api/v1"


class ApiClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            # Certificates matter only for https; loading them costs ~0.1 s per command, and
            # redirects are not followed, so a plain-http client never meets TLS.
            verify=self.base_url.startswith("https://"),
        )

    @classmethod
    def from_environment(cls) -> ApiClient:
        url = os.environ.get("FIREHOUSE_URL", "").strip() or DEFAULT_URL
        if not url.startswith(("http://", "https://")):
            raise CliError(f"FIREHOUSE_URL: '{url}' is not an http:// or https:// URL")
        token = os.environ.get("FIREHOUSE_TOKEN", "").strip()
        if not token:
            raise CliError("set FIREHOUSE_TOKEN (create one with `firehouse token create`)")
        return cls(url, token)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.request("POST", path, body=body)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("PATCH", path, body=body)

    def delete(self, path: str, params: dict[str, Any]) -> Any:
        return self.request("DELETE", path, params=params)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The decoded JSON body of a 2xx answer; a CliError for anything else."""
        if params:
            params = {key: value for key, value in params.items() if value is not None}
        try:
            response = self._http.request(method, API + path, json=body, params=params)
        except httpx.TimeoutException:
            raise CliError(
                f"firehouse at {self.base_url} did not answer within {TIMEOUT_SECONDS:g} s"
            ) from None
        except httpx.TransportError:
            raise CliError(
                f"cannot reach firehouse at {self.base_url} — is `firehouse serve` running?"
            ) from None
        return self._decode(response)

    def _decode(self, response: httpx.Response) -> Any:
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success and data is not None:
            return data
        if isinstance(data, dict) and isinstance(data.get("detail"), str):
            raise CliError(data["detail"])
        if response.is_success:
            raise CliError(f"{self.base_url} did not answer with JSON; is it a firehouse server?")
        raise CliError(
            f"firehouse at {self.base_url} answered {response.status_code} {response.reason_phrase}"
        )

    def close(self) -> None:
        self._http.close()
