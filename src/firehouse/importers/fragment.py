"""What every importer produces: firehouse ids for foreign records, a firehouse.yaml fragment
with a comment naming where each entry came from, and a Markdown report of what needs a person.

A migration that silently drops a rotation restriction or a team escalation pages the wrong
person months later, so everything that does not map one-to-one becomes a report item, and the
report is written next to the file for review before anything is applied.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

SECTIONS = ("people", "teams", "schedules", "escalation_policies", "services")
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def slugify(text: str, fallback: str = "item") -> str:
    """A firehouse id ([a-z0-9_-], at most 64) from a name: accents folded, the rest dashed."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _UNSAFE.sub("-", folded.lower()).strip("-_")
    return re.sub(r"-{2,}", "-", slug)[:64].strip("-_") or fallback


class Ids:
    """Firehouse ids for one section, unique within it, remembered by the foreign id."""

    def __init__(self, fallback: str) -> None:
        self.fallback = fallback
        self._by_foreign: dict[str, str] = {}
        self._taken: set[str] = set()

    def assign(self, foreign_id: str, wanted: str) -> str:
        base = slugify(wanted, self.fallback)
        candidate, counter = base, 2
        while candidate in self._taken:
            suffix = f"-{counter}"
            candidate = base[: 64 - len(suffix)] + suffix
            counter += 1
        self._taken.add(candidate)
        self._by_foreign[foreign_id] = candidate
        return candidate

    def get(self, foreign_id: str | None) -> str | None:
        return self._by_foreign.get(foreign_id) if foreign_id else None


@dataclass(frozen=True)
class Note:
    """One thing a person must look at: `subject` names the record in the source product."""

    subject: str
    message: str


@dataclass(frozen=True)
class OverrideCommand:
    subject: str
    command: str


@dataclass
class ImportResult:
    source: str
    sections: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in SECTIONS}
    )
    origins: dict[tuple[str, str], str] = field(default_factory=dict)
    unmapped: list[Note] = field(default_factory=list)
    differences: list[Note] = field(default_factory=list)
    overrides: list[OverrideCommand] = field(default_factory=list)

    def add(self, section: str, entry: dict[str, Any], origin: str) -> None:
        self.sections[section].append(entry)
        self.origins[(section, str(entry["id"]))] = origin

    def skip(self, subject: str, message: str) -> None:
        self.unmapped.append(Note(subject, message))

    def differ(self, subject: str, message: str) -> None:
        self.differences.append(Note(subject, message))

    def fragment(self) -> dict[str, list[dict[str, Any]]]:
        """The sections with entries, as firehouse.yaml holds them."""
        return {name: entries for name, entries in self.sections.items() if entries}


def render_yaml(result: ImportResult, generated_at: datetime) -> str:
    """The fragment with a header saying what to do with it and a comment per entry."""
    lines = [
        f"# Imported from {result.source} on {generated_at:%Y-%m-%d %H:%M} UTC by",
        f"# `firehouse import {result.source.lower()}`. Review it together with the report,",
        "# merge these sections into firehouse.yaml (which also needs `organisation:`), then run",
        "# `firehouse config check` and `firehouse config apply`. Overrides are not in this file:",
        "# the report lists a command to recreate each future one.",
    ]
    for section, entries in result.fragment().items():
        lines += ["", f"{section}:"]
        for entry in entries:
            origin = result.origins.get((section, str(entry["id"])))
            if origin:
                lines.append(f"  # {origin}")
            dumped = yaml.dump(
                [entry],
                Dumper=_Dumper,
                sort_keys=False,
                allow_unicode=True,
                default_flow_style=False,
                width=100,
            )
            lines += [f"  {line}" for line in dumped.splitlines()]
    return "\n".join(lines) + "\n"


class _Dumper(yaml.SafeDumper):
    """Short lists of ids and escalation targets on one line, as people write the file."""


def _sequence(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(item, str) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _mapping(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = bool(data) and set(data) <= _TARGET_KEYS
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_TARGET_KEYS = {"schedule", "layer", "person", "service", "team"}
_Dumper.add_representer(list, _sequence)
_Dumper.add_representer(dict, _mapping)


def render_report(result: ImportResult, generated_at: datetime, output: str) -> str:
    """Markdown: counts, what was left out, what behaves differently, overrides to recreate."""
    counts = ", ".join(f"{len(result.sections[name])} {name}" for name in SECTIONS)
    lines = [
        f"# Import from {result.source}",
        "",
        f"Generated {generated_at:%Y-%m-%d %H:%M} UTC. Written to `{output}`: {counts}.",
        "",
        "Next: review the file, merge it into firehouse.yaml, run `firehouse config check`, then",
        "`firehouse config apply`, and run the override commands below against the server.",
    ]
    lines += _notes(
        "Not imported",
        "These records or settings could not be expressed in firehouse.yaml.",
        result.unmapped,
    )
    lines += _notes(
        "Imported, but behaves differently",
        "These were imported; check that firehouse's behaviour is what you want.",
        result.differences,
    )
    lines += ["", "## Overrides to recreate", ""]
    if not result.overrides:
        lines.append("No current or future overrides were found.")
    else:
        lines += [
            "Overrides live in firehouse's database, not in firehouse.yaml. After `config apply`,",
            "run these (with FIREHOUSE_URL and FIREHOUSE_TOKEN set):",
            "",
        ]
        for override in result.overrides:
            lines += [f"- {override.subject}", "", "  ```sh", f"  {override.command}", "  ```"]
    return "\n".join(lines) + "\n"


def _notes(title: str, intro: str, notes: list[Note]) -> list[str]:
    lines = ["", f"## {title}", ""]
    if not notes:
        return [*lines, "Nothing."]
    lines += [intro, ""]
    return lines + [f"- **{note.subject}**: {note.message}" for note in notes]


def shell_quote(text: str) -> str:
    """Single-quoted for POSIX shells, so a name with spaces or quotes pastes safely."""
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


def override_command(
    schedule: str,
    *,
    layer: str,
    person: str,
    start: datetime,
    end: datetime,
    reason: str,
) -> str:
    """The `firehouse oncall override` invocation that recreates one override on one layer."""
    parts = [
        "firehouse oncall override",
        schedule,
        f"--layer {layer}",
        f"--person {person}",
        f"--start {start:%Y-%m-%dT%H:%MZ}",
        f"--end {end:%Y-%m-%dT%H:%MZ}",
        f"--reason {shell_quote(reason)}",
    ]
    return " ".join(parts)
