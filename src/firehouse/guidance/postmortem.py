"""The postmortem document, written from a plain snapshot of the incident (no I/O).

Kept pure so the generated Markdown can be compared with a golden file: the same snapshot
always gives the same document, byte for byte.

The moment of mitigation: the first timeline entry of kind "mitigated", when a responder or
an integration recorded one; otherwise the moment the incident was resolved (resolving says
"it is mitigated"). Every time is shown in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

from markdown_it import MarkdownIt

MITIGATED_KIND = "mitigated"
# Raw HTML is refused so a postmortem cannot carry script into the pages that show it.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class EntryFact:
    occurred_at: datetime
    actor: str
    kind: str
    text: str


@dataclass(frozen=True)
class LinkFact:
    """An incident link or a follow-up; `url` may be absent for a built-in follow-up."""

    kind: str
    title: str
    url: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class PublicFact:
    name: str
    impact: str
    started_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class IncidentFacts:
    number: int
    message: str
    description: str
    priority: str
    priority_label: str
    services: tuple[str, ...]
    commander: str | None
    detected_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolution_note: str | None
    entries: tuple[EntryFact, ...] = ()
    follow_ups: tuple[LinkFact, ...] = ()
    public: PublicFact | None = None
    training: bool = False


def mitigated_at(facts: IncidentFacts) -> datetime | None:
    """See the module docstring for the rule."""
    marked = [e.occurred_at for e in facts.entries if e.kind == MITIGATED_KIND]
    return min(marked) if marked else facts.resolved_at


def duration_text(delta: timedelta) -> str:
    """ "1 h 12 min", "3 d 2 h", "45 min"; seconds are dropped, never rounded up."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


def utc_text(moment: datetime | None) -> str:
    if moment is None:
        return "not yet"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def generate(facts: IncidentFacts) -> str:
    """The first draft: what the record already knows, with prompts for what only people know."""
    sections = [
        _title(facts),
        _summary(facts),
        _impact(facts),
        _key_times(facts),
        _timeline(facts),
        _prompt(
            "Contributing factors",
            "What made this incident possible or made it worse? Think of changes, missing "
            "safeguards, alerts that did not fire, and anything that slowed the response.",
        ),
        _prompt(
            "Lessons learned",
            "What went well, what went badly, and where were we lucky? Name what we will "
            "do differently.",
        ),
        _follow_ups(facts),
    ]
    return "\n\n".join(sections) + "\n"


def to_html(document: str, *, heading_shift: int = 0) -> str:
    """The document as an HTML fragment; raw HTML in it is shown as text, never run.

    `heading_shift` lowers every heading (2: `#` becomes <h3>) so a preview embedded under a
    page's own headings keeps their order."""
    tokens = _MARKDOWN.parse(document)
    if heading_shift:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(int(token.tag[1]) + heading_shift, 6)}"
    html: str = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return html


def html_page(document: str, title: str) -> str:
    """A standalone HTML file for the export."""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{to_html(document)}</body>\n</html>\n"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _title(facts: IncidentFacts) -> str:
    label = " (training)" if facts.training else ""
    return f"# Postmortem: incident {facts.number}{label} — {_one_line(facts.message)}"


def _summary(facts: IncidentFacts) -> str:
    lines = ["## Summary", "", _one_line(facts.message) + "."]
    if facts.description.strip():
        lines += ["", facts.description.strip()]
    if facts.resolution_note:
        lines += ["", f"Resolution: {_one_line(facts.resolution_note)}"]
    return "\n".join(lines)


def _impact(facts: IncidentFacts) -> str:
    services = ", ".join(facts.services) or "none recorded"
    lines = [
        "## Impact",
        "",
        f"- Priority: {facts.priority_label}",
        f"- Impacted services: {services}",
        f"- Commander: {facts.commander or 'none assigned'}",
    ]
    public = facts.public
    if public is None:
        lines.append("- Public incident: none")
    else:
        lines.append(f"- Public incident: {_one_line(public.name)} (impact {public.impact})")
        if public.resolved_at is None:
            lines.append(f"- Public incident open since {utc_text(public.started_at)}")
        else:
            length = duration_text(public.resolved_at - public.started_at)
            lines.append(
                f"- Public incident duration: {length} "
                f"({utc_text(public.started_at)} to {utc_text(public.resolved_at)})"
            )
    return "\n".join(lines)


def _key_times(facts: IncidentFacts) -> str:
    mitigated = mitigated_at(facts)
    rows = [
        ("Detected", facts.detected_at, None),
        ("Acknowledged", facts.acknowledged_at, "Time to acknowledge"),
        ("Mitigated", mitigated, "Time to mitigate"),
        ("Resolved", facts.resolved_at, "Time to resolve"),
    ]
    lines = ["## Key times", "", "| Moment | Time | Since detection |", "| --- | --- | --- |"]
    for name, moment, _ in rows:
        since = duration_text(moment - facts.detected_at) if moment and name != "Detected" else ""
        lines.append(f"| {name} | {utc_text(moment)} | {since} |")
    lines.append("")
    for _name, moment, label in rows:
        if label is not None:
            value = duration_text(moment - facts.detected_at) if moment else "not yet"
            lines.append(f"- {label}: {value}")
    return "\n".join(lines)


def _timeline(facts: IncidentFacts) -> str:
    lines = ["## Timeline", ""]
    entries = sorted(facts.entries, key=lambda e: e.occurred_at)
    if not entries:
        lines.append("No timeline entries.")
    for entry in entries:
        lines.append(f"- {utc_text(entry.occurred_at)} · {entry.actor} · {_one_line(entry.text)}")
    return "\n".join(lines)


def _prompt(heading: str, guidance: str) -> str:
    return f"## {heading}\n\n_{guidance}_"


def _follow_ups(facts: IncidentFacts) -> str:
    lines = ["## Follow-up items", ""]
    if not facts.follow_ups:
        lines.append("_None recorded yet. Link each follow-up ticket, or say why none is needed._")
    for item in facts.follow_ups:
        title = _one_line(item.title) or item.url or "untitled"
        text = f"[{_escape_brackets(title)}](<{item.url}>)" if item.url else title
        status = f", {item.status}" if item.status else ""
        lines.append(f"- {text} ({item.kind.replace('_', ' ')}{status})")
    return "\n".join(lines)


def _escape_brackets(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def add_business_days(moment: datetime, days: int) -> datetime:
    """Monday to Friday count; a weekend day never does. Keeps the time of day."""
    result = moment
    left = days
    while left > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:  # Saturday is 5
            left -= 1
    return result
