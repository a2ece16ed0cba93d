"""Training drills: a P5 incident marked as training, and a scenario's scripted steps played
onto it as their time comes.

A drill runs the real flow (channel, checklist, timeline, roles) so a team practises what it
will really do; what makes it safe is the incident's `training` flag, which the flows already
honour: no paging, no public status page, left out of reports. Scripted alerts never go through
alert routing (a rule could raise a real incident or page someone): they are stored attached to
the drill incident directly, labelled as drill alerts.

Each step runs exactly once however many schedulers look at it: it is claimed with
`UPDATE … WHERE done_at IS NULL` in the same transaction that plays it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firehouse.alerts.events import Action, AlertEvent, Source
from firehouse.alerts.service_ingest import new_alert
from firehouse.db import Database
from firehouse.errors import DomainError, InvalidInput
from firehouse.guidance.model import DrillStep
from firehouse.guidance.scenario import Scenario
from firehouse.incidents import service as incidents
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Status

DRILL_PRIORITY = "P5"
DEFAULT_MESSAGE = "Training drill"
ACTOR = "drill"
BATCH = 100

log = logging.getLogger(__name__)


def start_drill(
    session: Session,
    *,
    service: str | None,
    message: str | None,
    scenario: Scenario | None,
    actor: str,
    now: datetime,
) -> Incident:
    """Declares the drill incident and schedules the scenario's steps from `now`."""
    chosen = service or (scenario.service if scenario else None)
    if not chosen:
        raise InvalidInput("name the service the drill practises on", field="service")
    said = message or (scenario.message if scenario else None) or DEFAULT_MESSAGE
    incident = incidents.declare(
        session,
        incidents.Declaration(service=chosen, message=said, priority=DRILL_PRIORITY, training=True),
        actor=actor,
        now=now,
    )
    if scenario is not None:
        for step in scenario.steps:
            payload: dict[str, object] = {"text": step.text, "scenario": scenario.name}
            if step.kind == "alert":
                payload |= {"severity": step.severity, "labels": step.labels}
            session.add(
                DrillStep(
                    incident_id=incident.id,
                    due_at=now + step.after,
                    kind=step.kind,
                    payload=payload,
                )
            )
        session.flush()
        incidents.record_integration_step(
            session,
            incident.number,
            kind="drill.started",
            text=f"Drill scenario '{scenario.name}': {len(scenario.steps)} scripted steps",
            actor=actor,
            now=now,
            data={"scenario": scenario.name, "steps": len(scenario.steps)},
        )
    return incident


def run_due_steps(db: Database, now: datetime) -> int:
    """Plays every step due by `now`, each in its own transaction; returns how many ran."""
    with db.read() as session:
        due = list(
            session.scalars(
                select(DrillStep.id)
                .where(DrillStep.done_at.is_(None), DrillStep.due_at <= now)
                .order_by(DrillStep.due_at, DrillStep.id)
                .limit(BATCH)
            )
        )
    ran = 0
    for step_id in due:
        with db.write() as session:
            if _claim(session, step_id, now):
                _play(session, step_id, now)
                ran += 1
    return ran


def _claim(session: Session, step_id: int, now: datetime) -> bool:
    claimed = session.execute(
        update(DrillStep)
        .where(DrillStep.id == step_id, DrillStep.done_at.is_(None))
        .values(done_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(claimed, "rowcount", 0) == 1)


def _play(session: Session, step_id: int, now: datetime) -> None:
    """A step the drill has outgrown (its incident resolved or closed) is skipped, and a step
    the rules refuse is recorded as failed: neither is retried, so neither blocks the drill."""
    step = session.get(DrillStep, step_id)
    incident = session.get(Incident, step.incident_id) if step is not None else None
    if step is None or incident is None:
        return
    if incident.status != Status.OPEN.value:
        step.payload = {**step.payload, "outcome": "skipped: the drill incident is not open"}
        return
    try:
        with session.begin_nested():
            _perform(session, step, incident, now)
    except DomainError as error:
        log.warning("drill step %s of incident %s failed: %s", step.id, incident.number, error)
        step.payload = {**step.payload, "outcome": f"failed: {error.message}"}


def _perform(session: Session, step: DrillStep, incident: Incident, now: datetime) -> None:
    text = str(step.payload.get("text") or "")
    if step.kind == "alert":
        _attach_alert(session, step, incident, text, now)
        incidents.add_timeline_entry(
            session, incident.number, f"Drill alert: {text}", actor=ACTOR, now=now
        )
    elif step.kind == "message":
        incidents.add_timeline_entry(session, incident.number, text, actor=ACTOR, now=now)
    else:
        incidents.record_integration_step(
            session, incident.number, kind="drill.note", text=text, actor=ACTOR, now=now
        )


def _attach_alert(
    session: Session, step: DrillStep, incident: Incident, text: str, now: datetime
) -> None:
    labels = {str(k): str(v) for k, v in dict(step.payload.get("labels") or {}).items()}
    event = AlertEvent(
        source=Source.GENERIC,
        action=Action.TRIGGER,
        fingerprint=f"drill:{incident.number}:{step.id}",
        summary=f"[drill] {text}",
        severity=str(step.payload.get("severity") or "") or None,
        labels={**labels, "drill": "true"},
        service=incident.service_id,
        raw={"drill_step": step.id, "scenario": step.payload.get("scenario")},
    )
    alert = new_alert(event, integration=ACTOR, now=now)
    alert.action = "incident"
    alert.route_note = (
        f"training drill: attached to drill incident {incident.number}; never routed or paged"
    )
    alert.incident_id = incident.id
    session.add(alert)
    session.flush()
