"""The people who respond to an incident on a service before anyone is paged by name: those
on call in the schedules its escalation policy uses (the runbook's on-call pair, primary and
secondary), else its team's default responders when no schedule covers it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from firehouse.catalog.model import Service, Team
from firehouse.oncall.directory import escalation_policy_for, on_call
from firehouse.oncall.model import Schedule


def responders_for(session: Session, service_id: str, at: datetime) -> list[str]:
    on_duty = on_call_for_service(session, service_id, at)
    if on_duty:
        return on_duty
    service = session.get(Service, service_id)
    team = session.get(Team, service.team_id) if service and service.team_id else None
    return list(team.default_responders) if team is not None and team.active else []


def on_call_for_service(session: Session, service_id: str, at: datetime) -> list[str]:
    """Everyone on call, every layer, in each schedule the service's escalation policy names."""
    policy = escalation_policy_for(session, service_id)
    if policy is None:
        return []
    schedule_ids = [
        str(target["schedule"])
        for step in policy.steps
        for target in step.get("notify", [])
        if target.get("schedule")
    ]
    schedules = [
        schedule
        for schedule_id in dict.fromkeys(schedule_ids)
        if (schedule := session.get(Schedule, schedule_id)) is not None and schedule.active
    ]
    people = [holder.person for holder in on_call(session, schedules, at) if holder.person]
    return list(dict.fromkeys(people))
