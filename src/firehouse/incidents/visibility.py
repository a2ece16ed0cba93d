"""Who may see an incident: everyone for an ordinary one; for a private one, its participants
(the reporter and anyone holding a role on it) and admins.

Anyone else is told the incident does not exist: the same NotFound, with the same words, as
for a number never used, so a 404 does not confirm that a confidential incident is there.
Participants are matched by person id, so a token that acts for no person sees no private
incident unless it is an admin's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import exists, or_, select, true
from sqlalchemy.orm import Session

from firehouse.auth.roles import AccessRole
from firehouse.errors import NotFound
from firehouse.incidents.model import Incident, RoleAssignment


@dataclass(frozen=True)
class Sight:
    """What one caller may see. `everything` is for admins and for firehouse's own flows."""

    person_id: str | None = None
    everything: bool = False


EVERYTHING = Sight(everything=True)
# What a caller who names nobody sees; the default, so a forgotten argument hides, never leaks.
ORDINARY_ONLY = Sight()


class Caller(Protocol):
    """An API token's principal or a signed-in web user: a role, and maybe a person."""

    @property
    def role(self) -> AccessRole: ...

    @property
    def person_id(self) -> str | None: ...


def sight_of(caller: Caller) -> Sight:
    """A caller's sight: admins see every incident, anyone else private ones only where the
    person their token or account acts for takes part."""
    return Sight(person_id=caller.person_id, everything=caller.role.allows(AccessRole.ADMIN))


def missing(number: int) -> NotFound:
    """The one answer for an incident that is not there, or not there for this caller."""
    return NotFound(f"no incident {number}", field="number")


def is_participant(incident: Incident, person_id: str | None) -> bool:
    if person_id is None:
        return False
    return incident.reporter == person_id or any(
        assignment.person_id == person_id for assignment in incident.roles
    )


def can_see(incident: Incident, sight: Sight) -> bool:
    """For a loaded incident (its roles loaded too): no query."""
    return not incident.private or sight.everything or is_participant(incident, sight.person_id)


def check(incident: Incident, sight: Sight) -> Incident:
    if not can_see(incident, sight):
        raise missing(incident.number)
    return incident


def visible(sight: Sight) -> Any:
    """A WHERE condition on `Incident` keeping what this caller may see.

    Ordinary incidents pass on the first term, so the role lookup runs only for private rows.
    """
    if sight.everything:
        return true()
    if sight.person_id is None:
        return Incident.private.is_(False)
    holds_role = exists().where(
        RoleAssignment.incident_id == Incident.id, RoleAssignment.person_id == sight.person_id
    )
    return or_(Incident.private.is_(False), Incident.reporter == sight.person_id, holds_role)


def ensure_visible(session: Session, number: int, sight: Sight) -> None:
    """Before a change by number: refuses, as missing, what the caller may not see."""
    if sight.everything:
        return
    found = session.scalar(
        select(Incident.id).where(Incident.number == number, visible(sight)).limit(1)
    )
    if found is None:
        raise missing(number)


def visible_ids(session: Session, ids: Iterable[int], sight: Sight) -> set[int]:
    """Of these incident ids, those the caller may see (one query; none for admins)."""
    wanted = set(ids)
    if not wanted or sight.everything:
        return wanted
    rows = session.scalars(select(Incident.id).where(Incident.id.in_(wanted), visible(sight)))
    return set(rows)
