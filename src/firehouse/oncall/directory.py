"""Answers "who": who is on call in a schedule, who a page target means at an instant, which
escalation policy covers a service. Read-only; every surface and the paging engine ask here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person, Service, Team
from firehouse.oncall.model import EscalationPolicy, Schedule, ScheduleOverride
from firehouse.oncall.rotation import Override, Rotation, on_call_at, rotation_from


@dataclass(frozen=True, slots=True)
class OnCall:
    schedule: str
    layer: str
    person: str | None


@dataclass(frozen=True)
class Recipient:
    """A person to notify and why them ("on call: engineering/primary")."""

    person: str
    why: str


def rotations(schedule: Schedule) -> tuple[Rotation, ...]:
    """The schedule's layers, compiled once per distinct definition: parsing them costs more
    than computing a shift. The cache is checked by comparing the stored layers with the
    ones compiled (cheap next to serialising them for a key) and is bounded by the number
    of schedules, so a schedule changed by `config apply` is recompiled on its next use."""
    layers, timezone = schedule.layers, schedule.timezone
    cached = _COMPILED.get(schedule.id)
    if cached is not None and cached[0] == timezone and cached[1] == layers:
        return cached[2]
    compiled = tuple(rotation_from(layer, timezone) for layer in layers)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[schedule.id] = (timezone, copy.deepcopy(layers), compiled)
    return compiled


_COMPILED_MAX = 4096
# schedule id -> (time zone, layers as compiled, rotations); entries are replaced whole, never
# changed, so concurrent readers at worst compile a schedule twice.
_COMPILED: dict[str, tuple[str, list[dict[str, Any]], tuple[Rotation, ...]]] = {}


def overrides_between(
    session: Session, schedule_ids: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[Override]]:
    """Live overrides touching [start, end), by schedule, oldest first (later ones win)."""
    rows = session.scalars(
        select(ScheduleOverride)
        .where(
            ScheduleOverride.schedule_id.in_(schedule_ids),
            ScheduleOverride.cancelled_at.is_(None),
            ScheduleOverride.starts_at < end,
            ScheduleOverride.ends_at > start,
        )
        .order_by(ScheduleOverride.id)
    )
    found: dict[str, list[Override]] = {}
    for row in rows:
        found.setdefault(row.schedule_id, []).append(
            Override(row.id, row.layer, row.person_id, row.starts_at, row.ends_at, row.covers_for)
        )
    return found


def on_call(
    session: Session, schedules: Sequence[Schedule], at: datetime, *, layer: str | None = None
) -> list[OnCall]:
    """Who holds each layer (or just `layer`) of each schedule at `at`, overrides applied."""
    ids = [s.id for s in schedules]
    instant = (at, at + timedelta(microseconds=1))
    overrides = overrides_between(session, ids, *instant) if ids else {}
    found: list[OnCall] = []
    for schedule, schedule_id in zip(schedules, ids, strict=True):
        laid_over = overrides.get(schedule_id)
        for rotation in rotations(schedule):
            if layer is None or rotation.name == layer:
                person = (
                    on_call_at(rotation, at, laid_over) if laid_over else rotation.on_call_at(at)
                )
                found.append(OnCall(schedule_id, rotation.name, person))
    return found


def active_schedules(session: Session) -> list[Schedule]:
    return list(session.scalars(select(Schedule).where(Schedule.active).order_by(Schedule.id)))


def everyone_on_call(session: Session, at: datetime) -> list[Recipient]:
    holders = on_call(session, active_schedules(session), at)
    return _unique(
        Recipient(h.person, f"on call: {h.schedule}/{h.layer}") for h in holders if h.person
    )


def resolve_targets(
    session: Session, targets: Sequence[Mapping[str, Any]], at: datetime
) -> list[Recipient]:
    """The people a step's targets mean at `at`, each once, active people only, in order."""
    found: list[Recipient] = []
    for target in targets:
        found += _resolve(session, target, at)
    active = set(
        session.scalars(
            select(Person.id).where(Person.id.in_({r.person for r in found}), Person.active)
        )
    )
    return _unique(r for r in found if r.person in active)


def _resolve(session: Session, target: Mapping[str, Any], at: datetime) -> list[Recipient]:
    if target.get("person"):
        return [Recipient(str(target["person"]), "named")]
    if target.get("schedule"):
        schedule = session.get(Schedule, str(target["schedule"]))
        if schedule is None or not schedule.active:
            return []
        holders = on_call(session, [schedule], at, layer=target.get("layer"))
        return [
            Recipient(h.person, f"on call: {h.schedule}/{h.layer}") for h in holders if h.person
        ]
    if target.get("service"):
        service = session.get(Service, str(target["service"]))
        people = service.point_people if service is not None and service.active else []
        return [Recipient(p, f"point-person of {target['service']}") for p in people]
    if target.get("team"):
        services = session.scalars(
            select(Service).where(Service.team_id == str(target["team"]), Service.active)
        )
        return [Recipient(p, f"point-person of {s.id}") for s in services for p in s.point_people]
    return []


def escalation_policy_for(session: Session, service_id: str) -> EscalationPolicy | None:
    """The service's own escalation policy, else its team's; None when neither names one."""
    service = session.get(Service, service_id)
    if service is None:
        return None
    policy_id = service.escalation_policy_id
    if policy_id is None and service.team_id is not None:
        team = session.get(Team, service.team_id)
        policy_id = team.escalation_policy_id if team is not None else None
    policy = session.get(EscalationPolicy, policy_id) if policy_id else None
    return policy if policy is not None and policy.active else None


def _unique(recipients: Any) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.person, recipient)
    return list(seen.values())
