"""What the chat flow reads before it acts, and writes after each step the provider confirmed.

One read gathers everything a delivery needs (`Context`); each confirmed step is then saved
in its own short write (`save`), together with its timeline entry. No transaction is ever open
while the provider is being called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from firehouse.catalog.model import Person, Service
from firehouse.catalog.service import load_policy
from firehouse.chat.messages import IncidentFacts, incident_url
from firehouse.chat.model import ChatPost, IncidentChannel
from firehouse.chat.provider import Channel, Posted
from firehouse.db import Database
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Role
from firehouse.incidents.service import record_integration_step
from firehouse.oncall.responders import on_call_for_service, responders_for
from firehouse.statuspage.linking import linked_to

ACTOR = "chat"  # timeline entries of the chat flow's own steps


@dataclass
class ChannelState:
    channel: Channel
    steps_done: list[str]
    invited: list[str]
    summary_ts: str | None
    archive_due_at: datetime | None = None


@dataclass
class Context:
    """An incident as the chat flow needs it, read in one go and detached from the session."""

    incident_id: int
    number: int
    status: str
    service_id: str
    facts: IncidentFacts
    reporter: str | None
    source_url: str | None
    role_holders: list[str]
    team_responders: list[str]
    playbook_url: str | None
    resolution_note: str | None
    names: dict[str, str]
    channel: ChannelState | None
    posts: dict[str, Posted] = field(default_factory=dict)

    def people_to_invite(self) -> list[str]:
        everyone = [self.reporter or "", *self.role_holders, *self.team_responders]
        return list(dict.fromkeys(key for key in everyone if key))


def load_context(
    db: Database, number: int, base_url: str, *, also_name: tuple[str, ...] = ()
) -> Context | None:
    with db.read() as session:
        incident = session.scalar(
            select(Incident)
            .where(Incident.number == number)
            .options(selectinload(Incident.roles), selectinload(Incident.links))
        )
        if incident is None:
            return None
        return _context(session, incident, base_url, also_name)


def _public_state(session: Session, incident_id: int) -> str:
    """What the status page still needs, in the words the resolution post shows."""
    public = linked_to(session, [incident_id]).get(incident_id)
    if public is None:
        return "no public incident"
    if public.published_at is None:
        return "a draft, never published"
    if public.status in {"resolved", "postmortem"}:
        return f"public incident {public.status}"
    return f"public incident still {public.status}: resolve it with a final update"


def _context(
    session: Session, incident: Incident, base_url: str, also_name: tuple[str, ...]
) -> Context:
    service = session.get_one(Service, incident.service_id)
    holders = [a.person_id for a in incident.roles]
    # Who was on call when it was declared: a later delivery must invite the same people.
    responders = responders_for(session, service.id, incident.created_at)
    on_duty = on_call_for_service(session, service.id, incident.created_at)
    keys = {incident.reporter or "", *holders, *responders, *service.point_people, *also_name}
    keys -= {""}
    names = {p.id: p.name for p in session.scalars(select(Person).where(Person.id.in_(keys)))}
    level = load_policy(session).level(incident.priority)
    commander = next(iter(incident.holders(Role.COMMANDER)), None)
    comms = next(iter(incident.holders(Role.COMMUNICATIONS_LEAD)), None)
    facts = IncidentFacts(
        number=incident.number,
        url=incident_url(base_url, incident.number),
        message=incident.message,
        priority=incident.priority,
        priority_name=level.name,
        service=service.name,
        status=incident.status,
        description=incident.description,
        commander=names.get(commander, commander) if commander else None,
        communications_lead=names.get(comms, comms) if comms else None,
        links=tuple((link.kind, link.url, link.title) for link in incident.links),
        postmortem_required=level.postmortem_required,
        statuspage=_public_state(session, incident.id),
        point_people=tuple(names.get(p, p) for p in service.point_people),
        on_call=tuple(names.get(p, p) for p in on_duty),
        playbook_url=service.playbook_url,
    )
    row = session.get(IncidentChannel, incident.id)
    posts = session.scalars(select(ChatPost).where(ChatPost.incident_id == incident.id))
    return Context(
        incident_id=incident.id,
        number=incident.number,
        status=incident.status,
        service_id=incident.service_id,
        facts=facts,
        reporter=incident.reporter,
        source_url=incident.source_url,
        role_holders=holders,
        team_responders=responders,
        playbook_url=service.playbook_url,
        resolution_note=incident.resolution_note,
        names=names,
        channel=_state(row) if row else None,
        posts={post.key: Posted(post.channel_id, post.ts) for post in posts},
    )


def _state(row: IncidentChannel) -> ChannelState:
    return ChannelState(
        channel=Channel(row.channel_id, row.name, row.url),
        steps_done=list(row.steps_done or []),
        invited=list(row.invited or []),
        summary_ts=row.summary_ts,
        archive_due_at=row.archive_due_at,
    )


def channel_claimed_elsewhere(db: Database, channel_id: str, incident_id: int) -> bool:
    with db.read() as session:
        owner = session.scalar(
            select(IncidentChannel.incident_id).where(IncidentChannel.channel_id == channel_id)
        )
    return owner is not None and owner != incident_id


@dataclass(frozen=True)
class Entry:
    """A timeline entry for a step: `kind` like `chat.channel_created`."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


UNSET: Any = object()  # "leave as it is", where None means "clear"


def save(
    db: Database,
    ctx: Context,
    *,
    now: datetime,
    step: str | None = None,
    post: tuple[str, Posted] | None = None,
    invited: list[str] | None = None,
    entry: Entry | None = None,
    archive_due_at: datetime | None = UNSET,
) -> None:
    """Records a confirmed step, and mirrors it into `ctx` so the rest of the delivery sees it."""
    with db.write() as session:
        row = session.get(IncidentChannel, ctx.incident_id)
        if row is not None:
            if archive_due_at is not UNSET:
                row.archive_due_at = archive_due_at
            _apply(row, ctx, step=step, post=post, invited=invited)
        if post is not None:
            key, posted = post
            session.add(
                ChatPost(
                    incident_id=ctx.incident_id,
                    key=key,
                    channel_id=posted.channel_id,
                    ts=posted.ts,
                    posted_at=now,
                )
            )
            ctx.posts[key] = posted
        if entry is not None:
            record_integration_step(
                session,
                ctx.number,
                kind=entry.kind,
                text=entry.text,
                actor=ACTOR,
                now=now,
                data=entry.data,
            )


def _apply(
    row: IncidentChannel,
    ctx: Context,
    *,
    step: str | None,
    post: tuple[str, Posted] | None,
    invited: list[str] | None,
) -> None:
    if step is not None and step not in (row.steps_done or []):
        row.steps_done = [*(row.steps_done or []), step]
    if invited:
        row.invited = list(dict.fromkeys([*(row.invited or []), *invited]))
    if post is not None and post[0] == "summary":
        row.summary_ts = post[1].ts
    if ctx.channel is not None:
        ctx.channel = _state(row)


def save_channel(
    db: Database,
    ctx: Context,
    channel: Channel,
    *,
    provider: str,
    private: bool,
    now: datetime,
    entry: Entry,
) -> None:
    with db.write() as session:
        row = IncidentChannel(
            incident_id=ctx.incident_id,
            provider=provider,
            channel_id=channel.id,
            name=channel.name,
            url=channel.url,
            private=private,
            steps_done=["channel"],
            invited=[],
            created_at=now,
        )
        session.add(row)
        record_integration_step(
            session,
            ctx.number,
            kind=entry.kind,
            text=entry.text,
            actor=ACTOR,
            now=now,
            data=entry.data,
        )
        session.flush()
        ctx.channel = _state(row)
