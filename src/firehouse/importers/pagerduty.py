"""Reading a PagerDuty account through its REST API v2, for `firehouse import pagerduty`.

Endpoints (all GET, `Authorization: Token token=<key>`, the v2 Accept header): /users with
their contact methods, /teams, /schedules then /schedules/{id} (the layers),
/schedules/{id}/overrides over the next OVERRIDE_DAYS, /escalation_policies, /services. Lists
are classic offset/limit pages followed while `more` is true. Records are kept as PagerDuty
sends them, for mapping_pagerduty to convert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from firehouse.importers.api import ApiReader, Json, Params

DEFAULT_URL = "https://api.pagerduty.com"
KEY_VARIABLE = "PAGERDUTY_API_KEY"
ACCEPT = "application/vnd.pagerduty+json;version=2"
PAGE_SIZE = 100
OVERRIDE_DAYS = 90  # PagerDuty answers override queries over a bounded range


@dataclass
class PagerdutyAccount:
    users: list[Json] = field(default_factory=list)
    teams: list[Json] = field(default_factory=list)
    schedules: list[Json] = field(default_factory=list)  # full, with `schedule_layers`
    overrides: dict[str, list[Json]] = field(default_factory=dict)  # by schedule id
    escalation_policies: list[Json] = field(default_factory=list)
    services: list[Json] = field(default_factory=list)


def reader(
    api_url: str,
    key: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
) -> ApiReader:
    headers = {"Authorization": f"Token token={key}", "Accept": ACCEPT}
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    return ApiReader(
        "PagerDuty", api_url, headers, key_variable=KEY_VARIABLE, transport=transport, **extra
    )


def read_account(api: ApiReader, now: datetime, page_size: int = PAGE_SIZE) -> PagerdutyAccount:
    account = PagerdutyAccount()
    users_params: Params = {"include[]": ["contact_methods"]}
    account.users = list(_pages(api, "/users", "users", page_size, users_params))
    account.teams = list(_pages(api, "/teams", "teams", page_size))
    window = {
        "since": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "until": (now + timedelta(days=OVERRIDE_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for listed in _pages(api, "/schedules", "schedules", page_size):
        schedule_id = str(listed["id"])
        full = api.get(f"/schedules/{schedule_id}").get("schedule")
        account.schedules.append(full if isinstance(full, dict) else listed)
        overrides = api.get(f"/schedules/{schedule_id}/overrides", window).get("overrides")
        account.overrides[schedule_id] = _dicts(overrides)
    account.escalation_policies = list(
        _pages(api, "/escalation_policies", "escalation_policies", page_size)
    )
    account.services = list(_pages(api, "/services", "services", page_size))
    return account


def _pages(
    api: ApiReader, path: str, key: str, page_size: int, params: Params | None = None
) -> Iterator[Json]:
    """Every record of a classic PagerDuty list: offset/limit while `more` is true."""
    offset = 0
    while True:
        body = api.get(path, {**(params or {}), "limit": page_size, "offset": offset})
        records = _dicts(body.get(key))
        yield from records
        if body.get("more") is not True or not records:
            return
        offset += len(records)


def _dicts(value: Any) -> list[Json]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
