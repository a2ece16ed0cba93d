"""A small PagerDuty account as its REST API v2 returns it, modelled on captured responses
(ids, references with `type`/`summary`/`self`/`html_url`, layers as PagerDuty nests them):
served by tests/fakes/pagerduty_api.py and fed straight to the mapping in unit tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from firehouse.importers.pagerduty import PagerdutyAccount

Json = dict[str, Any]
API = "https://api.pagerduty.com"
WEB = "https://northlight.pagerduty.com"
MAYA, JONAS, PRIYA, LEAH, KENJI = "PXPGF42", "PAM4FGS", "P1ZQ7RB", "PL3AHT9", "PKQ2W8N"
PLATFORM, MOBILE = "PQ9K7I8", "PMOB1LE"
PRIMARY, FOLLOW_THE_SUN = "PI7DH85", "PFTS123"
PLATFORM_POLICY, MOBILE_POLICY = "PT20YPA", "PMB0POL"
_PEOPLE = {
    MAYA: ("Maya Okafor", "maya@northlight.example", PLATFORM),
    JONAS: ("Jonas Lindqvist", "jonas@northlight.example", PLATFORM),
    PRIYA: ("Priya Raman", "priya@northlight.example", PLATFORM),
    LEAH: ("Leah Goldberg", "leah@northlight.example", MOBILE),
    KENJI: ("Kenji Watanabe", "kenji@northlight.example", MOBILE),
}
_TEAMS = {PLATFORM: "Platform", MOBILE: "Mobile"}


def ref(kind: str, object_id: str, summary: str) -> Json:
    plural = {"escalation_policy": "escalation_policies"}.get(kind, f"{kind}s")
    return {
        "id": object_id,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"{API}/{plural}/{object_id}",
        "html_url": f"{WEB}/{plural}/{object_id}",
    }


def _user(user_id: str) -> Json:
    name, email, team = _PEOPLE[user_id]
    methods: list[Json] = [
        {
            "id": f"PE{user_id[2:]}",
            "type": "email_contact_method",
            "summary": "Default",
            "label": "Default",
            "address": email,
            "self": f"{API}/users/{user_id}/contact_methods/x",
        },
    ]
    if user_id == MAYA:
        methods.append(
            {
                "id": "PPH0NE1",
                "type": "phone_contact_method",
                "summary": "Mobile",
                "label": "Mobile",
                "address": "7700900101",
                "country_code": 44,
            }
        )
    if user_id == LEAH:
        methods.append(
            {
                "id": "PSMS001",
                "type": "sms_contact_method",
                "summary": "Mobile",
                "label": "Mobile",
                "address": "2025550143",
                "country_code": 1,
                "enabled": True,
                "blacklisted": False,
            }
        )
    return {
        "id": user_id,
        "type": "user",
        "summary": name,
        "name": name,
        "email": email,
        "time_zone": "Europe/London",
        "color": "purple",
        "role": "user",
        "avatar_url": f"https://secure.gravatar.com/avatar/{user_id}.png?d=mm&r=PG",
        "description": "",
        "invitation_sent": False,
        "job_title": "Engineer",
        "teams": [ref("team", team, _TEAMS[team])],
        "contact_methods": methods,
        "notification_rules": [
            ref("assignment_notification_rule", "PNR0001", "0 minutes: channel")
        ],
        "self": f"{API}/users/{user_id}",
        "html_url": f"{WEB}/users/{user_id}",
    }


def _layer_user(user_id: str) -> Json:
    return {"user": ref("user", user_id, _PEOPLE[user_id][0])}


def _layer(  # noqa: PLR0917 - reads like the API's own field order
    layer_id: str,
    name: str,
    start: str,
    virtual_start: str,
    seconds: int,
    users: list[str],
    *,
    end: str | None = None,
    restrictions: list[Json] | None = None,
) -> Json:
    return {
        "id": layer_id,
        "name": name,
        "start": start,
        "end": end,
        "rotation_virtual_start": virtual_start,
        "rotation_turn_length_seconds": seconds,
        "users": [_layer_user(u) for u in users],
        "restrictions": restrictions or [],
        "rendered_schedule_entries": [],
        "rendered_coverage_percentage": None,
    }


def _schedule(schedule_id: str, name: str, zone: str, team: str, layers: list[Json]) -> Json:
    return {
        "id": schedule_id,
        "type": "schedule",
        "summary": name,
        "name": name,
        "time_zone": zone,
        "description": "",
        "self": f"{API}/schedules/{schedule_id}",
        "html_url": f"{WEB}/schedules/{schedule_id}",
        "escalation_policies": [],
        "users": [],
        "teams": [ref("team", team, _TEAMS[team])],
        "schedule_layers": layers,
        "final_schedule": {"name": "Final Schedule", "rendered_schedule_entries": []},
        "overrides_subschedule": {"name": "Overrides", "rendered_schedule_entries": []},
    }


def _rule(rule_id: str, delay: int, targets: list[Json]) -> Json:
    return {"id": rule_id, "escalation_delay_in_minutes": delay, "targets": targets}


def _policy(policy_id: str, name: str, loops: int, team: str, rules: list[Json]) -> Json:
    return {
        "id": policy_id,
        "type": "escalation_policy",
        "summary": name,
        "name": name,
        "description": "",
        "num_loops": loops,
        "on_call_handoff_notifications": "if_has_services",
        "escalation_rules": rules,
        "services": [],
        "teams": [ref("team", team, _TEAMS[team])],
        "self": f"{API}/escalation_policies/{policy_id}",
        "html_url": f"{WEB}/escalation_policies/{policy_id}",
    }


def _service(  # noqa: PLR0917 - reads like the API's own field order
    service_id: str, name: str, description: str, policy: Json, team: str, status: str = "active"
) -> Json:
    return {
        "id": service_id,
        "type": "service",
        "summary": name,
        "name": name,
        "description": description,
        "status": status,
        "auto_resolve_timeout": 14400,
        "acknowledgement_timeout": 600,
        "created_at": "2025-02-01T10:00:00Z",
        "escalation_policy": policy,
        "teams": [ref("team", team, _TEAMS[team])],
        "alert_creation": "create_alerts_and_incidents",
        "integrations": [],
        "incident_urgency_rule": {"type": "constant", "urgency": "high"},
        "self": f"{API}/services/{service_id}",
        "html_url": f"{WEB}/service-directory/{service_id}",
    }


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sample_account(now: datetime) -> PagerdutyAccount:
    """Two teams; a weekly primary schedule; a follow-the-sun schedule with a 12-hour layer
    that starts mid-rotation, a restricted layer, an ended layer and a 90-minute layer; two
    policies (one with a departed user and too many loops); three services; overrides."""
    primary = _schedule(
        PRIMARY,
        "Platform Primary",
        "Europe/London",
        PLATFORM,
        [
            _layer(
                "PG68P1M",
                "Layer 1",
                "2026-01-05T10:00:00+00:00",
                "2026-01-05T10:00:00+00:00",
                604800,
                [MAYA, JONAS, PRIYA],
            ),
        ],
    )
    follow = _schedule(
        FOLLOW_THE_SUN,
        "Mobile Follow the Sun",
        "America/New_York",
        MOBILE,
        [
            _layer(
                "PL4Y3R1",
                "Day shift",
                "2026-03-04T20:00:00-05:00",
                "2026-03-01T08:00:00-05:00",
                43200,
                [LEAH, KENJI],
            ),
            _layer(
                "PL4Y3R2",
                "Weekday cover",
                "2026-01-05T08:00:00-05:00",
                "2026-01-05T08:00:00-05:00",
                86400,
                [KENJI],
                restrictions=[
                    {
                        "type": "daily_restriction",
                        "start_time_of_day": "08:00:00",
                        "duration_seconds": 32400,
                    }
                ],
            ),
            _layer(
                "PL4Y3R3",
                "Old layer",
                "2025-01-06T08:00:00-05:00",
                "2025-01-06T08:00:00-05:00",
                604800,
                [LEAH],
                end="2025-12-01T08:00:00-05:00",
            ),
            _layer(
                "PL4Y3R4",
                "Odd turns",
                "2026-01-05T08:00:00-05:00",
                "2026-01-05T08:00:00-05:00",
                5400,
                [KENJI],
            ),
        ],
    )
    platform_policy = _policy(
        PLATFORM_POLICY,
        "Platform",
        2,
        PLATFORM,
        [
            _rule("PANL0N1", 10, [ref("schedule", PRIMARY, "Platform Primary")]),
            _rule(
                "PANL0N2",
                15,
                [ref("user", MAYA, "Maya Okafor"), ref("user", "PGONE00", "Former Engineer")],
            ),
        ],
    )
    mobile_policy = _policy(
        MOBILE_POLICY,
        "Mobile",
        12,
        MOBILE,
        [
            _rule("PMR0001", 5, [ref("schedule", FOLLOW_THE_SUN, "Mobile Follow the Sun")]),
            _rule("PMR0002", 20, [ref("user", "PGONE00", "Former Engineer")]),
            _rule("PMR0003", 30, [ref("user", KENJI, "Kenji Watanabe")]),
        ],
    )
    return PagerdutyAccount(
        users=[_user(u) for u in _PEOPLE],
        teams=[
            {
                "id": t,
                "type": "team",
                "summary": n,
                "name": n,
                "description": f"The {n} team",
                "self": f"{API}/teams/{t}",
                "html_url": f"{WEB}/teams/{t}",
                "parent": None,
                "default_role": "manager",
            }
            for t, n in _TEAMS.items()
        ],
        schedules=[primary, follow],
        overrides={
            PRIMARY: [
                {
                    "id": "PEYSGVF",
                    "start": _instant(now + timedelta(days=1)),
                    "end": _instant(now + timedelta(days=2)),
                    "user": ref("user", PRIYA, "Priya Raman"),
                },
                {
                    "id": "PEYSGVA",
                    "start": _instant(now - timedelta(hours=2)),
                    "end": _instant(now + timedelta(hours=6)),
                    "user": ref("user", JONAS, "Jonas Lindqvist"),
                },
                {
                    "id": "PFAR0FF",
                    "start": _instant(now + timedelta(days=200)),
                    "end": _instant(now + timedelta(days=201)),
                    "user": ref("user", MAYA, "Maya Okafor"),
                },
            ]
        },
        escalation_policies=[platform_policy, mobile_policy],
        services=[
            _service(
                "PSVC0WB",
                "Website",
                "The public marketplace.",
                ref("escalation_policy", PLATFORM_POLICY, "Platform"),
                PLATFORM,
            ),
            _service(
                "PSVC0AP",
                "Mobile app",
                "",
                ref("escalation_policy", MOBILE_POLICY, "Mobile"),
                MOBILE,
            ),
            _service(
                "PSVC0LG",
                "Legacy search",
                "Retired",
                ref("escalation_policy", "PDELPOL", "Deleted policy"),
                PLATFORM,
                status="disabled",
            ),
        ],
    )
