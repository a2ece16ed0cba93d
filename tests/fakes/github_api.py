"""A GitHub REST emulator on 127.0.0.1: create, list (by label) and read a repository's issues.

Answers as GitHub does: Bearer token (401 `{"message": "Bad credentials"}` otherwise), 404
`{"message": "Not Found"}` for another repository, 422 `{"message": "Validation Failed",
"errors": [...]}` without a title, 201 with the issue (`number`, `html_url`, `state`,
`labels` as objects). Routes for faults: "create", "list", "get".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.tracker_support import Json, Request, TrackerEmulator

TOKEN = "ghp_emulator_token"
REPOSITORY = "acme/ops"
DOCS = "https://docs.github.com/rest"


class GitHubEmulator(TrackerEmulator):
    def __init__(self, repository: str = REPOSITORY) -> None:
        self.repository = repository
        self.issues: dict[int, Json] = {}
        super().__init__()

    def settings(self) -> dict[str, Any]:
        """The `guidance.trackers.github` section pointing here."""
        return {
            "repository": self.repository,
            "api_url": self.origin,
            "token_env": "TEST_GITHUB_TOKEN",
            "webhook_secret_env": "TEST_GITHUB_WEBHOOK_SECRET",
        }

    @staticmethod
    def environ() -> dict[str, str]:
        return {"TEST_GITHUB_TOKEN": TOKEN, "TEST_GITHUB_WEBHOOK_SECRET": "gh-hook-secret"}

    def close(self, number: int) -> Json:
        with self.lock:
            self.issues[number]["state"] = "closed"
            return self.issues[number]

    def route(self, request: Request) -> str:
        base = f"/repos/{self.repository}/issues"
        if request.path == base:
            return "create" if request.method == "POST" else "list"
        if request.path.startswith(base + "/") and request.method == "GET":
            return "get"
        return "unknown"

    def fault_body(self, status: int) -> Json:
        return {"message": f"emulated failure {status}", "documentation_url": DOCS}

    def result(self, route: str, request: Request) -> tuple[int, Json]:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials", "documentation_url": DOCS}
        if route == "create":
            return self._create(request.body or {})
        if route == "list":
            label = request.query.get("labels", "")
            found = [
                issue
                for issue in self.issues.values()
                if not label or label in {item["name"] for item in issue["labels"]}
            ]
            return 200, found[: int(request.query.get("per_page", 30))]
        if route == "get":
            issue = self.issues.get(int(request.path.rsplit("/", 1)[-1]))
            if issue is not None:
                return 200, issue
        return 404, {"message": "Not Found", "documentation_url": DOCS}

    def _create(self, body: Json) -> tuple[int, Json]:
        if not body.get("title"):
            error = {"resource": "Issue", "code": "missing_field", "field": "title"}
            return 422, {"message": "Validation Failed", "errors": [error]}
        number = len(self.issues) + 1
        issue = {
            "id": 1000 + number,
            "number": number,
            "url": f"{self.origin}/repos/{self.repository}/issues/{number}",
            "html_url": f"https://github.com/{self.repository}/issues/{number}",
            "state": "open",
            "title": body["title"],
            "body": body.get("body"),
            "labels": [{"name": name} for name in body.get("labels") or []],
        }
        self.issues[number] = issue
        return 201, issue


@pytest.fixture
def github() -> Iterator[GitHubEmulator]:
    with GitHubEmulator() as emulator:
        yield emulator
