"""Read use cases over the catalogue: services, people and the active priority policy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person, PriorityLevelRow, Service, Team
from firehouse.errors import InvalidInput
from firehouse.incidents.policy import DEFAULT_POLICY, PriorityLevel, PriorityPolicy


def load_policy(session: Session) -> PriorityPolicy:
    """The policy last applied from firehouse.yaml, or the default when none was applied."""
    rows = session.scalars(select(PriorityLevelRow).order_by(PriorityLevelRow.rank)).all()
    if not rows:
        return DEFAULT_POLICY
    return PriorityPolicy(levels={row.priority: level_from_row(row) for row in rows})


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
