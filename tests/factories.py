"""Test data: a small organisation, and incidents declared through the real service layer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from firehouse.catalog.model import Person, Service, Team
from firehouse.db import Database
from firehouse.incidents import service
from firehouse.incidents.model import Incident

PEOPLE = {
    "alice": "Alice Ng",
    "bob": "Bob Ortiz",
    "carol": "Carol Diaz",
    "dan": "Dan Kim",
}


def seed_catalog(session: Session) -> None:
    session.add(
        Team(id="platform", name="Platform", members=["alice", "bob"], default_responders=["bob"])
    )
    session.add(Team(id="partners", name="Partner Experience", members=["carol", "dan"]))
    for person_id, name in PEOPLE.items():
        session.add(
            Person(id=person_id, name=name, email=f"{person_id}@example.com", chat_handle=person_id)
        )
    session.flush()  # services refer to teams, and nothing tells the session to order them
    session.add(
        Service(
            id="website",
            name="Website",
            team_id="platform",
            point_people=["alice"],
            playbook_url="https://wiki.example.com/website",
            components=["website"],
        )
    )
    session.add(Service(id="cms", name="Partner CMS", team_id="partners", point_people=["carol"]))
    session.add(Service(id="legacy", name="Legacy", active=False))


def declare(
    db: Database,
    now: datetime,
    *,
    priority: str = "P2",
    service_id: str = "website",
    message: str = "Checkout fails for some users",
    actor: str = "alice",
    **extra: object,
) -> Incident:
    with db.write() as session:
        return service.declare(
            session,
            service.Declaration(service=service_id, message=message, priority=priority, **extra),  # type: ignore[arg-type]
            actor=actor,
            now=now,
        )
