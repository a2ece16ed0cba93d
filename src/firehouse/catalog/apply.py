"""`config apply`: make the catalogue rows say what firehouse.yaml says, and report the difference.

Idempotent by construction: each row is compared field by field with the file and written only
where it differs, so a second apply of the same file changes nothing and reports nothing.
Whatever the file no longer declares is deactivated, never deleted, because incidents, roles
and outbox deliveries keep pointing at it; declaring it again brings it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.applied import redacted
from firehouse.catalog.apply_settings import Change, apply_guidance, apply_web_oidc
from firehouse.catalog.config import FirehouseConfig
from firehouse.catalog.config_references import reference_problems
from firehouse.catalog.model import OrganisationSetting, Person, PriorityLevelRow, Service, Team
from firehouse.catalog.service import forget_policy
from firehouse.errors import InvalidInput
from firehouse.oncall.model import EscalationPolicy, Schedule
from firehouse.outbox.model import Subscription
from firehouse.statuspage.model import Component

WEBHOOK_PREFIX = "webhook:"
CHAT_SUBSCRIPTION = "chat"
STATUSPAGE_SUBSCRIPTION = "statuspage"
SUBSCRIBERS_SUBSCRIPTION = "statuspage-subscribers"
ATLASSIAN_SUBSCRIPTION = "atlassian-statuspage"
PAGING_SUBSCRIPTION = "paging"
PAGE_NOTIFICATIONS_SUBSCRIPTION = "page-notifications"

Fields = dict[str, Any]
_FILE_KEYS = {
    "team_id": "team",
    "event_types": "events",
    "group_name": "group",
    "position": "order",
    "escalation_policy_id": "escalation_policy",
}


def apply_config(
    session: Session, config: FirehouseConfig, *, source: str, now: datetime
) -> list[Change]:
    """Write the config inside the caller's transaction; refuse before writing if it is unsound.

    A config built without `parse_config` may still refer to people or teams it does not
    declare; that is checked here too, so the database never holds a dangling reference.
    """
    problems = reference_problems(config.model_dump())
    if problems:
        raise InvalidInput(str(problems[0]), field=problems[0].path)
    changes = _apply_organisation(session, config, source=source, now=now)
    changes += _sync(session, Person, "person", _people(config))
    changes += _sync(session, Team, "team", _teams(config))
    session.flush()  # services refer to teams by foreign key; no relationship orders the inserts
    changes += _sync(session, Service, "service", _services(config))
    changes += _sync(session, PriorityLevelRow, "priority", _priorities(config), deactivate=False)
    forget_policy(session)
    changes += _sync(session, Subscription, "webhook", _webhooks(config))
    changes += _apply_chat(session, config)
    changes += _apply_components(session, config, now=now)
    changes += _apply_statuspage_flow(session, config)
    changes += _apply_subscriber_notifications(session, config)
    changes += _apply_atlassian_mirror(session, config)
    changes += _apply_alerts(session, config)
    changes += _sync(session, Schedule, "schedule", _schedules(config))
    changes += _sync(session, EscalationPolicy, "escalation policy", _escalation_policies(config))
    changes += _apply_paging(session, config)
    changes += apply_web_oidc(session, config)
    changes += apply_guidance(session, config)
    changes += _apply_guidance_deliveries(session, config)
    session.flush()
    return changes


INTAKE_KEYS = "intake.keys"
ALERT_ROUTING = "alerts.routing"


def _apply_alerts(session: Session, config: FirehouseConfig) -> list[Change]:
    """Intake keys (names and the variables holding them, never a key) and the routing rules
    with each team's business hours, as the alert service reads them (alerts.routing).
    Nothing is written for a file that declares none of them and never did."""
    keys = [key.model_dump() for key in config.intake.keys] if config.intake else []
    routing: Fields = (
        config.routing.model_dump() if config.routing else {"rules": [], "default": "record"}
    )
    routing["business_hours"] = {
        team.id: team.business_hours.model_dump() for team in config.teams if team.business_hours
    }
    changes = _intake_key_changes(session.get(OrganisationSetting, INTAKE_KEYS), keys)
    if changes:
        _put_setting(session, INTAKE_KEYS, keys)
    row = session.get(OrganisationSetting, ALERT_ROUTING)
    declared = config.routing is not None or bool(routing["business_hours"])
    if row is None:
        if declared:
            session.add(OrganisationSetting(key=ALERT_ROUTING, value=routing))
            changes.append(Change("created", "routing", "alerts"))
    elif row.value != routing:
        fields = _file_keys("settings", row.value, routing)
        row.value = routing
        changes.append(Change("updated", "routing", "alerts", tuple(fields)))
    return changes


def _intake_key_changes(row: OrganisationSetting | None, keys: list[Fields]) -> list[Change]:
    old = {key["name"]: key for key in (row.value if row is not None else [])}
    new = {key["name"]: key for key in keys}
    changes = [Change("created", "intake key", name) for name in new if name not in old]
    changes += [
        Change("updated", "intake key", name, ("key_env",))
        for name in new
        if name in old and old[name] != new[name]
    ]
    changes += [Change("removed", "intake key", name) for name in old if name not in new]
    return changes


def _apply_components(session: Session, config: FirehouseConfig, *, now: datetime) -> list[Change]:
    """Status page components: name, description, group and order come from the file; the
    status is live state and is never touched by an apply. Without a `statuspage:` section
    the existing components are left alone."""
    if config.statuspage is None:
        return []
    wanted = {
        component.id: {
            "name": component.name,
            "description": component.description,
            "group_name": component.group,
            "position": position,
        }
        for position, component in enumerate(config.statuspage.components)
    }
    existing = {row.id: row for row in session.scalars(select(Component))}
    changes: list[Change] = []
    for component_id, fields in wanted.items():
        row = existing.get(component_id)
        if row is None:
            session.add(
                Component(
                    id=component_id, **fields, status="operational", created_at=now, updated_at=now
                )
            )
            changes.append(Change("created", "component", component_id))
            continue
        changed = _update(row, {**fields, "active": True})
        if changed:
            row.updated_at = now
            changes.append(Change("updated", "component", component_id, changed))
    for component_id, row in existing.items():
        if component_id not in wanted and row.active:
            row.active = False
            changes.append(Change("deactivated", "component", component_id))
    _put_setting(session, "statuspage.name", config.statuspage.name)
    _put_setting(session, "statuspage.url", config.statuspage.url)
    return changes


def _apply_subscriber_notifications(session: Session, config: FirehouseConfig) -> list[Change]:
    """A `statuspage:` section turns on telling its subscribers: one subscription takes every
    status page event and fans it out to them (see firehouse.statuspage.notify), carrying the
    page's name and address and the SMTP server (without its password) in its settings."""
    page = config.statuspage
    wanted: Fields | None = None
    if page is not None:
        wanted = {
            "kind": "statuspage_subscribers",
            "event_types": ["statuspage.*"],
            "settings": {
                "name": page.name,
                "url": page.url,
                "smtp": page.smtp.model_dump(by_alias=True) if page.smtp else None,
            },
        }
    name = SUBSCRIBERS_SUBSCRIPTION
    return _sync_subscription(session, name, wanted, entity="subscription", shown=name)


def _apply_atlassian_mirror(session: Session, config: FirehouseConfig) -> list[Change]:
    """`statuspage.atlassian` mirrors every status page event to Atlassian Statuspage (see
    firehouse.integrations.atlassian_statuspage). The settings name the variable holding the
    API key, never the key; without the section nothing is queued for it."""
    section = config.statuspage.atlassian if config.statuspage else None
    wanted: Fields | None = None
    if section is not None:
        wanted = {
            "kind": "atlassian_statuspage",
            "event_types": ["statuspage.*"],
            "settings": section.model_dump(),
        }
    name = ATLASSIAN_SUBSCRIPTION
    return _sync_subscription(session, name, wanted, entity="subscription", shown=name)


def _apply_statuspage_flow(session: Session, config: FirehouseConfig) -> list[Change]:
    """With a `statuspage:` section, internal incidents reach the status page's flow (drafts
    of public incidents, proposed resolutions); without one, nothing is queued for it."""
    wanted: Fields | None = None
    if config.statuspage is not None:
        wanted = {"kind": "statuspage", "event_types": ["incident.*"]}
    return _sync_subscription(
        session, STATUSPAGE_SUBSCRIPTION, wanted, entity="statuspage", shown="flow"
    )


def _apply_chat(session: Session, config: FirehouseConfig) -> list[Change]:
    """The chat section becomes the `chat` subscription: its settings travel with every event
    to the chat flow, and without the section nothing is queued for chat at all."""
    if config.chat is None:
        row = session.get(Subscription, CHAT_SUBSCRIPTION)
        shown = config_provider(row) if row is not None else "chat"
        return _sync_subscription(session, CHAT_SUBSCRIPTION, None, entity="chat", shown=shown)
    wanted: Fields = {
        "kind": "chat",
        "event_types": ["incident.*", "alert.*", "page.*"],
        "settings": config.chat.model_dump(),
    }
    return _sync_subscription(
        session, CHAT_SUBSCRIPTION, wanted, entity="chat", shown=config.chat.provider
    )


def _sync_subscription(
    session: Session, name: str, wanted: Fields | None, *, entity: str, shown: str
) -> list[Change]:
    """One integration's subscription, made to match its section of the file: created or
    updated (and reactivated) when the section is there, deactivated when it is gone."""
    row = session.get(Subscription, name)
    if wanted is None:
        if row is not None and row.active:
            row.active = False
            return [Change("deactivated", entity, shown)]
        return []
    fields = {**wanted, "active": True}
    if row is None:
        session.add(Subscription(name=name, **{"settings": {}, **fields}))
        return [Change("created", entity, shown)]
    changed = _update(row, fields)
    return [Change("updated", entity, shown, changed)] if changed else []


def config_provider(row: Subscription) -> str:
    return str(row.settings.get("provider", "chat"))


def _apply_paging(session: Session, config: FirehouseConfig) -> list[Change]:
    """Two subscriptions carry paging. `paging` reacts to incidents (a P1 pages everyone on
    call) and exists only while the file declares schedules or escalation policies, so a team
    without on-call pays nothing per incident. `page-notifications` sends each notification
    (addressed to it alone, see firehouse.oncall) with the `paging` section's settings."""
    on_call = bool(config.schedules or config.escalation_policies)
    wanted: Fields | None = None
    if on_call:
        wanted = {
            "kind": "paging",
            "event_types": ["incident.declared", "incident.priority_changed"],
        }
    name = PAGING_SUBSCRIPTION
    changes = _sync_subscription(session, name, wanted, entity="paging", shown="flow")
    paging = config.paging.model_dump(by_alias=True) if config.paging else {}
    smtp = config.paging.smtp if config.paging else None
    if smtp is None and config.statuspage is not None:
        smtp = config.statuspage.smtp
    notifications: Fields = {
        "kind": "page_notifications",
        "event_types": ["page.notify"],
        "settings": {**paging, "smtp": smtp.model_dump(by_alias=True) if smtp else None},
    }
    name = PAGE_NOTIFICATIONS_SUBSCRIPTION
    changes += _sync_subscription(session, name, notifications, entity="paging", shown=name)
    return changes


REMINDERS_SUBSCRIPTION = "reminders"
TRACKERS_SUBSCRIPTION = "trackers"


def _apply_guidance_deliveries(session: Session, config: FirehouseConfig) -> list[Change]:
    """Reminders are always on (they reach the channel, or the log without chat), so their
    subscription is bookkeeping and not reported; tickets go to a tracker only while one is
    configured. Both receive events addressed to them alone."""
    reminders: Fields = {"kind": "reminders", "event_types": ["guidance.reminder"]}
    _sync_subscription(
        session, REMINDERS_SUBSCRIPTION, reminders, entity="guidance", shown="reminders"
    )
    changes: list[Change] = []
    trackers = config.guidance.trackers if config.guidance else None
    wanted: Fields | None = None
    if trackers is not None and (trackers.jira or trackers.github):
        wanted = {
            "kind": "trackers",
            "event_types": ["follow_up.sync"],
            "settings": trackers.model_dump(mode="json", exclude_none=True),
        }
    changes += _sync_subscription(
        session, TRACKERS_SUBSCRIPTION, wanted, entity="guidance", shown="trackers"
    )
    return changes


def _people(config: FirehouseConfig) -> dict[str, Fields]:
    return {
        person.id: {
            "name": person.name,
            "email": person.email,
            "chat_handle": person.chat_handle,
            "phone": person.phone,
            "notify": [rule.model_dump() for rule in person.notify] if person.notify else None,
        }
        for person in config.people
    }


def _teams(config: FirehouseConfig) -> dict[str, Fields]:
    return {
        team.id: {
            "name": team.name,
            "members": list(team.members),
            "default_responders": list(team.default_responders),
            "escalation_policy_id": team.escalation_policy,
        }
        for team in config.teams
    }


def _services(config: FirehouseConfig) -> dict[str, Fields]:
    return {
        service.id: {
            "name": service.name,
            "description": service.description,
            "team_id": service.team,
            "point_people": list(service.point_people),
            "playbook_url": service.playbook_url,
            "components": list(service.components),
            "escalation_policy_id": service.escalation_policy,
        }
        for service in config.services
    }


def _priorities(config: FirehouseConfig) -> dict[str, Fields]:
    return {
        level.priority: {
            "rank": level.rank,
            "name": level.name,
            "guidance": level.guidance,
            "examples": list(level.examples),
            "statuspage_impact": level.statuspage_impact,
            "statuspage_update_expected": level.statuspage_update_expected,
            "postmortem_required": level.postmortem_required,
            "training_only": level.training_only,
            "statuspage_component_status": level.statuspage_component_status,
            "statuspage_publish": level.statuspage_publish,
            "page": level.page,
        }
        for level in config.priority_policy().ordered()
    }


def _schedules(config: FirehouseConfig) -> dict[str, Fields]:
    return {
        schedule.id: {
            "name": schedule.name,
            "team_id": schedule.team,
            "timezone": schedule.timezone,
            "layers": [layer.model_dump(mode="json") for layer in schedule.layers],
        }
        for schedule in config.schedules
    }


def _escalation_policies(config: FirehouseConfig) -> dict[str, Fields]:
    return {
        policy.id: {
            "name": policy.name,
            "repeat": policy.repeat,
            "steps": [step.model_dump(exclude_none=True) for step in policy.steps],
        }
        for policy in config.escalation_policies
    }


def _webhooks(config: FirehouseConfig) -> dict[str, Fields]:
    return {
        WEBHOOK_PREFIX + webhook.name: {
            "kind": "webhook",
            "event_types": list(webhook.events),
            "settings": {"url": webhook.url, "secret_env": webhook.secret_env},
        }
        for webhook in config.webhooks
    }


def _sync(
    session: Session,
    table: Any,
    entity: str,
    wanted: Mapping[str, Fields],
    *,
    deactivate: bool = True,
) -> list[Change]:
    """Create, update and (optionally) deactivate the rows of one table to match `wanted`.

    `table` is keyed by its single primary-key column. Webhook subscriptions share their table
    with other integrations, so only rows named `webhook:...` are this file's to deactivate.
    """
    key = table.__mapper__.primary_key[0].key
    existing = {getattr(row, key): row for row in session.scalars(select(table))}
    if table is Subscription:
        existing = {name: row for name, row in existing.items() if name.startswith(WEBHOOK_PREFIX)}
    changes: list[Change] = []
    for row_id, fields in wanted.items():
        row = existing.get(row_id)
        shown = row_id.removeprefix(WEBHOOK_PREFIX)
        if row is None:
            session.add(table(**{key: row_id}, **fields))
            changes.append(Change("created", entity, shown))
            continue
        reactivated = {"active": True} if deactivate else {}
        changed = _update(row, {**fields, **reactivated})
        if changed:
            changes.append(Change("updated", entity, shown, changed))
    if deactivate:
        for row_id, row in existing.items():
            if row_id not in wanted and row.active:
                row.active = False
                changes.append(Change("deactivated", entity, row_id.removeprefix(WEBHOOK_PREFIX)))
    return changes


def _update(row: Any, fields: Fields) -> tuple[str, ...]:
    """Set the fields that differ and name them as the file does; equal fields are not written."""
    named: list[str] = []
    for name, value in fields.items():
        current = getattr(row, name)
        if current != value:
            named += _file_keys(name, current, value)
            setattr(row, name, value)
    return tuple(named)


def _file_keys(column: str, old: Any, new: Any) -> list[str]:
    """A column's name in firehouse.yaml; a settings mapping names the keys that changed."""
    if isinstance(old, dict) and isinstance(new, dict):
        return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    return [_FILE_KEYS.get(column, column)]


def _apply_organisation(
    session: Session, config: FirehouseConfig, *, source: str, now: datetime
) -> list[Change]:
    """The organisation's name is reported when it changes; where the config came from and when
    it was applied are bookkeeping, rewritten on every apply and never reported."""
    name = config.organisation.name
    current = session.get(OrganisationSetting, "organisation.name")
    changes: list[Change] = []
    if current is None:
        session.add(OrganisationSetting(key="organisation.name", value=name))
        changes.append(Change("created", "organisation", name))
    elif current.value != name:
        current.value = name
        changes.append(Change("updated", "organisation", name, ("name",)))
    _put_setting(session, "config.source", source)
    _put_setting(session, "config.applied_at", now.isoformat())
    document = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    _put_setting(session, "config.document", redacted(document))
    return changes


def _put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(OrganisationSetting, key)
    if row is None:
        session.add(OrganisationSetting(key=key, value=value))
    else:
        row.value = value
