"""Schema migrations: apply them, and tell whether a database is at the current head.

The migration scripts ship inside the package, so `firehouse db upgrade` works from a plain
`pip install` as well as from a checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


@dataclass(frozen=True)
class MigrationStatus:
    current: str | None
    head: str | None
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.error is None and self.current == self.head

    def describe(self) -> str:
        if self.error:
            return f"unreachable: {self.error}"
        if self.current != self.head:
            return (
                f"migrations pending: at {self.current}, head is {self.head}; "
                "run `firehouse db upgrade`"
            )
        return f"ok at {self.current}"


def migration_status(engine: Engine) -> MigrationStatus:
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        return MigrationStatus(current=None, head=head, error=type(exc).__name__)
    return MigrationStatus(current=current, head=head)
