"""Running a parsed chat command: one use case per verb, answered with a line for the caller.

The surface (Slack's endpoint) verifies and parses the request; this module finds the incident
(the channel's, or the number given), maps the caller to a person, calls the incident service
in one transaction and says what happened. It never calls the chat provider: the answer goes
back in the HTTP response, and announcing the change in the channel is the outbox chat flow's
job, so a change made here is announced exactly once, like a change made anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.apply import CHAT_SUBSCRIPTION
from firehouse.catalog.config import ChatConfig
from firehouse.catalog.model import Person, Service
from firehouse.catalog.service import load_policy
from firehouse.chat import identity
from firehouse.chat.commands import Command, CommandError, Verb, usage
from firehouse.chat.identity import ChatCaller
from firehouse.chat.inbound_status import summary
from firehouse.chat.model import IncidentChannel
from firehouse.db import Database
from firehouse.errors import DomainError, InvalidInput
from firehouse.incidents import roles, service
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Role
from firehouse.incidents.visibility import Sight, ensure_visible
from firehouse.oncall import paging
from firehouse.oncall.model import PageNotification
from firehouse.outbox.model import Subscription
from firehouse.statuspage import service as statuspage

NOT_CONFIGURED = "chat is not configured: add a `chat:` section to firehouse.yaml and apply it"


@dataclass(frozen=True)
class Invocation:
    """Who ran a command, where, and how this deployment names things."""

    provider: str
    user_id: str
    user_handle: str | None
    channel_id: str
    command: str = "/incident"
    base_url: str = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Reply:
    """The answer only the caller sees, and the chat users worth looking up afterwards."""

    text: str
    learn: tuple[str, ...] = field(default=())


def chat_config(session: Session) -> ChatConfig | None:
    """The applied `chat:` section, or None when chat is not set up (or switched off)."""
    row = session.get(Subscription, CHAT_SUBSCRIPTION)
    if row is None or not row.active or row.kind != "chat":
        return None
    return ChatConfig.model_validate(row.settings)


def incident_in_channel(session: Session, provider: str, channel_id: str) -> int | None:
    """The number of the incident whose channel this is, if it is one."""
    return session.scalar(
        select(Incident.number)
        .join(IncidentChannel, IncidentChannel.incident_id == Incident.id)
        .where(IncidentChannel.provider == provider, IncidentChannel.channel_id == channel_id)
    )


def run(db: Database, command: Command, invocation: Invocation, *, now: datetime) -> Reply:
    """Never raises for a refused command: the reason is the reply."""
    if command.verb is Verb.HELP:
        return Reply(usage(invocation.command))
    try:
        return (
            _status(db, command, invocation)
            if command.verb is Verb.STATUS
            else _write(db, command, invocation, now)
        )
    except CommandError as exc:
        return Reply(exc.problem)
    except _Unmatched as exc:
        return Reply(exc.message, exc.learn)
    except DomainError as exc:
        return Reply(refusal(command.verb, exc))


def refusal(verb: Verb, exc: DomainError) -> str:
    what = f"{exc.field}: {exc.message}" if exc.field else exc.message
    return f"Could not {verb.value}: {what}"


def _status(db: Database, command: Command, invocation: Invocation) -> Reply:
    with db.read() as session:
        who = identity.caller(
            session, invocation.provider, invocation.user_id, invocation.user_handle
        )
        number = _number(session, command, invocation, who)
        return Reply(summary(session, number, invocation.base_url))


def _write(db: Database, command: Command, invocation: Invocation, now: datetime) -> Reply:
    with db.write() as session:
        who = identity.caller(
            session, invocation.provider, invocation.user_id, invocation.user_handle
        )
        if command.verb is Verb.DECLARE:
            reply = _declare(session, command, _Context(0, invocation, who, now))
        else:
            number = _number(session, command, invocation, who)
            context = _Context(number, invocation, who, now)
            reply = _CHANGES[command.verb](session, command, context)
    if who.person_id is None:  # acts as `slack:U123` now; next time, perhaps, as a person
        return Reply(reply.text, (invocation.user_id, *reply.learn))
    return reply


def _number(session: Session, command: Command, invocation: Invocation, who: ChatCaller) -> int:
    """The incident a command acts on: its channel's, or the number given. A private
    incident named by number from elsewhere answers as if it did not exist unless the caller
    takes part in it; inside its own (private) channel, being there is taking part."""
    if command.number is not None:
        ensure_visible(session, command.number, Sight(person_id=who.person_id))
        return command.number
    number = incident_in_channel(session, invocation.provider, invocation.channel_id)
    if number is None:
        raise CommandError(
            "this is not an incident channel: start with the incident number, e.g. "
            f"`{invocation.command} 12 {command.verb.value} ...`"
        )
    return number


@dataclass(frozen=True)
class _Context:
    number: int
    invocation: Invocation
    who: ChatCaller
    now: datetime

    @property
    def actor(self) -> str:
        return self.who.actor


def _declare(session: Session, command: Command, context: _Context) -> Reply:
    declaration = service.Declaration(
        service=command.service or "",
        message=command.text or "",
        priority=command.priority or "",
    )
    incident = service.declare(session, declaration, actor=context.actor, now=context.now)
    label = load_policy(session).level(incident.priority).label
    url = incident_url(context.invocation.base_url, incident.number)
    return Reply(
        f"Declared <{url}|#{incident.number}> {label}: {incident.message}. "
        "Its channel is on its way."
    )


def _priority(session: Session, command: Command, context: _Context) -> Reply:
    priority, number = command.priority or "", context.number
    service.change_priority(session, number, priority, actor=context.actor, now=context.now)
    return Reply(f"#{number} is now {load_policy(session).level(priority).label}.")


def _role(session: Session, command: Command, context: _Context) -> Reply:
    if command.person is None:
        raise CommandError(f"{command.verb.value} needs a person")
    role = Role.COMMANDER if command.verb is Verb.COMMANDER else Role.COMMUNICATIONS_LEAD
    person = identity.person_named(session, context.invocation.provider, command.person)
    if person is None:
        later = (command.person.user_id,) if command.person.user_id else ()
        raise _Unmatched(
            f"{command.person} is not a firehouse person yet. Give them `chat_handle` in "
            "firehouse.yaml, or try again in a minute while I look them up by email.",
            later,
        )
    roles.assign_role(
        session, context.number, role.value, person, actor=context.actor, now=context.now
    )
    return Reply(f"{person} is now {role.label} of #{context.number}.")


def _note(session: Session, command: Command, context: _Context) -> Reply:
    service.add_timeline_entry(
        session, context.number, command.text or "", actor=context.actor, now=context.now
    )
    return Reply(f"Added to the timeline of #{context.number}.")


def _link(session: Session, command: Command, context: _Context) -> Reply:
    kind = command.link_kind or "other"
    service.add_link(
        session, context.number, command.url or "", kind=kind, actor=context.actor, now=context.now
    )
    return Reply(f"Linked {kind.replace('_', '-')} to #{context.number}: {command.url}")


def _resolve(session: Session, command: Command, context: _Context) -> Reply:
    service.resolve(
        session, context.number, command.text or "", actor=context.actor, now=context.now
    )
    return Reply(f"#{context.number} is resolved.")


def _close(session: Session, command: Command, context: _Context) -> Reply:
    service.close(session, context.number, command.text or "", actor=context.actor, now=context.now)
    return Reply(f"#{context.number} is closed.")


def _statuspage(session: Session, command: Command, context: _Context) -> Reply:
    public = statuspage.linked_to_number(session, context.number)
    if public is None:
        raise CommandError(
            f"#{context.number} has no public incident: its priority does not expect a status "
            "page update"
        )
    status, message = command.public_status or "", command.text
    if status == "publish":
        statuspage.publish_incident(
            session, public.id, actor=context.actor, now=context.now, message=message
        )
        return Reply(f"Published the public incident of #{context.number}: {public.name}")
    statuspage.post_update(
        session,
        public.id,
        status=status,
        message=message or "",
        actor=context.actor,
        now=context.now,
    )
    return Reply(f"Posted a public update ({status}) for #{context.number}.")


def _escalate(session: Session, command: Command, context: _Context) -> Reply:
    """Pages point-people into the incident; the chat flow invites them to this channel."""
    person_id = service_id = None
    message = command.text
    if command.person is not None:
        person_id = identity.person_named(session, context.invocation.provider, command.person)
        if person_id is None:
            later = (command.person.user_id,) if command.person.user_id else ()
            raise _Unmatched(f"{command.person} is not a firehouse person yet.", later)
    elif command.service is not None:
        known = session.get(Service, command.service)
        if known is not None and known.active:  # else the words are all the message
            service_id = known.id
            rest = (command.text or "").split(maxsplit=1)
            message = rest[1] if len(rest) > 1 else None
    page = paging.escalate_to_point_people(
        session,
        context.number,
        service_id=service_id,
        person_id=person_id,
        message=message,
        actor=context.actor,
        now=context.now,
    )
    paged = session.scalars(
        select(Person.name)
        .join(PageNotification, PageNotification.person_id == Person.id)
        .where(PageNotification.page_id == page.id)
        .distinct()
    ).all()
    who = ", ".join(sorted(paged)) or "nobody reachable"
    return Reply(f"Paged {who} for #{context.number} (page {page.id}); they are invited here.")


_CHANGES = {
    Verb.PRIORITY: _priority,
    Verb.COMMANDER: _role,
    Verb.COMMS: _role,
    Verb.NOTE: _note,
    Verb.LINK: _link,
    Verb.RESOLVE: _resolve,
    Verb.CLOSE: _close,
    Verb.STATUSPAGE: _statuspage,
    Verb.ESCALATE: _escalate,
}


class _Unmatched(InvalidInput):
    """A named person firehouse does not know; `learn` lists whom to look up afterwards."""

    def __init__(self, message: str, learn: tuple[str, ...]) -> None:
        super().__init__(message, field="person")
        self.learn = learn


def incident_url(base_url: str, number: int) -> str:
    return f"{base_url.rstrip('/')}/incidents/{number}"
