"""The service directory: what a responder needs to know about a service in one read — its
point-people, who is on call for it now, its escalation policy and its playbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person, Service
from firehouse.oncall.directory import escalation_policy_for
from firehouse.oncall.model import EscalationPolicy
from firehouse.oncall.responders import on_call_for_service


@dataclass(frozen=True)
class ServiceCard:
    service: Service
    point_people: list[tuple[str, str]]  # (id, name)
    on_call: list[tuple[str, str]]
    escalation_policy: EscalationPolicy | None


def service_card(session: Session, service_id: str, now: datetime) -> ServiceCard | None:
    service = session.get(Service, service_id)
    if service is None or not service.active:
        return None
    on_call = on_call_for_service(session, service_id, now)
    wanted = {*service.point_people, *on_call}
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted))).all())
    return ServiceCard(
        service=service,
        point_people=[(p, names.get(p, p)) for p in service.point_people],
        on_call=[(p, names.get(p, p)) for p in on_call],
        escalation_policy=escalation_policy_for(session, service_id),
    )
