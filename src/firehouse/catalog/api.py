"""Read-only catalogue routes: services, people, teams and the priority policy."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from firehouse.catalog.service import list_people, list_services, list_teams, load_policy
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
