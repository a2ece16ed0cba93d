"""The outbox handler of kind `paging`: declaring an incident (or raising its priority)
pages people as the priority level's `page` rule says.

- all_on_call: everyone on call now, in every schedule (the runbook's all hands for a P1).
- escalation: the impacted service's escalation policy (its own, else its team's).
- none, or a training incident: nobody.

Idempotent through the page's trigger key: a redelivered event finds the page it created.
A priority change pages only when the new level's rule is stronger than the old one's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.service import load_policy
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.service import record_integration_step
from firehouse.oncall.directory import escalation_policy_for, everyone_on_call
from firehouse.oncall.model import Page
from firehouse.oncall.paging import PageRequest, create_page
from firehouse.outbox.envelope import Envelope
from firehouse.outbox.events import EventType

ACTOR = "firehouse"
SKIPPED = "page.skipped"
STRENGTH = {"none": 0, "escalation": 1, "all_on_call": 2}


class PagingFlow:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def __call__(self, envelope: Envelope) -> None:
        incident = envelope.payload.get("incident") or {}
        change = envelope.payload.get("change") or {}
        number = incident.get("number")
        if not isinstance(number, int) or incident.get("training"):
            return
        if incident.get("status", "open") != "open":
            return
        with self.db.write() as session:
            if envelope.event_type == EventType.INCIDENT_DECLARED:
                priority = str(incident.get("priority"))
                self._page(session, incident, priority, f"incident:{number}:declared")
            elif envelope.event_type == EventType.INCIDENT_PRIORITY_CHANGED:
                self._raised(session, incident, change)

    def _raised(self, session: Session, incident: dict[str, Any], change: dict[str, Any]) -> None:
        new, old = str(change.get("to")), str(change.get("from"))
        before = max(_strength(session, old), _paged_strength(session, int(incident["number"])))
        if _strength(session, new) <= before:
            return
        self._page(session, incident, new, f"incident:{incident['number']}:priority:{new}")

    def _page(self, session: Session, incident: dict[str, Any], priority: str, key: str) -> None:
        rule = _rule(session, priority)
        number = int(incident["number"])
        now = self.clock.now()
        message = page_message(number, priority, incident)
        request: PageRequest | None = None
        if rule == "all_on_call":
            people = everyone_on_call(session, now)
            targets = [{"person": r.person, "why": r.why} for r in people]
            if targets:
                request = PageRequest(message, incident=number, targets=targets)
            else:
                _say(session, number, "Nobody paged: nobody is on call now", now)
        elif rule == "escalation":
            service = str(incident.get("service"))
            policy = escalation_policy_for(session, service)
            if policy is not None:
                request = PageRequest(message, incident=number, escalation_policy=policy.id)
            else:
                text = f"Nobody paged: service {service} has no escalation policy"
                _say(session, number, text, now)
        if request is not None:
            keyed = replace(request, reason="declared", trigger_key=key)
            create_page(session, keyed, actor=ACTOR, now=now)


def _rule(session: Session, priority: str) -> str:
    policy = load_policy(session)
    if priority not in policy.levels:
        return "none"
    level = policy.level(priority)
    return "none" if level.training_only else level.page


def _strength(session: Session, priority: str) -> int:
    return STRENGTH.get(_rule(session, priority), 0)


def _paged_strength(session: Session, number: int) -> int:
    """The strongest rule this incident was already paged by (P1, lowered to P2 and raised
    again, pages nobody twice): all-on-call pages follow no policy, escalation pages do."""
    policies = session.scalars(
        select(Page.escalation_policy_id)
        .join(Incident, Incident.id == Page.incident_id)
        .where(Incident.number == number, Page.reason == "declared")
    ).all()
    if not policies:
        return 0
    return STRENGTH["all_on_call"] if None in policies else STRENGTH["escalation"]


def _say(session: Session, number: int, text: str, now: datetime) -> None:
    """Once per incident and reason, however often the event is delivered."""
    said = session.scalar(
        select(TimelineEntry.id)
        .join(Incident, Incident.id == TimelineEntry.incident_id)
        .where(Incident.number == number, TimelineEntry.kind == SKIPPED, TimelineEntry.text == text)
    )
    if said is None:
        record_integration_step(session, number, kind=SKIPPED, text=text, actor=ACTOR, now=now)


def page_message(number: int, priority: str, incident: dict[str, Any]) -> str:
    """What a page says. A private incident's page names no detail: it reaches people on call
    who are not yet participants, through channels (SMS, mail, webhooks) firehouse cannot
    hide again; they open the incident once they take part."""
    if incident.get("private"):
        return f"Incident #{number} ({priority}): a private incident needs you; open firehouse"
    return f"Incident #{number} ({priority}): {incident.get('message', '')}"
