"""A PagerDuty account as a firehouse.yaml fragment, and what could not be carried over.

The biggest difference is layers: PagerDuty renders a schedule's layers into one final person
(a higher layer wins where it has someone), while firehouse layers are all on call together,
like a primary and a secondary. A one-layer schedule maps exactly; the report flags the others.
A layer's `rotation_virtual_start` is when its first user's turn began; firehouse counts from
the first handoff on or after `start`, so the turns are counted forward to the layer's start.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from firehouse.importers.fragment import Ids, ImportResult, OverrideCommand, override_command
from firehouse.importers.mapping_common import (
    add_person,
    layer,
    length_from_hours,
    name_of,
    parse_time,
    repeat_count,
    time_zone,
    utc,
    wait_minutes,
)
from firehouse.importers.pagerduty import OVERRIDE_DAYS, PagerdutyAccount

Json = dict[str, Any]


def map_account(account: PagerdutyAccount, now: datetime) -> ImportResult:
    mapper = _Mapper(now)
    mapper.run(account)
    return mapper.result


class _Mapper:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.result = ImportResult("PagerDuty")
        self.people = Ids("person")
        self.teams = Ids("team")
        self.schedules = Ids("schedule")
        self.first_layer: dict[str, tuple[str, int]] = {}  # schedule id -> (layer, count)
        self.policies = Ids("escalation")
        self.services = Ids("service")

    def run(self, account: PagerdutyAccount) -> None:
        for user in account.users:
            self._person(user)
        self.result.differ(
            "Notification rules",
            "how each person is reached (PagerDuty notification rules) is not imported: "
            "firehouse sends a chat message, then an email a minute later, unless the person "
            "has `notify`",
        )
        team_entries = [self._team(team, account.users) for team in account.teams]
        for schedule in account.schedules:
            self._schedule(schedule)
        self._policies(account.escalation_policies, team_entries)
        for service in account.services:
            self._service(service)
        for schedule in account.schedules:
            for override in account.overrides.get(str(schedule.get("id")), []):
                self._override(schedule, override)
        self.result.differ(
            "Overrides",
            f"only overrides in the next {OVERRIDE_DAYS} days were read; recreate later ones "
            "by hand",
        )

    def _policies(self, policies: list[Json], team_entries: list[Json]) -> None:
        """A team pages through the one policy that belongs to it (services name their own)."""
        owned: dict[str, list[str]] = {}
        for policy in policies:
            policy_id = self._policy(policy)
            for team in policy.get("teams") or []:
                if policy_id and (team_id := self.teams.get(str(team.get("id") or ""))):
                    owned.setdefault(team_id, []).append(policy_id)
        for entry in team_entries:
            if len(owned.get(entry["id"], [])) == 1:
                entry["escalation_policy"] = owned[entry["id"]][0]

    def _person(self, user: Json) -> None:
        phone = None
        for kind in ("sms_contact_method", "phone_contact_method"):
            for method in user.get("contact_methods") or []:
                if phone is None and method.get("type") == kind and method.get("address"):
                    phone = f"+{method.get('country_code', '')}{method['address']}"
        add_person(
            self.result,
            self.people,
            str(user.get("id")),
            name=user.get("name"),
            email=user.get("email"),
            phone=phone,
            subject=f"PagerDuty user {user.get('email') or user.get('name')}",
        )

    def _team(self, team: Json, users: list[Json]) -> Json:
        """Members come from each user's `teams`, so no per-team request is needed."""
        team_id = self.teams.assign(str(team.get("id")), str(team.get("name", "")))
        members = [
            person
            for user in users
            if any(ref.get("id") == team.get("id") for ref in user.get("teams") or [])
            and (person := self.people.get(str(user.get("id")))) is not None
        ]
        entry: Json = {"id": team_id, "name": name_of(team.get("name"), team_id)}
        entry["members"] = members
        self.result.add("teams", entry, f"PagerDuty team '{team.get('name')}' (id {team['id']})")
        return entry

    def _schedule(self, schedule: Json) -> None:
        subject = f"PagerDuty schedule '{schedule.get('name')}'"
        zone = time_zone(self.result, schedule.get("time_zone"), subject)
        names = Ids("layer")
        layers = [
            entry
            for source in schedule.get("schedule_layers") or []
            if (entry := self._layer(names, source, subject, zone)) is not None
        ]
        if not layers:
            self.result.skip(subject, "has no layer firehouse can express; not imported")
            return
        if len(layers) > 1:
            self.result.differ(
                subject,
                f"has {len(layers)} layers. PagerDuty puts one person on call (the highest "
                "layer wins); firehouse layers are on call together, each paged. Keep the "
                "layers that should be paged side by side, or split the rest into schedules",
            )
        schedule_id = self.schedules.assign(str(schedule.get("id")), str(schedule.get("name")))
        self.first_layer[schedule_id] = (layers[0]["name"], len(layers))
        record: Json = {"id": schedule_id, "name": name_of(schedule.get("name"), schedule_id)}
        owners = [t for ref in schedule.get("teams") or [] if (t := self.teams.get(ref.get("id")))]
        if owners:
            record["team"] = owners[0]
        if len(owners) > 1:
            self.result.differ(subject, f"belongs to {len(owners)} teams; kept '{owners[0]}'")
        record["timezone"] = zone
        record["layers"] = layers
        self.result.add("schedules", record, f"{subject} (id {schedule.get('id')})")

    def _layer(self, names: Ids, source: Json, subject: str, zone: str) -> Json | None:
        where = f"{subject}, layer '{source.get('name')}'"
        end = parse_time(source.get("end"))
        if end is not None and end <= self.now:
            self.result.skip(where, f"ended on {end:%Y-%m-%d %H:%M} UTC; not imported")
            return None
        seconds = int(source.get("rotation_turn_length_seconds") or 0)
        length = length_from_hours(seconds // 3600) if seconds % 3600 == 0 else None
        virtual_start = parse_time(source.get("rotation_virtual_start"))
        start = parse_time(source.get("start")) or virtual_start
        if length is None or virtual_start is None or start is None:
            message = f"its turn of {seconds} seconds is not whole hours, or it has no start"
            self.result.skip(where, message)
            return None
        users = [str((u.get("user") or {}).get("id")) for u in source.get("users") or []]
        if not users:
            self.result.skip(where, "has no users; not imported")
            return None
        first, turns = _first_handoff(virtual_start, start, seconds, zone)
        shift = turns % len(users)
        people = []
        for user_id in users[shift:] + users[:shift]:
            person = self.people.get(user_id)
            if person is None:
                self.result.skip(where, f"user {user_id} is not a known user; left out")
            else:
                people.append(person)
        if not people:
            return None
        if first > start > self.now:
            self.result.differ(
                where,
                f"starts {start:%Y-%m-%d %H:%M} UTC mid-turn; firehouse starts it at "
                f"the next handoff, {utc(first):%Y-%m-%d %H:%M} UTC",
            )
        if source.get("restrictions"):
            restriction = _restriction_text(source["restrictions"])
            self.result.differ(
                where,
                f"is on call only during {restriction} in PagerDuty; firehouse layers are on "
                "call around the clock",
            )
        if end is not None:
            self.result.differ(where, f"ends on {end:%Y-%m-%d} in PagerDuty; layers do not end")
        name = names.assign(str(source.get("id")), str(source.get("name") or "layer"))
        return layer(name, people, first, zone, length)

    def _policy(self, policy: Json) -> str | None:
        subject = f"PagerDuty escalation policy '{policy.get('name')}'"
        steps: list[Json] = []
        for rule in policy.get("escalation_rules") or []:
            delay = int(rule.get("escalation_delay_in_minutes") or 0)
            targets = [t for ref in rule.get("targets") or [] if (t := self._target(ref, subject))]
            if targets:
                steps.append({"notify": targets, "wait_minutes": delay})
            elif steps:
                steps[-1]["wait_minutes"] += delay  # keep the later steps' timing
        if not steps:
            self.result.skip(subject, "has no target firehouse can page; not imported")
            return None
        for step in steps:
            step["wait_minutes"] = wait_minutes(self.result, step["wait_minutes"], subject)
        policy_id = self.policies.assign(str(policy.get("id")), str(policy.get("name")))
        entry: Json = {"id": policy_id, "name": name_of(policy.get("name"), policy_id)}
        entry["repeat"] = repeat_count(self.result, int(policy.get("num_loops") or 0), subject)
        entry["steps"] = steps
        self.result.add("escalation_policies", entry, f"{subject} (id {policy.get('id')})")
        return policy_id

    def _target(self, ref: Json, subject: str) -> Json | None:
        kind = str(ref.get("type", "")).removesuffix("_reference")
        foreign = str(ref.get("id") or "")
        if kind == "user" and (person := self.people.get(foreign)):
            return {"person": person}
        if kind == "schedule" and (schedule := self.schedules.get(foreign)):
            return {"schedule": schedule}
        label = ref.get("summary") or foreign
        self.result.skip(subject, f"target {kind} '{label}' was not imported; left out")
        return None

    def _service(self, service: Json) -> None:
        subject = f"PagerDuty service '{service.get('name')}'"
        service_id = self.services.assign(str(service.get("id")), str(service.get("name", "")))
        entry: Json = {"id": service_id, "name": name_of(service.get("name"), service_id)}
        if service.get("description"):
            entry["description"] = str(service["description"]).strip()
        teams = [t for ref in service.get("teams") or [] if (t := self.teams.get(ref.get("id")))]
        if teams:
            entry["team"] = teams[0]
        policy_ref = service.get("escalation_policy") or {}
        policy = self.policies.get(str(policy_ref.get("id") or ""))
        if policy:
            entry["escalation_policy"] = policy
        elif policy_ref:
            label = policy_ref.get("summary") or policy_ref.get("id")
            self.result.skip(subject, f"its escalation policy '{label}' was not imported")
        if service.get("status") == "disabled":
            self.result.differ(subject, "is disabled in PagerDuty but imported as active")
        self.result.add("services", entry, f"{subject} (id {service.get('id')})")

    def _override(self, schedule: Json, override: Json) -> None:
        subject = f"PagerDuty override {override.get('id')} on '{schedule.get('name')}'"
        start, end = parse_time(override.get("start")), parse_time(override.get("end"))
        if start is None or end is None or end <= self.now:
            return
        user = override.get("user") or {}
        person = self.people.get(str(user.get("id") or ""))
        schedule_id = self.schedules.get(str(schedule.get("id") or ""))
        if person is None or schedule_id is None:
            who = user.get("summary") or user.get("id")
            self.result.skip(subject, f"cannot be recreated ({who} or the schedule is missing)")
            return
        layer_name, count = self.first_layer[schedule_id]
        label = f"{subject}: {person} on {layer_name}"
        if count > 1:
            label += " (PagerDuty overrides the whole schedule: check the layer)"
        reason = f"Imported from PagerDuty override {override.get('id')}"
        command = override_command(
            schedule_id,
            layer=layer_name,
            person=person,
            start=utc(max(start, self.now)),
            end=utc(end),
            reason=reason,
        )
        self.result.overrides.append(OverrideCommand(label, command))


def _first_handoff(
    virtual_start: datetime, start: datetime, seconds: int, zone: str
) -> tuple[datetime, int]:
    """The first handoff at or after `start`, and how many turns passed since the virtual
    start. Day-long turns are counted in local days, so they stay at the same wall-clock time
    across DST changes, as firehouse's calendar rotations do."""
    if start <= virtual_start:
        return virtual_start, 0
    turn = timedelta(seconds=seconds)
    if seconds % 86400:
        turns = math.ceil((start - virtual_start) / turn)
        return virtual_start + turns * turn, turns
    tz = ZoneInfo(zone)
    local_start = virtual_start.astimezone(tz).replace(tzinfo=None)
    turns = math.ceil((start.astimezone(tz).replace(tzinfo=None) - local_start) / turn)
    return (local_start + turns * turn).replace(tzinfo=tz), turns


def _restriction_text(restrictions: list[Json]) -> str:
    days = ("", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
    parts = []
    for item in restrictions:
        hours = int(item.get("duration_seconds") or 0) / 3600
        weekday = item.get("start_day_of_week")
        day = f"{days[weekday]} " if isinstance(weekday, int) and 1 <= weekday <= 7 else "daily "
        parts.append(f"{day}{str(item.get('start_time_of_day', ''))[:5]} for {hours:g}h")
    return ", ".join(parts)
