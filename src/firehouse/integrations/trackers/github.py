"""GitHub Issues (REST): open an issue, find one a lost answer created, read its state.

Auth is a Bearer token read from the environment variable the config names. Issues carry the
label `firehouse-<request_key>` (GitHub creates a missing label when the token may push);
listing the repository's issues with that label (`state=all`) finds one after a lost answer.
Unlike the search API, that listing is not eventually consistent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from firehouse.integrations.trackers.http import (
    Ticket,
    TicketRequest,
    environment,
    secret,
    send,
)

NAME = "GitHub"
API_VERSION = "2022-11-28"


def ticket_key(repository: str, number: int | str) -> str:
    """`owner/repo#12`: unique across repositories, as webhooks report issues."""
    return f"{repository}#{number}"


class GitHubTracker:
    def __init__(
        self,
        client: httpx.Client,
        settings: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.repository = str(settings["repository"])
        self.api_url = str(settings.get("api_url") or "https://api.github.com").rstrip("/")
        self.token_env = str(settings.get("token_env") or "FIREHOUSE_GITHUB_TOKEN")
        self.environ = environment(environ)

    def create(self, request: TicketRequest) -> Ticket:
        body = {
            "title": request.title,
            "body": request.body_text(),
            "labels": ["firehouse", request.label],
        }
        answer = self._call("POST", f"/repos/{self.repository}/issues", json=body)
        return self._ticket(answer.json())

    def find(self, request: TicketRequest) -> Ticket | None:
        params = {"labels": request.label, "state": "all", "per_page": "1"}
        answer = self._call("GET", f"/repos/{self.repository}/issues", params=params).json()
        return self._ticket(answer[0]) if answer else None

    def get(self, key: str) -> Ticket:
        number = key.rsplit("#", 1)[-1]
        answer = self._call("GET", f"/repos/{self.repository}/issues/{number}")
        return self._ticket(answer.json())

    def _ticket(self, issue: Mapping[str, Any]) -> Ticket:
        state = str(issue.get("state") or "open")
        return Ticket(
            key=ticket_key(self.repository, issue["number"]),
            url=str(issue["html_url"]),
            status=state,
            done=state == "closed",
        )

    def _call(self, method: str, path: str, **options: Any) -> httpx.Response:
        token = secret(self.environ, self.token_env, NAME)
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        }
        return send(self.client, NAME, method, self.api_url + path, headers=headers, **options)
