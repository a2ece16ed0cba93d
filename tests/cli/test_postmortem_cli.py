"""firehouse postmortem: each command drives one postmortem route of a real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import fails, ok


def resolved_p1() -> int:
    incident = json.loads(
        ok("declare", "Site down", "--service", "website", "--priority", "P1", "--json")
    )
    number = int(incident["number"])
    ok("resolve", str(number), "--note", "Rolled back")
    return number


def test_show_prints_the_state_owner_and_due_date(server: str) -> None:
    number = resolved_p1()
    out = ok("postmortem", "show", str(number))
    assert "draft" in out
    assert "due" in out


def test_create_starts_one_for_any_incident(server: str) -> None:
    ok("declare", "Slow CMS", "--service", "cms", "--priority", "P3")
    created = json.loads(ok("postmortem", "create", "1", "--json"))
    assert (created["incident"], created["state"]) == (1, "draft")


def test_edit_from_a_file_saves_the_document(server: str, tmp_path: Path) -> None:
    number = resolved_p1()
    source = tmp_path / "pm.md"
    source.write_text("# Our postmortem\n", encoding="utf-8")
    ok("postmortem", "edit", str(number), "--file", str(source))
    assert ok("postmortem", "export", str(number)) == "# Our postmortem\n"


def test_edit_opens_the_editor_on_the_current_document(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = resolved_p1()
    monkeypatch.setenv("EDITOR", "sed -i s/Summary/Overview/")
    monkeypatch.delenv("VISUAL", raising=False)
    ok("postmortem", "edit", str(number))
    assert "## Overview" in ok("postmortem", "export", str(number))


def test_state_moves_to_review_and_publish(server: str) -> None:
    number = resolved_p1()
    ok("postmortem", "state", str(number), "in_review")
    published = json.loads(ok("postmortem", "state", str(number), "published", "--json"))
    assert published["state"] == "published"


def test_a_refused_move_is_one_clear_line(server: str) -> None:
    number = resolved_p1()
    assert "cannot go from draft to published" in fails(
        "postmortem", "state", str(number), "published"
    )


def test_export_html_is_a_standalone_page(server: str) -> None:
    number = resolved_p1()
    html = ok("postmortem", "export", str(number), "--format", "html")
    assert html.startswith("<!doctype html>")
    assert "<h2>Key times</h2>" in html


def test_export_refuses_an_unknown_format(server: str) -> None:
    number = resolved_p1()
    assert "--format" in fails("postmortem", "export", str(number), "--format", "pdf")
