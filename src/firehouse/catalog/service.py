"""Read use cases over the catalogue: services, people and the active priority policy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person, PriorityLevelRow, Service, Team
from firehouse.errors import InvalidInput
from firehouse.incidents.policy import DEFAULT_POLICY, PriorityLevel, PriorityPolicy

POLICY_KEY = "firehouse.priority_policy"


def load_policy(session: Session) -> PriorityPolicy:
    """The policy last applied from firehouse.yaml, or the default when none was applied.

    Read once per unit of work and kept in the session: a declare needs it twice (its own
    rules, then the checklist), and the second read happened while the incident counter was
    locked, which every other declare waits for. `config apply` forgets it after writing."""
    cached = session.info.get(POLICY_KEY)
    if isinstance(cached, PriorityPolicy):
        return cached
    rows = session.scalars(select(PriorityLevelRow).order_by(PriorityLevelRow.rank)).all()
    policy = (
        PriorityPolicy(levels={row.priority: level_from_row(row) for row in rows})
        if rows
        else DEFAULT_POLICY
    )
    session.info[POLICY_KEY] = policy
    return policy


def forget_policy(session: Session) -> None:
    session.info.pop(POLICY_KEY, None)


def level_from_row(row: PriorityLevelRow) -> PriorityLevel:
    return PriorityLevel(
        priority=row.priority,
        name=row.name,
        guidance=row.guidance,
        examples=tuple(row.examples),
        statuspage_impact=row.statuspage_impact,
        statuspage_update_expected=row.statuspage_update_expected,
        postmortem_required=row.postmortem_required,
        training_only=row.training_only,
        statuspage_component_status=row.statuspage_component_status,
        statuspage_publish=row.statuspage_publish,
        page=row.page,
    )


def list_services(session: Session, *, include_inactive: bool = False) -> list[Service]:
    query = select(Service).order_by(Service.id)
    if not include_inactive:
        query = query.where(Service.active.is_(True))
    return list(session.scalars(query))


def list_people(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.active.is_(True)).order_by(Person.id)))


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.id)))


def active_service(session: Session, service_id: str, *, field: str = "service") -> Service:
    service = session.get(Service, service_id)
    if service is None or not service.active:
        raise InvalidInput(f"unknown service '{service_id}'", field=field)
    return service


def active_person(session: Session, person_id: str, *, field: str = "person") -> Person:
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise InvalidInput(f"unknown person '{person_id}'", field=field)
    return person
