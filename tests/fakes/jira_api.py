"""A Jira Cloud REST v3 emulator on 127.0.0.1: create, search (enhanced JQL) and read issues.

Answers as Jira does: basic auth `email:token` (401 with an empty body otherwise), 201
`{"id", "key", "self"}` for a created issue, 400 `{"errorMessages": [], "errors": {field:
message}}` for a bad project, issue type or missing summary or an ADF description that is
not a document, 404 `{"errorMessages": ["Issue does not exist ..."]}`, and for
`GET /rest/api/3/search/jql` `{"issues": [...], "isLast": true}` (only `labels = "..."` is
understood in the JQL). Routes for faults: "create", "search", "get".

    with JiraEmulator() as jira:
        jira.lose_reply("create")          # the issue is created, the answer lost
        jira.fail_next("create", status=429, retry_after=1)
        jira.close("OPS-1")                # as if someone moved it to Done
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.tracker_support import Json, Request, TrackerEmulator

EMAIL = "bot@example.com"
TOKEN = "jira-emulator-token"
PROJECT = "OPS"
ISSUE_TYPES = ("Task", "Bug")
NOT_FOUND = "Issue does not exist or you do not have permission to see it."


def _status(name: str, category: str) -> Json:
    return {"name": name, "statusCategory": {"key": category}}


class JiraEmulator(TrackerEmulator):
    def __init__(self, project: str = PROJECT) -> None:
        self.project = project
        self.issues: dict[str, Json] = {}
        super().__init__()

    def settings(self) -> dict[str, Any]:
        """The `guidance.trackers.jira` section pointing here."""
        return {
            "url": self.origin,
            "project": self.project,
            "issue_type": "Task",
            "email_env": "TEST_JIRA_EMAIL",
            "token_env": "TEST_JIRA_TOKEN",
            "webhook_secret_env": "TEST_JIRA_WEBHOOK_SECRET",
        }

    @staticmethod
    def environ() -> dict[str, str]:
        return {
            "TEST_JIRA_EMAIL": EMAIL,
            "TEST_JIRA_TOKEN": TOKEN,
            "TEST_JIRA_WEBHOOK_SECRET": "jira-hook-secret",
        }

    def close(self, key: str) -> Json:
        with self.lock:
            self.issues[key]["fields"]["status"] = _status("Done", "done")
            return self.issues[key]

    def route(self, request: Request) -> str:
        if request.method == "POST" and request.path == "/rest/api/3/issue":
            return "create"
        if request.method == "GET" and request.path == "/rest/api/3/search/jql":
            return "search"
        if request.method == "GET" and request.path.startswith("/rest/api/3/issue/"):
            return "get"
        return "unknown"

    def fault_body(self, status: int) -> Json:
        return {"errorMessages": [f"emulated failure {status}"], "errors": {}}

    def result(self, route: str, request: Request) -> tuple[int, Json]:
        if not self._authorised(request):
            return 401, None
        if route == "create":
            return self._create(request.body or {})
        if route == "search":
            label = re.search(r'labels\s*=\s*"([^"]+)"', request.query.get("jql", ""))
            found = [i for i in self.issues.values() if label and label[1] in i["fields"]["labels"]]
            limit = int(request.query.get("maxResults", 50))
            return 200, {"issues": found[:limit], "isLast": True}
        if route == "get":
            issue = self.issues.get(request.path.rsplit("/", 1)[-1])
            if issue is None:
                return 404, {"errorMessages": [NOT_FOUND], "errors": {}}
            return 200, issue
        return 404, {"errorMessages": ["not an emulated endpoint"], "errors": {}}

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        return base64.b64decode(header[6:]).decode() == f"{EMAIL}:{TOKEN}"

    def _create(self, body: Json) -> tuple[int, Json]:
        fields = body.get("fields") or {}
        errors = {}
        if (fields.get("project") or {}).get("key") != self.project:
            errors["project"] = "valid project is required"
        if (fields.get("issuetype") or {}).get("name") not in ISSUE_TYPES:
            errors["issuetype"] = "Specify a valid issue type"
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        description = fields.get("description")
        if description is not None and (description or {}).get("type") != "doc":
            errors["description"] = "Operation value must be an Atlassian Document."
        if errors:
            return 400, {"errorMessages": [], "errors": errors}
        number = len(self.issues) + 1
        key = f"{self.project}-{number}"
        issue = {
            "id": str(10000 + number),
            "key": key,
            "self": f"{self.origin}/rest/api/3/issue/{10000 + number}",
            "fields": {
                "summary": fields["summary"],
                "labels": list(fields.get("labels") or []),
                "description": description,
                "status": _status("To Do", "new"),
            },
        }
        self.issues[key] = issue
        return 201, {"id": issue["id"], "key": key, "self": issue["self"]}


@pytest.fixture
def jira() -> Iterator[JiraEmulator]:
    with JiraEmulator() as emulator:
        yield emulator
