"""The escalation engine: what a page does at each step, and when it moves on.

A step resolves its targets at that instant (who is on call *now*, not when the page began),
writes one PageNotification per person per notify rule, hands the ones already due to the
outbox and leaves the rest scheduled for the periodic task. After the step's wait the page
moves to the next step; after the last step it starts over, `repeat` more times, and then it
is exhausted. Every step is a timeline entry and a domain event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person
from firehouse.incidents.model import Incident
from firehouse.incidents.service import record_integration_step
from firehouse.oncall.directory import Recipient, resolve_targets
from firehouse.oncall.model import EscalationPolicy, Page, PageNotification
from firehouse.outbox.append import append, append_addressed
from firehouse.outbox.events import DomainEvent, EventType

ACTOR = "firehouse"
NOTIFY_EVENT = "page.notify"
NOTIFICATIONS_SUBSCRIPTION = "page-notifications"
# A page without an escalation policy (one person, a schedule, point-people) is one step;
# this is how long it waits for an acknowledgement before it counts as exhausted.
DIRECT_WAIT_MINUTES = 30
REACHABLE_BY = {"slack": "chat_handle", "email": "email", "sms": "phone", "voice": "phone"}
MISSING = {"chat_handle": "no chat handle", "email": "no email address", "phone": "no phone number"}


@dataclass(frozen=True)
class Step:
    targets: list[dict[str, Any]]
    wait_minutes: int


@dataclass
class StepOutcome:
    """Who a step reached and who it could not, as the timeline tells it."""

    paged: list[tuple[Person, str]] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)


def steps_of(session: Session, page: Page) -> tuple[list[Step], int]:
    """The page's steps and how many times they repeat."""
    policy = (
        session.get(EscalationPolicy, page.escalation_policy_id)
        if page.escalation_policy_id
        else None
    )
    if policy is None or not policy.steps:
        return [Step(list(page.targets), DIRECT_WAIT_MINUTES)], 0
    steps = [Step(list(s.get("notify", [])), int(s.get("wait_minutes", 15))) for s in policy.steps]
    return steps, policy.repeat


def notify_rules(person: Person) -> list[dict[str, Any]]:
    """The person's own rules, else: Slack at once if they have a chat handle, email a minute
    later if they have an address."""
    if person.notify is not None:
        return [dict(rule) for rule in person.notify]
    rules: list[dict[str, Any]] = []
    if person.chat_handle:
        rules.append({"method": "slack", "after_minutes": 0})
    if person.email:
        rules.append({"method": "email", "after_minutes": 1})
    return rules


def cannot_receive(person: Person, method: str) -> str | None:
    """Why `person` cannot be reached by `method`, or None when they can."""
    needed = REACHABLE_BY.get(method)
    if needed is not None and not getattr(person, needed):
        return MISSING[needed]
    return None


def start(session: Session, page: Page, *, now: datetime) -> StepOutcome:
    """Run the first step of a new page (round 0, step 0)."""
    page.step, page.round = 0, 0
    return _notify_step(session, page, now=now, event=EventType.PAGE_TRIGGERED)


def advance(session: Session, page: Page, *, now: datetime) -> bool:
    """Move a triggered page whose wait is over to its next step, or end it. False when the
    page is not due (acknowledged meanwhile, or another worker moved it first)."""
    if page.status != "triggered" or page.next_step_at is None or page.next_step_at > now:
        return False
    steps, repeat = steps_of(session, page)
    step, round_ = page.step + 1, page.round
    if step >= len(steps):
        step, round_ = 0, round_ + 1
    if round_ > repeat:
        _exhaust(session, page, now=now)
        return True
    page.step, page.round = step, round_
    _notify_step(session, page, now=now, event=EventType.PAGE_ESCALATED)
    return True


def queue(session: Session, row: PageNotification, *, now: datetime) -> None:
    """Hand one notification to the outbox: the notifier sends it, retried until it lands."""
    row.state = "queued"
    row.queued_at = now
    append_addressed(
        session,
        type=NOTIFY_EVENT,
        stream=f"page:{row.page_id}",
        data={"notification_id": row.id},
        subscription=NOTIFICATIONS_SUBSCRIPTION,
        now=now,
    )


def skip_scheduled(session: Session, page: Page) -> int:
    """The page ended: whatever was still waiting to be sent never will be."""
    rows = session.scalars(
        select(PageNotification).where(
            PageNotification.page_id == page.id, PageNotification.state == "scheduled"
        )
    ).all()
    for row in rows:
        row.state = "skipped"
    return len(rows)


def incident_number(session: Session, page: Page) -> int | None:
    if page.incident_id is None:
        return None
    return session.scalar(select(Incident.number).where(Incident.id == page.incident_id))


def stream_of(page: Page, number: int | None) -> str:
    return f"incident:{number}" if number is not None else f"page:{page.id}"


def record_step(
    session: Session,
    page: Page,
    *,
    kind: str,
    text: str,
    now: datetime,
    actor: str = ACTOR,
    data: dict[str, Any] | None = None,
) -> None:
    """On the incident's timeline when the page has one (a page alone has its own record)."""
    number = incident_number(session, page)
    if number is not None:
        record_integration_step(
            session, number, kind=kind, text=text, actor=actor, now=now, data=data
        )


def emit(
    session: Session, page: Page, event: EventType, data: dict[str, Any], now: datetime
) -> None:
    number = incident_number(session, page)
    payload = {"page": page.id, "incident": number, "reason": page.reason, **data}
    append(session, DomainEvent(event, stream=stream_of(page, number), data=payload), now=now)


def _notify_step(session: Session, page: Page, *, now: datetime, event: EventType) -> StepOutcome:
    steps, _repeat = steps_of(session, page)
    step = steps[page.step]
    outcome = StepOutcome()
    for recipient in _recipients(session, step.targets, now):
        person = session.get(Person, recipient.person)
        if person is not None:
            _notify_person(session, page, person, recipient.why, outcome, now=now)
    page.next_step_at = now + timedelta(minutes=step.wait_minutes)
    kind = "page.triggered" if event is EventType.PAGE_TRIGGERED else "page.escalated"
    people = [person.id for person, _why in outcome.paged]
    record_step(
        session, page, kind=kind, text=describe(page, outcome), now=now, data={"page": page.id}
    )
    emit(
        session,
        page,
        event,
        {
            "round": page.round,
            "step": page.step,
            "people": people,
            "invite": page.reason == "point_person",
        },
        now,
    )
    return outcome


def _recipients(
    session: Session, targets: Sequence[Mapping[str, Any]], at: datetime
) -> list[Recipient]:
    """Targets may carry their own `why` (everyone on call, paged by name at declaration)."""
    found: dict[str, Recipient] = {}
    for target in targets:
        for recipient in resolve_targets(session, [target], at):
            why = str(target["why"]) if target.get("why") else recipient.why
            found.setdefault(recipient.person, Recipient(recipient.person, why))
    return list(found.values())


def _notify_person(
    session: Session, page: Page, person: Person, why: str, outcome: StepOutcome, *, now: datetime
) -> None:
    reached = False
    for rule in notify_rules(person):
        method = str(rule.get("method"))
        problem = cannot_receive(person, method)
        if problem is not None:
            outcome.unreachable.append(f"cannot reach {person.name} by {method}: {problem}")
            continue
        due = now + timedelta(minutes=int(rule.get("after_minutes", 0)))
        row = _notification(session, page, person.id, method, why=why, due=due)
        if row is not None and row.state == "scheduled" and row.due_at <= now:
            queue(session, row, now=now)
        reached = True
    if reached:
        outcome.paged.append((person, why))
    elif not notify_rules(person):
        outcome.unreachable.append(f"cannot reach {person.name}: no way to contact them")


def _notification(
    session: Session, page: Page, person_id: str, method: str, *, why: str, due: datetime
) -> PageNotification | None:
    """One row per (page, round, step, person, method): found again rather than doubled."""
    existing = session.scalar(
        select(PageNotification).where(
            PageNotification.page_id == page.id,
            PageNotification.round == page.round,
            PageNotification.step == page.step,
            PageNotification.person_id == person_id,
            PageNotification.method == method,
        )
    )
    if existing is not None:
        return None
    row = PageNotification(
        page_id=page.id,
        round=page.round,
        step=page.step,
        person_id=person_id,
        method=method,
        target=why[:200],
        state="scheduled",
        due_at=due,
    )
    session.add(row)
    session.flush()
    return row


def describe(page: Page, outcome: StepOutcome) -> str:
    where = f" (step {page.step + 1}" + (f", round {page.round + 1})" if page.round else ")")
    if outcome.paged:
        names = [f"{person.name} ({why})" for person, why in outcome.paged]
        text = "Paged " + _and(names) + where
    else:
        text = "Nobody could be paged" + where
    if outcome.unreachable:
        text += "; " + "; ".join(outcome.unreachable)
    return f"{text}: {page.message}"[:20000]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _exhaust(session: Session, page: Page, *, now: datetime) -> None:
    page.status = "exhausted"
    page.ended_at = now
    page.next_step_at = None
    skip_scheduled(session, page)
    record_step(
        session,
        page,
        kind="page.exhausted",
        text=f"Nobody acknowledged the page after every step: {page.message}",
        now=now,
        data={"page": page.id},
    )
    emit(session, page, EventType.PAGE_EXHAUSTED, {"round": page.round, "step": page.step}, now)
