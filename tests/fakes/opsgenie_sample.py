"""A small OpsGenie account as its REST API returns it, modelled on captured responses (ids,
nesting and field names as OpsGenie sends them): served by tests/fakes/opsgenie_api.py and fed
straight to the mapping in unit tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from firehouse.importers.opsgenie import OpsgenieAccount

Json = dict[str, Any]

MAYA, JONAS, PRIYA = (
    "b5b92115-bfe7-43eb-8c2a-e467f2e5ddc4",
    "e07c63f0-dd8c-4ad4-983e-4ee7dc600463",
    "7f3c1b8e-2a41-4f7e-9d2c-6b1a0e5d4c3b",
)
TOMAS, ADA, MAYA_CONTRACTOR = (
    "1c9e4f2a-8b7d-4e6f-a5c3-2d1b0a9f8e7d",
    "3a2b1c0d-9e8f-4a7b-b6c5-d4e3f2a1b0c9",
    "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
)
PLATFORM_TEAM, COMMERCE_TEAM = (
    "90098a1e9-f0e3-41d3-a060-0ea895027630",
    "4f7a2c1e-6b3d-4e8f-9a0b-c1d2e3f4a5b6",
)
PLATFORM_SCHEDULE, NIGHTS_SCHEDULE = (
    "d875a1e4-9b4e-4219-a1e3-0c26936d18de",
    "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
)
PRIMARY_ROTATION, SECONDARY_ROTATION = (
    "a8a3c5b0-1f4d-4c2e-9b7a-6d5e4f3a2b1c",
    "b9b4d6c1-2a5e-4d3f-8c6b-7e6f5a4b3c2d",
)
_NAMES = {
    MAYA: "maya@northlight.example",
    JONAS: "jonas@northlight.example",
    PRIYA: "priya@northlight.example",
    TOMAS: "tomas@northlight.example",
    ADA: "ada.lovelace+oncall@northlight.example",
    MAYA_CONTRACTOR: "maya@contractors.example",
}


def _user(user_id: str, full_name: str, zone: str = "Europe/London") -> Json:
    return {
        "id": user_id,
        "username": _NAMES[user_id],
        "fullName": full_name,
        "role": {"id": "User", "name": "User"},
        "skypeUsername": "",
        "timeZone": zone,
        "locale": "en_GB",
        "userAddress": {"country": "", "state": "", "city": "", "line": "", "zipCode": ""},
        "createdAt": "2024-03-12T10:21:07.021Z",
        "blocked": False,
        "verified": True,
    }


def _participant(user_id: str) -> Json:
    return {"type": "user", "id": user_id, "username": _NAMES[user_id]}


def _member(user_id: str, role: str = "user") -> Json:
    return {"user": {"id": user_id, "username": _NAMES[user_id]}, "role": role}


def _rotation(
    rotation_id: str, name: str, kind: str, start: str, people: list[Json], **extra: Any
) -> Json:
    return {
        "id": rotation_id,
        "name": name,
        "startDate": start,
        "type": kind,
        "length": 1,
        "participants": people,
        **extra,
    }


def _rule(
    delay: int,
    recipient: Json,
    *,
    notify: str = "default",
    condition: str = "if-not-acked",
    unit: str = "minutes",
) -> Json:
    return {
        "condition": condition,
        "notifyType": notify,
        "delay": {"timeAmount": delay, "timeUnit": unit},
        "recipient": recipient,
    }


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sample_account(now: datetime) -> OpsgenieAccount:
    """Two teams, two schedules (one with restricted and ended rotations), two escalations,
    three services and overrides before, during and after `now`."""
    platform_ref = {"id": PLATFORM_TEAM, "name": "Platform"}
    commerce_ref = {"id": COMMERCE_TEAM, "name": "Commerce"}
    platform_rotations = [
        _rotation(
            PRIMARY_ROTATION,
            "Primary",
            "weekly",
            "2026-01-05T10:00:00Z",
            [_participant(p) for p in (MAYA, JONAS, PRIYA, TOMAS)],
        ),
        _rotation(
            SECONDARY_ROTATION,
            "Secondary",
            "weekly",
            "2026-01-12T10:00:00Z",
            [_participant(p) for p in (TOMAS, MAYA, JONAS, PRIYA)],
        ),
        _rotation(
            "c0c5e7d2-3b6f-4e4a-9d7c-8f7a6b5c4d3e",
            "Business hours",
            "daily",
            "2026-01-05T09:00:00Z",
            [{"type": "team", "id": COMMERCE_TEAM, "name": "Commerce"}, _participant(PRIYA)],
            timeRestriction={
                "type": "weekday-and-time-of-day",
                "restrictions": [
                    {
                        "startDay": "monday",
                        "startHour": 9,
                        "startMin": 0,
                        "endDay": "friday",
                        "endHour": 17,
                        "endMin": 0,
                    }
                ],
            },
        ),
        _rotation(
            "d1d6f8e3-4c7a-4f5b-8e8d-9a8b7c6d5e4f",
            "Old pilot",
            "weekly",
            "2025-06-02T09:00:00Z",
            [_participant(MAYA)],
            endDate="2025-12-31T00:00:00Z",
        ),
    ]
    nights = _rotation(
        "e2e7a9f4-5d8b-4a6c-9f9e-ab9c8d7e6f5a",
        "Nights",
        "hourly",
        "2026-02-02T23:00:00Z",
        [_participant(ADA), {"type": "none"}, _participant(MAYA_CONTRACTOR)],
        length=12,
    )
    return OpsgenieAccount(
        users=[
            _user(MAYA, "Maya Okafor"),
            _user(JONAS, "Jonas Lindqvist"),
            _user(PRIYA, "Priya Raman"),
            _user(TOMAS, "Tomás Herrera"),
            _user(ADA, "Ada Lovelace", "America/New_York"),
            _user(MAYA_CONTRACTOR, "Maya Contractor"),
        ],
        contacts={
            MAYA: [
                {
                    "id": "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9",
                    "method": "email",
                    "to": _NAMES[MAYA],
                    "status": {"enabled": True},
                    "applyOrder": 1,
                },
                {
                    "id": "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d",
                    "method": "sms",
                    "to": "44-7700900101",
                    "status": {"enabled": True},
                    "applyOrder": 2,
                },
            ],
            JONAS: [
                {
                    "id": "b8c7d6e5-f4a3-4b2c-8d1e-0f9a8b7c6d5e",
                    "method": "voice",
                    "to": "1-2025550143",
                    "status": {"enabled": True},
                    "applyOrder": 1,
                }
            ],
        },
        teams=[
            {
                "id": PLATFORM_TEAM,
                "name": "Platform",
                "description": "Website and infrastructure",
                "members": [_member(MAYA, "admin"), _member(JONAS), _member(PRIYA), _member(TOMAS)],
                "links": {
                    "web": "https://app.opsgenie.com/teams/dashboard/x/main",
                    "api": "https://api.opsgenie.com/v2/teams/x",
                },
            },
            {
                "id": COMMERCE_TEAM,
                "name": "Commerce",
                "description": "",
                "members": [_member(ADA, "admin"), _member(MAYA_CONTRACTOR)],
                "links": {
                    "web": "https://app.opsgenie.com/teams/dashboard/y/main",
                    "api": "https://api.opsgenie.com/v2/teams/y",
                },
            },
        ],
        schedules=[
            {
                "id": PLATFORM_SCHEDULE,
                "name": "Platform On-call",
                "description": "",
                "timezone": "Europe/London",
                "enabled": True,
                "ownerTeam": platform_ref,
                "rotations": platform_rotations,
            },
            {
                "id": NIGHTS_SCHEDULE,
                "name": "Commerce Nights",
                "description": "",
                "timezone": "America/New_York",
                "enabled": True,
                "ownerTeam": commerce_ref,
                "rotations": [nights],
            },
        ],
        overrides={
            PLATFORM_SCHEDULE: [
                {
                    "alias": "c7f8a1b2-override-jonas",
                    "user": {"type": "user", "id": JONAS, "username": _NAMES[JONAS]},
                    "startDate": _instant(now + timedelta(days=1)),
                    "endDate": _instant(now + timedelta(days=2)),
                    "rotations": [{"id": PRIMARY_ROTATION, "name": "Primary"}],
                },
                {
                    "alias": "d8a9b2c3-override-past",
                    "user": {"type": "user", "id": PRIYA, "username": _NAMES[PRIYA]},
                    "startDate": _instant(now - timedelta(days=4)),
                    "endDate": _instant(now - timedelta(days=3)),
                    "rotations": [],
                },
                {
                    "alias": "e9b0c3d4-override-all",
                    "user": {"type": "user", "id": PRIYA, "username": _NAMES[PRIYA]},
                    "startDate": _instant(now + timedelta(days=5)),
                    "endDate": _instant(now + timedelta(days=6)),
                    "rotations": [],
                },
            ],
        },
        escalations=[
            {
                "id": "f0c1d4e5-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
                "name": "Platform_escalation",
                "description": "",
                "ownerTeam": platform_ref,
                "rules": [
                    _rule(
                        0, {"type": "schedule", "id": PLATFORM_SCHEDULE, "name": "Platform On-call"}
                    ),
                    _rule(
                        5,
                        {"type": "schedule", "id": PLATFORM_SCHEDULE, "name": "Platform On-call"},
                        notify="next",
                    ),
                    _rule(15, {"type": "user", "id": MAYA, "username": _NAMES[MAYA]}),
                    _rule(
                        15, {"type": "team", "id": COMMERCE_TEAM, "name": "Commerce"}, notify="all"
                    ),
                ],
                "repeat": {
                    "waitInterval": 10,
                    "count": 2,
                    "resetRecipientStates": False,
                    "closeAlertAfterAll": False,
                },
            },
            {
                "id": "a1d2e5f6-7b8c-4d9e-8f0a-2b3c4d5e6f7a",
                "name": "Commerce_escalation",
                "description": "",
                "ownerTeam": commerce_ref,
                "rules": [
                    _rule(
                        1,
                        {"type": "schedule", "id": NIGHTS_SCHEDULE, "name": "Commerce Nights"},
                        condition="if-not-closed",
                        unit="hours",
                    )
                ],
            },
        ],
        services=[
            {
                "id": "0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d",
                "name": "Website",
                "description": "The public marketplace.",
                "teamId": PLATFORM_TEAM,
                "tags": ["web"],
                "isExternal": False,
            },
            {
                "id": "1b0c9d8e-7f6a-4b4c-9d2e-3f4a5b6c7d8e",
                "name": "Checkout",
                "description": "",
                "teamId": COMMERCE_TEAM,
                "tags": [],
                "isExternal": False,
            },
            {
                "id": "2c1d0e9f-8a7b-4c5d-8e3f-4a5b6c7d8e9f",
                "name": "Légacy Billing!",
                "description": "Old invoices",
                "teamId": "6a5b4c3d-deleted-team",
                "tags": [],
                "isExternal": False,
            },
        ],
    )
