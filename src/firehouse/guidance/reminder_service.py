"""The reminder pass: find the incidents that may owe a nudge, decide with the pure rules
(firehouse.guidance.reminders), and queue each due reminder for delivery exactly once.

Queuing a reminder writes a `ReminderSent` row and the outbox event for the `reminders`
subscription in one transaction. The row's unique key (incident, reminder, due_at) is what
makes it once: a second worker evaluating the same moment computes the same due_at, its insert
conflicts, and it skips. Delivery (chat, log) happens later, from the outbox.

Also here: snoozing a reminder, and what an incident's reminders look like now.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from firehouse.catalog.service import load_policy
from firehouse.clock import as_utc
from firehouse.db import Database
from firehouse.errors import InvalidInput
from firehouse.guidance.model import (
    ChecklistItem,
    FollowUp,
    Postmortem,
    ReminderSent,
    ReminderSnooze,
)
from firehouse.guidance.policy import REMINDERS, GuidancePolicy
from firehouse.guidance.reminders import (
    PUBLIC_FINAL_STATES,
    Due,
    IncidentFacts,
    PublicFacts,
    due_reminders,
)
from firehouse.guidance.settings import load_guidance
from firehouse.incidents.model import Incident, RoleAssignment
from firehouse.incidents.policy import PriorityPolicy, Role, Status
from firehouse.incidents.service import record_integration_step
from firehouse.incidents.visibility import EVERYTHING, Sight, ensure_visible, missing
from firehouse.outbox.append import append_addressed
from firehouse.statuspage.model import PublicIncident, PublicUpdate

log = logging.getLogger(__name__)

SUBSCRIPTION = "reminders"
EVENT_TYPE = "guidance.reminder"
ACTOR = "reminders"
MAX_SNOOZE_MINUTES = 7 * 24 * 60


# -- the pass ------------------------------------------------------------------------------


def run_reminder_pass(db: Database, now: datetime) -> int:
    """Queues every reminder due now; returns how many this call queued (others' are skipped).

    State-based, so it needs no memory of earlier passes: after all workers were down for an
    hour, the first pass finds each overdue reminder at its latest due moment and sends it
    once."""
    with db.read() as session:
        policy = load_guidance(session)
        ids = candidate_ids(session, policy, now)
        evaluated = [
            (facts, evaluate(session, facts, policy, now)) for facts in gather(session, ids)
        ]
    queued = 0
    for facts, due in evaluated:
        for reminder in due:
            queued += queue(db, facts, reminder, now=now)
    return queued


def candidate_ids(session: Session, policy: GuidancePolicy, now: datetime) -> list[int]:
    """Incidents that may owe a nudge, found with a few indexed queries rather than by
    evaluating every incident ever declared. The pure rules make the final decision."""
    rules = policy.reminders
    public_open = exists().where(
        PublicIncident.incident_id == Incident.id,
        PublicIncident.published_at.is_not(None),
        PublicIncident.status.not_in(PUBLIC_FINAL_STATES),
    )
    commander = exists().where(
        RoleAssignment.incident_id == Incident.id, RoleAssignment.role == Role.COMMANDER.value
    )
    stale_follow_up = exists().where(
        FollowUp.incident_id == Incident.id,
        FollowUp.status == "open",
        FollowUp.created_at <= now - timedelta(days=max(rules.follow_ups_open_days, 0)),
    )
    started = exists().where(
        Postmortem.incident_id == Incident.id, Postmortem.started_at.is_not(None)
    )
    required = [p for p, level in load_policy(session).levels.items() if level.postmortem_required]
    conditions: list[ColumnElement[bool]] = [
        (Incident.status == Status.OPEN.value) & public_open,
        (Incident.status != Status.OPEN.value) & public_open,
        (Incident.status == Status.OPEN.value)
        & Incident.priority.in_(rules.no_commander_priorities)
        & ~commander,
        (Incident.status != Status.OPEN.value)
        & Incident.resolved_at.is_not(None)
        & Incident.priority.in_(required)
        & ~started,
    ]
    if rules.follow_ups_open_days > 0:
        conditions.append(stale_follow_up)
    found: set[int] = set()
    for condition in conditions:
        found.update(session.scalars(select(Incident.id).where(condition)))
    return sorted(found)


def gather(session: Session, incident_ids: Iterable[int]) -> list[IncidentFacts]:
    """The facts the rules need, for a batch of incidents, in a handful of queries."""
    ids = list(incident_ids)
    if not ids:
        return []
    incidents = session.scalars(
        select(Incident).where(Incident.id.in_(ids)).options(selectinload(Incident.roles))
    ).all()
    levels = load_policy(session)
    publics = _public_facts(session, ids)
    started = _postmortems_started(session, ids)
    follow_ups = _open_follow_ups(session, ids)
    checklists = _checklists(session, ids)
    return [
        IncidentFacts(
            number=incident.number,
            priority=incident.priority,
            status=incident.status,
            declared_at=as_utc(incident.created_at),
            resolved_at=as_utc(incident.resolved_at) if incident.resolved_at else None,
            commander=next(iter(incident.holders(Role.COMMANDER)), None),
            public=publics.get(incident.id),
            postmortem_required=_postmortem_required(levels, incident.priority),
            postmortem_started=incident.id in started,
            open_follow_ups=tuple(follow_ups.get(incident.id, ())),
            checklist=checklists.get(incident.id, {}),
        )
        for incident in incidents
    ]


def _postmortem_required(levels: PriorityPolicy, priority: str) -> bool:
    level = levels.levels.get(priority)
    return level is not None and level.postmortem_required


def evaluate(
    session: Session, facts: IncidentFacts, policy: GuidancePolicy, now: datetime
) -> list[Due]:
    incident_id = _id_of(session, facts.number)
    return due_reminders(
        facts,
        policy,
        now=now,
        snoozed_until=_snoozes(session, incident_id),
        last_due=_last_due(session, incident_id),
    )


def queue(db: Database, facts: IncidentFacts, due: Due, *, now: datetime) -> bool:
    """Records the reminder and its delivery in one transaction; False when another worker
    (or an earlier pass) already did."""
    try:
        with db.write() as session:
            incident = session.scalar(select(Incident).where(Incident.number == facts.number))
            if incident is None:
                return False
            session.add(
                ReminderSent(
                    incident_id=incident.id, reminder=due.reminder, due_at=due.due_at, sent_at=now
                )
            )
            session.flush()
            append_addressed(
                session,
                type=EVENT_TYPE,
                stream=f"incident-{facts.number}",
                data=_payload(incident, facts, due),
                subscription=SUBSCRIPTION,
                now=now,
            )
    except IntegrityError:
        log.debug("reminder %s of incident %s already sent", due.reminder, facts.number)
        return False
    return True


def _payload(incident: Incident, facts: IncidentFacts, due: Due) -> dict[str, Any]:
    return {
        "incident": {
            "number": incident.number,
            "message": incident.message,
            "priority": incident.priority,
            "status": incident.status,
            "private": incident.private,
            "training": incident.training,
        },
        "reminder": due.reminder,
        "text": due.text,
        "due_at": due.due_at.isoformat(),
        "commander": facts.commander,
    }


# -- snoozing and reading -------------------------------------------------------------------


def snooze(
    session: Session,
    number: int,
    reminder: str,
    *,
    actor: str,
    now: datetime,
    minutes: int | None = None,
    until: datetime | None = None,
    sight: Sight = EVERYTHING,
) -> ReminderSnooze:
    """Holds a reminder back until a moment: it fires at `until` if still due then, and
    nothing due before it is sent. Snoozing again replaces the earlier snooze."""
    if reminder not in REMINDERS:
        raise InvalidInput(
            f"unknown reminder '{reminder}'; expected one of {', '.join(REMINDERS)}",
            field="reminder",
        )
    until = _snooze_end(now, minutes=minutes, until=until)
    ensure_visible(session, number, sight)
    incident_id = _id_of(session, number)
    row = session.get(ReminderSnooze, (incident_id, reminder))
    if row is None:
        row = ReminderSnooze(
            incident_id=incident_id, reminder=reminder, until=until, snoozed_by=actor
        )
        session.add(row)
    row.until, row.snoozed_by = until, actor
    record_integration_step(
        session,
        number,
        kind="guidance.reminder_snoozed",
        text=f"Reminder snoozed until {until:%Y-%m-%d %H:%M} UTC: {reminder.replace('_', ' ')}",
        actor=actor,
        now=now,
        data={"reminder": reminder, "until": until.isoformat()},
    )
    session.flush()
    return row


def _snooze_end(now: datetime, *, minutes: int | None, until: datetime | None) -> datetime:
    if (minutes is None) == (until is None):
        raise InvalidInput("give either minutes or until", field="minutes")
    if minutes is not None:
        if not 1 <= minutes <= MAX_SNOOZE_MINUTES:
            raise InvalidInput(
                f"must be between 1 and {MAX_SNOOZE_MINUTES} minutes", field="minutes"
            )
        return now + timedelta(minutes=minutes)
    assert until is not None  # noqa: S101 -- checked above
    if until.tzinfo is None:
        raise InvalidInput("must include a time zone", field="until")
    if not now < until <= now + timedelta(minutes=MAX_SNOOZE_MINUTES):
        raise InvalidInput("must be in the future, within a week", field="until")
    return as_utc(until)


@dataclass(frozen=True)
class ReminderState:
    """One reminder of one incident as a responder sees it."""

    reminder: str
    due_at: datetime | None  # due now (not yet sent), else None
    snoozed_until: datetime | None
    last_sent_at: datetime | None
    last_due_at: datetime | None


def reminders_of(
    session: Session, number: int, *, now: datetime, sight: Sight = EVERYTHING
) -> list[ReminderState]:
    """What is due, snoozed and already sent for one incident."""
    ensure_visible(session, number, sight)
    incident_id = _id_of(session, number)
    facts = gather(session, [incident_id])
    due = {d.reminder: d for d in evaluate(session, facts[0], load_guidance(session), now)}
    snoozes = {k: v for k, v in _snoozes(session, incident_id).items() if v > now}
    sent = {
        row.reminder: row
        for row in session.scalars(
            select(ReminderSent)
            .where(ReminderSent.incident_id == incident_id)
            .order_by(ReminderSent.due_at)
        )
    }
    return [
        ReminderState(
            reminder=name,
            due_at=due[name].due_at if name in due else None,
            snoozed_until=snoozes.get(name),
            last_sent_at=as_utc(sent[name].sent_at) if name in sent else None,
            last_due_at=as_utc(sent[name].due_at) if name in sent else None,
        )
        for name in REMINDERS
    ]


# -- queries --------------------------------------------------------------------------------


def _id_of(session: Session, number: int) -> int:
    incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
    if incident_id is None:
        raise missing(number)
    return incident_id


def _public_facts(session: Session, ids: list[int]) -> dict[int, PublicFacts]:
    latest = (
        select(PublicUpdate.public_incident_id, func.max(PublicUpdate.created_at).label("at"))
        .group_by(PublicUpdate.public_incident_id)
        .subquery()
    )
    rows = session.execute(
        select(PublicIncident, latest.c.at)
        .outerjoin(latest, latest.c.public_incident_id == PublicIncident.id)
        .where(PublicIncident.incident_id.in_(ids))
    ).all()
    return {
        public.incident_id: PublicFacts(
            status=public.status,
            published_at=as_utc(public.published_at) if public.published_at else None,
            last_update_at=as_utc(at) if at else None,
        )
        for public, at in rows
        if public.incident_id is not None
    }


def _postmortems_started(session: Session, ids: list[int]) -> set[int]:
    rows = session.scalars(
        select(Postmortem.incident_id).where(
            Postmortem.incident_id.in_(ids), Postmortem.started_at.is_not(None)
        )
    )
    return set(rows)


def _open_follow_ups(session: Session, ids: list[int]) -> dict[int, list[datetime]]:
    found: dict[int, list[datetime]] = {}
    rows = session.execute(
        select(FollowUp.incident_id, FollowUp.created_at).where(
            FollowUp.incident_id.in_(ids), FollowUp.status == "open"
        )
    )
    for incident_id, created_at in rows:
        found.setdefault(incident_id, []).append(as_utc(created_at))
    return found


def _checklists(session: Session, ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    rows = session.execute(
        select(ChecklistItem.incident_id, ChecklistItem.key, ChecklistItem.state).where(
            ChecklistItem.incident_id.in_(ids)
        )
    )
    for incident_id, key, state in rows:
        found.setdefault(incident_id, {})[key] = state
    return found


def _snoozes(session: Session, incident_id: int) -> dict[str, datetime]:
    rows = session.scalars(select(ReminderSnooze).where(ReminderSnooze.incident_id == incident_id))
    return {row.reminder: as_utc(row.until) for row in rows}


def _last_due(session: Session, incident_id: int) -> dict[str, datetime]:
    rows = session.execute(
        select(ReminderSent.reminder, func.max(ReminderSent.due_at))
        .where(ReminderSent.incident_id == incident_id)
        .group_by(ReminderSent.reminder)
    )
    return {reminder: as_utc(at) for reminder, at in rows}
