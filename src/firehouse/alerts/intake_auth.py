"""Per-integration keys for the intake endpoints, checked in memory.

firehouse.yaml's `intake.keys` names each key and the environment variable holding its value
(`config apply` stores the names, never a value, as the organisation setting `intake.keys`).
The values are read from this process's environment when the list is loaded, so a key is
rotated by restarting with the new value; no secret ever reaches the database or a log.

Until a config with an `intake:` section is applied, one key named `default` is read from
FIREHOUSE_INTAKE_KEY, so `make run` with the variable set takes alerts at once. Once applied,
only the declared keys count (an empty list turns intake off).

Loading costs a database read, so the list is remembered for `KEYS_TTL_SECONDS` (like
`auth.recent`): a key added or removed by `config apply` takes effect within that time.
A presented key is compared with every configured key by `hmac.compare_digest`, without
stopping at the first match, so the answer's timing says nothing about which key was near.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from firehouse.catalog.model import OrganisationSetting
from firehouse.db import Database

SETTING = "intake.keys"
DEFAULT_KEY_NAME = "default"
DEFAULT_KEY_ENV = "FIREHOUSE_INTAKE_KEY"
KEYS_TTL_SECONDS = 5.0

Declared = tuple[tuple[str, str], ...]  # (name, key_env) pairs


@dataclass(frozen=True)
class IntakeKey:
    name: str
    value: bytes = field(repr=False)  # never in a repr, a log line or an error


def declared_keys(session: Session) -> Declared | None:
    """The (name, key_env) pairs `config apply` stored; None when no config declared any."""
    row = session.get(OrganisationSetting, SETTING)
    if row is None:
        return None
    return _pairs(row.value)


def _pairs(value: Any) -> Declared:
    """Accepts the list of `{name, key_env}` or the whole `{keys: [...]}` section."""
    if isinstance(value, dict):
        value = value.get("keys", [])
    pairs = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            env = entry.get("key_env")
            if isinstance(env, str) and env:
                pairs.append((entry["name"], env))
    return tuple(pairs)


def resolve_keys(declared: Declared | None, environ: Mapping[str, str]) -> tuple[IntakeKey, ...]:
    """Keys whose variable is set to something; an unset or blank one matches nothing."""
    if declared is None:
        declared = ((DEFAULT_KEY_NAME, DEFAULT_KEY_ENV),)
    keys = []
    for name, env in declared:
        value = environ.get(env, "").strip()
        if value:
            keys.append(IntakeKey(name, value.encode("utf-8")))
    return tuple(keys)


def find_key(keys: Sequence[IntakeKey], presented: str) -> IntakeKey | None:
    """The key equal to `presented`, comparing against all of them in constant time each."""
    candidate = presented.strip().encode("utf-8", "replace")
    found = None
    for key in keys:
        if hmac.compare_digest(key.value, candidate) and found is None:
            found = key
    return found if candidate else None


class IntakeKeys:
    """The configured keys of one process, reloaded when older than the TTL."""

    def __init__(
        self,
        load: Callable[[], Declared | None],
        *,
        environ: Mapping[str, str] = os.environ,
        ttl: float = KEYS_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._environ = environ
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._keys: tuple[IntakeKey, ...] = ()
        self._loaded_at: float | None = None

    @classmethod
    def for_database(cls, db: Database) -> IntakeKeys:
        def load() -> Declared | None:
            with db.read() as session:
                return declared_keys(session)

        return cls(load)

    @property
    def fresh(self) -> bool:
        """Whether `match` can answer without touching the database."""
        loaded = self._loaded_at
        return loaded is not None and self._monotonic() - loaded < self._ttl

    def reload(self) -> None:
        keys = resolve_keys(self._load(), self._environ)
        with self._lock:
            self._keys, self._loaded_at = keys, self._monotonic()

    def match(self, presented: str) -> IntakeKey | None:
        """Blocking only when stale (a database read); call it off the event loop then."""
        if not self.fresh:
            self.reload()
        return find_key(self._keys, presented)

    def forget(self) -> None:
        with self._lock:
            self._loaded_at = None
