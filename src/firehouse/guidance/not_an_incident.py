"""The reply to a report that is not an incident (runbook step 3).

When an incident is closed with bug links, the reporter is told where their problem is
tracked and how to report bugs next time. The text is `guidance.not_an_incident_reply` with
`{bugs}` and `{guide_url}` filled in; only those two placeholders are replaced (a plain
`str.replace`, so a stray brace in an operator's text cannot break it).

The reply is always written on the timeline (kind `guidance.not_an_incident_reply`, the text
in `data.reply`), so any surface can show it; when the report came from a chat thread, the
chat flow also posts it there (firehouse.chat.close_reply).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from firehouse.guidance.policy import GuidancePolicy
from firehouse.guidance.settings import load_guidance
from firehouse.incidents.model import Incident

KIND = "guidance.not_an_incident_reply"
ACTOR = "guidance"
NO_GUIDE = "ask the team that runs firehouse"


def reply_text(policy: GuidancePolicy, bugs: Sequence[str]) -> str:
    """`{bugs}` becomes " (url, url)" (nothing without links), `{guide_url}` the guide."""
    listed = f" ({', '.join(bugs)})" if bugs else ""
    guide = policy.bug_report_guide_url or NO_GUIDE
    return policy.not_an_incident_reply.replace("{bugs}", listed).replace("{guide_url}", guide)


def bug_links(incident: Incident) -> list[str]:
    return [link.url for link in incident.links if link.kind == "bug"]


def on_entry(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    event: str | None,
    data: dict[str, Any],
    actor: str,
    now: datetime,
) -> None:
    """Called from firehouse.guidance.hooks for every timeline entry: acts on a close only."""
    del kind, data, actor
    if event != "incident.closed":
        return
    bugs = bug_links(incident)
    if not bugs:
        return
    from firehouse.incidents.service import record_integration_step  # noqa: PLC0415 -- cycle

    text = reply_text(load_guidance(session), bugs)
    record_integration_step(
        session,
        incident.number,
        kind=KIND,
        text=f"Reply to the reporter: {text}",
        actor=ACTOR,
        now=now,
        data={"reply": text, "bugs": bugs, "reporter": incident.reporter},
    )
