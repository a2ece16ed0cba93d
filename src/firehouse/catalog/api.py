"""Read-only catalogue routes: services, people, teams and the priority policy."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from firehouse.catalog.directory import service_card
from firehouse.catalog.service import list_people, list_services, list_teams, load_policy
from firehouse.errors import NotFound
from firehouse.httpapi.deps import RuntimeDep, Viewer
from firehouse.httpapi.errors import documented

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=documented(401, 403, 503))


class ServiceOut(BaseModel):
    id: str
    name: str
    description: str
    team: str | None
    point_people: list[str]
    playbook_url: str | None
    components: list[str]


class PersonOut(BaseModel):
    id: str
    name: str
    email: str | None
    chat_handle: str | None


class TeamOut(BaseModel):
    id: str
    name: str
    members: list[str]
    default_responders: list[str]


class PriorityLevelOut(BaseModel):
    priority: str
    name: str
    guidance: str
    examples: list[str]
    statuspage_impact: str
    statuspage_update_expected: bool
    postmortem_required: bool
    training_only: bool


class PolicyOut(BaseModel):
    priorities: list[PriorityLevelOut]


@router.get("/services")
def services(runtime: RuntimeDep, _caller: Viewer) -> list[ServiceOut]:
    with runtime.db.read() as session:
        return [
            ServiceOut(
                id=s.id,
                name=s.name,
                description=s.description,
                team=s.team_id,
                point_people=list(s.point_people),
                playbook_url=s.playbook_url,
                components=list(s.components),
            )
            for s in list_services(session)
        ]


class PersonRef(BaseModel):
    id: str
    name: str


class EscalationPolicyOut(BaseModel):
    id: str
    name: str
    repeat: int
    steps: list[dict[str, object]]


class ServiceCardOut(ServiceOut):
    """The service directory's card: who knows the system, who is on call for it right now,
    who gets paged and in what order, and its playbook."""

    point_people_named: list[PersonRef]
    on_call: list[PersonRef]
    escalation_policy: EscalationPolicyOut | None


@router.get("/services/{service_id}", responses=documented(404))
def service(service_id: str, runtime: RuntimeDep, _caller: Viewer) -> ServiceCardOut:
    with runtime.db.read() as session:
        card = service_card(session, service_id, runtime.clock.now())
        if card is None:
            raise NotFound(f"no service '{service_id}'", field="service_id")
        s, policy = card.service, card.escalation_policy
        return ServiceCardOut(
            id=s.id,
            name=s.name,
            description=s.description,
            team=s.team_id,
            point_people=list(s.point_people),
            playbook_url=s.playbook_url,
            components=list(s.components),
            point_people_named=[PersonRef(id=i, name=n) for i, n in card.point_people],
            on_call=[PersonRef(id=i, name=n) for i, n in card.on_call],
            escalation_policy=EscalationPolicyOut(
                id=policy.id, name=policy.name, repeat=policy.repeat, steps=list(policy.steps)
            )
            if policy is not None
            else None,
        )


@router.get("/people")
def people(runtime: RuntimeDep, _caller: Viewer) -> list[PersonOut]:
    with runtime.db.read() as session:
        return [
            PersonOut(id=p.id, name=p.name, email=p.email, chat_handle=p.chat_handle)
            for p in list_people(session)
        ]


@router.get("/teams")
def teams(runtime: RuntimeDep, _caller: Viewer) -> list[TeamOut]:
    with runtime.db.read() as session:
        return [
            TeamOut(
                id=t.id,
                name=t.name,
                members=list(t.members),
                default_responders=list(t.default_responders),
            )
            for t in list_teams(session)
        ]


@router.get("/policy")
def policy(runtime: RuntimeDep, _caller: Viewer) -> PolicyOut:
    """The priority levels with their guidance, so whoever picks a priority sees what it means."""
    with runtime.db.read() as session:
        active = load_policy(session)
    return PolicyOut(
        priorities=[
            PriorityLevelOut(
                priority=level.priority,
                name=level.name,
                guidance=level.guidance,
                examples=list(level.examples),
                statuspage_impact=level.statuspage_impact,
                statuspage_update_expected=level.statuspage_update_expected,
                postmortem_required=level.postmortem_required,
                training_only=level.training_only,
            )
            for level in active.ordered()
        ]
    )
