"""Schema migrations: apply them, and tell whether a database is at the current head.

The migration scripts ship inside the package, so `firehouse db upgrade` works from a plain
`pip install` as well as from a checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
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


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


@lru_cache(maxsize=1)
def known_revisions() -> tuple[str, ...]:
    """Every revision this release ships, oldest first (read once: /readyz asks often)."""
    script = ScriptDirectory(str(MIGRATIONS))
    return tuple(reversed([rev.revision for rev in script.walk_revisions()]))


@dataclass(frozen=True)
class MigrationStatus:
    """Where a database's schema stands relative to this release's migrations.

    A database at a revision this release does not know was upgraded by a later release.
    Its migrations only expand the schema (docs/upgrades.md), so this release still works
    against it: such a database counts as ready, or a rolling upgrade would see every old
    process turn unready the moment the migration job finished.
    """

    current: str | None
    head: str | None
    error: str | None = None
    known: bool = True

    @property
    def newer(self) -> bool:
        """Written by a later release: at a revision this release has never heard of."""
        return self.error is None and not self.known

    @property
    def behind(self) -> bool:
        return self.error is None and self.known and self.current != self.head

    @property
    def ready(self) -> bool:
        return self.error is None and not self.behind

    def describe(self) -> str:
        if self.error:
            return f"unreachable: {self.error}"
        if self.newer:
            return (
                f"ok at {self.head}; the database is newer ({self.current}), "
                "written by a later release"
            )
        if self.behind:
            return (
                f"migrations pending: at {self.current}, head is {self.head}; "
                "run `firehouse db upgrade`"
            )
        return f"ok at {self.current}"


def migration_status(engine: Engine) -> MigrationStatus:
    revisions = known_revisions()
    head = revisions[-1] if revisions else None
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        return MigrationStatus(current=None, head=head, error=type(exc).__name__)
    known = current is None or current in revisions
    return MigrationStatus(current=current, head=head, known=known)
