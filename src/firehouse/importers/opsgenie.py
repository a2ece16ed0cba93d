"""Reading an OpsGenie account through its REST API, for `firehouse import opsgenie`.

Endpoints (all GET, `Authorization: GenieKey <key>`): /v2/users (offset/limit, `paging.next`),
/v2/users/{id}/contacts (for phone numbers), /v2/teams and /v2/teams/{id} (members),
/v2/schedules?expand=rotation, /v2/schedules/{id}/overrides, /v2/escalations, /v1/services.
Lists are followed through `paging.next` wherever OpsGenie gives one. Nothing is interpreted
here: the records are kept as OpsGenie sends them, for mapping_opsgenie to convert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from firehouse.importers.api import ApiReader, Json

DEFAULT_URL = "https://api.opsgenie.com"
EU_URL = "https://api.eu.opsgenie.com"
KEY_VARIABLE = "OPSGENIE_API_KEY"
PAGE_SIZE = 100


@dataclass
class OpsgenieAccount:
    users: list[Json] = field(default_factory=list)
    contacts: dict[str, list[Json]] = field(default_factory=dict)  # by user id
    teams: list[Json] = field(default_factory=list)  # with `members`
    schedules: list[Json] = field(default_factory=list)  # with `rotations`
    overrides: dict[str, list[Json]] = field(default_factory=dict)  # by schedule id
    escalations: list[Json] = field(default_factory=list)
    services: list[Json] = field(default_factory=list)


def reader(
    api_url: str,
    key: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
) -> ApiReader:
    headers = {"Authorization": f"GenieKey {key}", "Accept": "application/json"}
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    return ApiReader(
        "OpsGenie", api_url, headers, key_variable=KEY_VARIABLE, transport=transport, **extra
    )


def read_account(api: ApiReader, page_size: int = PAGE_SIZE) -> OpsgenieAccount:
    account = OpsgenieAccount()
    account.users = list(_pages(api, "/v2/users", page_size))
    for user in account.users:
        account.contacts[str(user["id"])] = _data_list(api.get(f"/v2/users/{user['id']}/contacts"))
    for team in _pages(api, "/v2/teams", page_size):
        detail = api.get(f"/v2/teams/{team['id']}", {"identifierType": "id"}).get("data")
        account.teams.append(detail if isinstance(detail, dict) else team)
    account.schedules = list(_pages(api, "/v2/schedules", page_size, expand="rotation"))
    for schedule in account.schedules:
        path = f"/v2/schedules/{schedule['id']}/overrides"
        account.overrides[str(schedule["id"])] = _data_list(
            api.get(path, {"scheduleIdentifierType": "id"})
        )
    account.escalations = list(_pages(api, "/v2/escalations", page_size))
    account.services = list(_pages(api, "/v1/services", page_size))
    return account


def _pages(api: ApiReader, path: str, page_size: int, **params: str) -> Iterator[Json]:
    """Every record of a list: offset/limit, then each `paging.next` until there is none."""
    body = api.get(path, {**params, "limit": page_size, "offset": 0})
    seen: set[str] = set()
    while True:
        yield from _data_list(body)
        paging = body.get("paging")
        following = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(following, str) or not following or following in seen:
            return
        seen.add(following)
        body = api.get(api.same_origin_path(following))


def _data_list(body: Json) -> list[Json]:
    data = body.get("data")
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
