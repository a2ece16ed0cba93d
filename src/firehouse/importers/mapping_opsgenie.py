"""An OpsGenie account as a firehouse.yaml fragment, and what could not be carried over.

OpsGenie and firehouse agree on most of the model: a schedule's rotations are on call side
by side, like firehouse layers; an escalation notifies recipients in turn until someone
acknowledges. Where they differ (time-restricted rotations, team recipients, delays counted
from the alert rather than between steps) the report says so; nothing is dropped silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
from firehouse.importers.opsgenie import OpsgenieAccount

Json = dict[str, Any]
_UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


def map_account(account: OpsgenieAccount, now: datetime) -> ImportResult:
    mapper = _Mapper(now)
    mapper.run(account)
    return mapper.result


class _Mapper:
    """One conversion: the ids given so far, so later records can refer to earlier ones."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.result = ImportResult("OpsGenie")
        self.people = Ids("person")
        self.teams = Ids("team")
        self.team_entries: dict[str, Json] = {}  # by OpsGenie team id
        self.schedules = Ids("schedule")
        self.layers: dict[str, list[tuple[str, str]]] = {}  # schedule id -> (rotation, layer)
        self.policies = Ids("escalation")
        self.services = Ids("service")

    def run(self, account: OpsgenieAccount) -> None:
        for user in account.users:
            self._person(user, account.contacts.get(str(user.get("id")), []))
        self.result.differ(
            "Notification rules",
            "how each person is reached (OpsGenie notification rules and contact order) is "
            "not imported: firehouse sends a chat message, then an email a minute later, "
            "unless the person has `notify`",
        )
        for team in account.teams:
            self._team(team)
        for schedule in account.schedules:
            self._schedule(schedule)
        owned: dict[str, list[tuple[str, str]]] = {}
        for escalation in account.escalations:
            policy_id = self._escalation(escalation)
            owner = str((escalation.get("ownerTeam") or {}).get("id") or "")
            if policy_id and owner:
                owned.setdefault(owner, []).append((policy_id, str(escalation.get("name"))))
        self._team_policies(owned)
        for service in account.services:
            self._service(service)
        for schedule in account.schedules:
            for override in account.overrides.get(str(schedule.get("id")), []):
                self._override(schedule, override)

    # people and teams ----------------------------------------------------------------------
    def _person(self, user: Json, contacts: list[Json]) -> None:
        username = str(user.get("username", ""))
        phone = None
        for method in ("sms", "voice"):
            for contact in contacts:
                enabled = (contact.get("status") or {}).get("enabled", True)
                if phone is None and contact.get("method") == method and enabled:
                    phone = "+" + str(contact.get("to", "")).replace("-", "").lstrip("+")
        add_person(
            self.result,
            self.people,
            str(user.get("id")),
            name=user.get("fullName"),
            email=username,
            phone=phone,
            subject=f"OpsGenie user {username}",
        )

    def _team(self, team: Json) -> None:
        subject = f"OpsGenie team '{team.get('name')}'"
        team_id = self.teams.assign(str(team.get("id")), str(team.get("name", "")))
        members: list[str] = []
        for member in team.get("members") or []:
            user = member.get("user") or {}
            person = self.people.get(str(user.get("id") or ""))
            if person is None:
                self.result.skip(subject, f"member {user.get('username')} is not a known user")
            elif person not in members:
                members.append(person)
        entry: Json = {"id": team_id, "name": name_of(team.get("name"), team_id)}
        entry["members"] = members
        self.team_entries[str(team.get("id"))] = entry
        self.result.add("teams", entry, f"{subject} (id {team.get('id')})")

    def _team_policies(self, owned: dict[str, list[tuple[str, str]]]) -> None:
        """A team pages through the escalation it owns; with several, OpsGenie's default
        `<team>_escalation` is the one its default routing rule uses."""
        for team_id, entry in self.team_entries.items():
            choices = owned.get(team_id, [])
            default = [p for p, name in choices if name == f"{entry['name']}_escalation"]
            chosen = choices[0][0] if len(choices) == 1 else (default[0] if default else None)
            if chosen:
                entry["escalation_policy"] = chosen
            elif choices:
                self.result.differ(
                    f"OpsGenie team '{entry['name']}'",
                    "owns several escalations and its routing rules are not imported; set "
                    "`escalation_policy` on the team to the one that should page for it",
                )

    # schedules -----------------------------------------------------------------------------
    def _schedule(self, schedule: Json) -> None:
        subject = f"OpsGenie schedule '{schedule.get('name')}'"
        zone = time_zone(self.result, schedule.get("timezone"), subject)
        layer_names = Ids("layer")
        layers: list[Json] = []
        rotations: list[tuple[str, str]] = []
        for rotation in schedule.get("rotations") or []:
            entry = self._rotation(layer_names, rotation, subject, zone)
            if entry is not None:
                layers.append(entry)
                rotations.append((str(rotation.get("id")), entry["name"]))
        if not layers:
            self.result.skip(subject, "has no rotation firehouse can express; not imported")
            return
        schedule_id = self.schedules.assign(str(schedule.get("id")), str(schedule.get("name")))
        self.layers[schedule_id] = rotations
        record: Json = {"id": schedule_id, "name": name_of(schedule.get("name"), schedule_id)}
        team = self.teams.get(str((schedule.get("ownerTeam") or {}).get("id") or ""))
        if team:
            record["team"] = team
        record["timezone"] = zone
        record["layers"] = layers
        if schedule.get("enabled") is False:
            self.result.differ(subject, "is disabled in OpsGenie but imported as active")
        self.result.add("schedules", record, f"{subject} (id {schedule.get('id')})")

    def _rotation(self, names: Ids, rotation: Json, subject: str, zone: str) -> Json | None:
        where = f"{subject}, rotation '{rotation.get('name')}'"
        start, end = parse_time(rotation.get("startDate")), parse_time(rotation.get("endDate"))
        if end is not None and end <= self.now:
            self.result.skip(where, f"ended on {end:%Y-%m-%d %H:%M} UTC; not imported")
            return None
        hours = {"hourly": 1, "daily": 24, "weekly": 168}.get(str(rotation.get("type")))
        length = length_from_hours(hours * int(rotation.get("length") or 1)) if hours else None
        if start is None or length is None:
            message = f"its type {rotation.get('type')!r}, length or start cannot be expressed"
            self.result.skip(where, message)
            return None
        people = [
            person
            for participant in rotation.get("participants") or []
            if (person := self._participant(participant, where)) is not None
        ]
        if not people:
            self.result.skip(where, "has no participant who is a user; not imported")
            return None
        if rotation.get("timeRestriction"):
            restriction = _restriction_text(rotation["timeRestriction"])
            self.result.differ(
                where,
                f"is on call only during {restriction} in OpsGenie; firehouse layers are on "
                "call around the clock (split the hours with another schedule, or edit it)",
            )
        if end is not None:
            self.result.differ(where, f"ends on {end:%Y-%m-%d} in OpsGenie; layers do not end")
        name = names.assign(str(rotation.get("id")), str(rotation.get("name") or "rotation"))
        return layer(name, people, start, zone, length)

    def _participant(self, participant: Json, where: str) -> str | None:
        """Teams, escalations and 'no one' are not people: reported, left out (which changes
        the turn order, so the report says so)."""
        if participant.get("type") == "user":
            person = self.people.get(str(participant.get("id") or ""))
            if person is None:
                self.result.skip(where, f"participant {participant.get('username')} is unknown")
            return person
        label = participant.get("name") or participant.get("username") or "no one"
        kind = participant.get("type", "participant")
        self.result.skip(
            where, f"{kind} participant '{label}' is not a person; left out of the turns"
        )
        return None

    # escalations and services --------------------------------------------------------------
    def _escalation(self, escalation: Json) -> str | None:
        subject = f"OpsGenie escalation '{escalation.get('name')}'"
        by_delay: dict[int, list[Json]] = {}
        for rule in escalation.get("rules") or []:
            target = self._recipient(rule, subject)
            if target is not None:
                targets = by_delay.setdefault(_delay_minutes(rule.get("delay")), [])
                if target not in targets:
                    targets.append(target)
            if rule.get("condition") == "if-not-closed":
                self.result.differ(
                    subject,
                    "a rule waits for the alert to close; firehouse stops at acknowledgement",
                )
        if not by_delay:
            self.result.skip(subject, "has no recipient firehouse can page; not imported")
            return None
        delays = sorted(by_delay)
        if delays[0] > 0:
            self.result.differ(
                subject, f"its first rule waits {delays[0]} minutes; firehouse pages at once"
            )
        repeat = escalation.get("repeat") or {}
        last_wait = int(repeat.get("waitInterval") or 0) or 15
        steps = []
        for index, delay in enumerate(delays):
            gap = delays[index + 1] - delay if index + 1 < len(delays) else last_wait
            wait = wait_minutes(self.result, gap, subject)
            steps.append({"notify": by_delay[delay], "wait_minutes": wait})
        policy_id = self.policies.assign(str(escalation.get("id")), str(escalation.get("name")))
        entry: Json = {"id": policy_id, "name": name_of(escalation.get("name"), policy_id)}
        count = int(repeat.get("count") or 0) if repeat else 0
        entry["repeat"] = repeat_count(self.result, count, subject)
        entry["steps"] = steps
        self.result.add("escalation_policies", entry, f"{subject} (id {escalation.get('id')})")
        return policy_id

    def _recipient(self, rule: Json, subject: str) -> Json | None:
        recipient = rule.get("recipient") or {}
        kind, foreign = recipient.get("type"), str(recipient.get("id") or "")
        label = recipient.get("name") or recipient.get("username") or foreign
        notify = rule.get("notifyType", "default")
        if kind == "user" and (person := self.people.get(foreign)):
            return {"person": person}
        if kind == "schedule" and (schedule := self.schedules.get(foreign)):
            if notify not in ("default", None):
                self.result.differ(
                    subject,
                    f"notifies the {notify} on-call of '{label}'; firehouse pages "
                    "whoever is on call now",
                )
            return {"schedule": schedule}
        if kind == "team" and (team := self.teams.get(foreign)):
            self.result.differ(
                subject,
                f"notifies team '{label}'; in firehouse a team target pages the point-people "
                "of the team's services, and imported services have none: add `point_people` "
                "to them, or notify the team's schedule instead",
            )
            return {"team": team}
        self.result.skip(subject, f"recipient {kind} '{label}' was not imported; left out")
        return None

    def _service(self, service: Json) -> None:
        subject = f"OpsGenie service '{service.get('name')}'"
        service_id = self.services.assign(str(service.get("id")), str(service.get("name", "")))
        entry: Json = {"id": service_id, "name": name_of(service.get("name"), service_id)}
        if service.get("description"):
            entry["description"] = str(service["description"]).strip()
        team = self.teams.get(str(service.get("teamId") or ""))
        if team:
            entry["team"] = team
        elif service.get("teamId"):
            self.result.skip(subject, "its owning team was not imported")
        self.result.add("services", entry, f"{subject} (id {service.get('id')})")

    # overrides -----------------------------------------------------------------------------
    def _override(self, schedule: Json, override: Json) -> None:
        subject = f"OpsGenie override '{override.get('alias')}' on '{schedule.get('name')}'"
        start, end = parse_time(override.get("startDate")), parse_time(override.get("endDate"))
        if start is None or end is None or end <= self.now:
            return  # over: nothing to recreate
        user = override.get("user") or {}
        person = self.people.get(str(user.get("id") or ""))
        schedule_id = self.schedules.get(str(schedule.get("id") or ""))
        if person is None or schedule_id is None or user.get("type", "user") != "user":
            who = user.get("username") or user.get("name") or user.get("type")
            self.result.skip(subject, f"cannot be recreated ({who} or the schedule is missing)")
            return
        wanted = {str(r.get("id")) for r in override.get("rotations") or []}
        layers = [name for rid, name in self.layers[schedule_id] if not wanted or rid in wanted]
        begins = max(start, self.now)
        reason = f"Imported from OpsGenie override {override.get('alias')}"
        for layer_name in layers:
            command = override_command(
                schedule_id,
                layer=layer_name,
                person=person,
                start=utc(begins),
                end=utc(end),
                reason=reason,
            )
            self.result.overrides.append(
                OverrideCommand(f"{subject}: {person} on {layer_name}", command)
            )


def _delay_minutes(delay: Any) -> int:
    if isinstance(delay, dict):
        unit = _UNIT_MINUTES.get(str(delay.get("timeUnit", "minutes")), 1)
        return int(delay.get("timeAmount") or 0) * unit
    return int(delay or 0)


def _restriction_text(restriction: Json) -> str:
    parts = []
    for item in restriction.get("restrictions") or [restriction.get("restriction") or {}]:
        start_day = f"{item['startDay']} " if item.get("startDay") else ""
        end_day = f"{item['endDay']} " if item.get("endDay") else ""
        parts.append(
            f"{start_day}{int(item.get('startHour', 0)):02d}:{int(item.get('startMin', 0)):02d}"
            f" to {end_day}{int(item.get('endHour', 0)):02d}:{int(item.get('endMin', 0)):02d}"
        )
    return ", ".join(parts)
