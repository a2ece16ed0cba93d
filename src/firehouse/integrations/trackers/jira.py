"""Jira Cloud (REST API v3): open a ticket, find one a lost answer created, read its status.

Auth is basic with the token owner's email and an API token, both read from the environment
variables the config names at each call. The description is an Atlassian Document Format
document (v3 takes no plain text). Tickets carry the label `firehouse-<request_key>`; the
enhanced JQL search (`GET /rest/api/3/search/jql`) finds a ticket by it after a lost answer.
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

NAME = "Jira"


def adf(text: str) -> dict[str, Any]:
    """Plain text as an ADF document: one paragraph per blank-line-separated block (ADF
    refuses empty text nodes, so empty blocks are left out)."""
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": block}]} for block in blocks
        ],
    }


class JiraTracker:
    def __init__(
        self,
        client: httpx.Client,
        settings: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.url = str(settings["url"]).rstrip("/")
        self.project = str(settings["project"])
        self.issue_type = str(settings.get("issue_type") or "Task")
        self.email_env = str(settings.get("email_env") or "FIREHOUSE_JIRA_EMAIL")
        self.token_env = str(settings.get("token_env") or "FIREHOUSE_JIRA_TOKEN")
        self.environ = environment(environ)

    def create(self, request: TicketRequest) -> Ticket:
        fields = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": request.title,
            "labels": ["firehouse", request.label],
            "description": adf(request.body_text()),
        }
        answer = self._call("POST", "/rest/api/3/issue", json={"fields": fields}).json()
        key = str(answer["key"])
        return Ticket(key=key, url=self.browse(key), status="To Do", done=False)

    def find(self, request: TicketRequest) -> Ticket | None:
        jql = f'project = "{self.project}" AND labels = "{request.label}" ORDER BY created ASC'
        params = {"jql": jql, "fields": "status", "maxResults": "1"}
        answer = self._call("GET", "/rest/api/3/search/jql", params=params).json()
        issues = answer.get("issues") or []
        return self._ticket(issues[0]) if issues else None

    def get(self, key: str) -> Ticket:
        answer = self._call("GET", f"/rest/api/3/issue/{key}", params={"fields": "status"})
        return self._ticket(answer.json())

    def browse(self, key: str) -> str:
        return f"{self.url}/browse/{key}"

    def _ticket(self, issue: Mapping[str, Any]) -> Ticket:
        key = str(issue["key"])
        status, done = status_of(issue)
        return Ticket(key=key, url=self.browse(key), status=status, done=done)

    def _call(self, method: str, path: str, **options: Any) -> httpx.Response:
        email = secret(self.environ, self.email_env, NAME)
        token = secret(self.environ, self.token_env, NAME)
        headers = {"Accept": "application/json"}
        return send(
            self.client,
            NAME,
            method,
            self.url + path,
            auth=(email, token),
            headers=headers,
            **options,
        )


def status_of(issue: Mapping[str, Any]) -> tuple[str, bool]:
    """An issue's status name, and whether its category is Done (the workflow-independent
    test: status names differ per project, categories do not)."""
    status = (issue.get("fields") or {}).get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    return str(status.get("name") or ""), category == "done"
