"""This process's commits, told to the change feed (the SQLite feed; no other process hears).

SQLAlchemy's session events see what each flush wrote; the hints are kept on the session
and published only once its transaction commits (a rollback drops them), so a woken reader
finds the change already visible. Bulk statements (`session.execute(update(...))`) name a
table but not its rows: they wake the whole channel. Writes that bypass the ORM session are
not seen; the readers' regular polling covers them, as it covers other processes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from firehouse.changes.feed import INCIDENT, STATUSPAGE, ChangeFeed
from firehouse.db import Database

# Table -> (channel, the column holding the key, or None for the whole channel). The
# PostgreSQL triggers (migration 0010) watch the same tables.
WATCHED: dict[str, tuple[str, str | None]] = {
    "incidents": (INCIDENT, "id"),
    "timeline_entries": (INCIDENT, "incident_id"),
    "statuspage_components": (STATUSPAGE, None),
    "public_incidents": (STATUSPAGE, None),
    "public_incident_components": (STATUSPAGE, None),
    "statuspage_maintenances": (STATUSPAGE, None),
    "public_updates": (STATUSPAGE, None),
    "organisation_settings": (STATUSPAGE, None),
}

_PENDING = "firehouse_changes_pending"

Hint = tuple[str, str | None]


class CommitWatcher:
    """Listens to every Session of the process, keeping only those bound to `db`'s engine."""

    def __init__(self, db: Database, feed: ChangeFeed) -> None:
        self._pool = db.engine.pool
        self._feed = feed
        self._pending = f"{_PENDING}:{id(self)}"  # two watchers in one process keep apart
        self._installed = False
        self._hooks: tuple[tuple[str, Any], ...] = (
            ("after_flush", self._flushed),
            ("do_orm_execute", self._executed),
            ("after_commit", self._committed),
            ("after_rollback", self._rolled_back),
        )

    def install(self) -> None:
        if not self._installed:
            for name, hook in self._hooks:
                event.listen(Session, name, hook)
            self._installed = True

    def remove(self) -> None:
        if self._installed:
            for name, hook in self._hooks:
                event.remove(Session, name, hook)
            self._installed = False

    def _mine(self, session: Session) -> bool:
        return getattr(session.bind, "pool", None) is self._pool

    def _flushed(self, session: Session, _context: Any) -> None:
        if not self._mine(session):
            return
        hints: set[Hint] = session.info.setdefault(self._pending, set())
        for instance in (*session.new, *session.dirty, *session.deleted):
            hint = _hint(instance)
            if hint is not None:
                hints.add(hint)

    def _executed(self, state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        if not self._mine(state.session):
            return
        table = getattr(state.statement, "table", None)
        watched = WATCHED.get(getattr(table, "name", ""))
        if watched is not None:
            state.session.info.setdefault(self._pending, set()).add((watched[0], None))

    def _committed(self, session: Session) -> None:
        hints: set[Hint] = session.info.pop(self._pending, set())
        for channel, key in hints:
            self._feed.publish(channel, key)

    def _rolled_back(self, session: Session) -> None:
        session.info.pop(self._pending, None)


def _hint(instance: object) -> Hint | None:
    table = getattr(instance, "__tablename__", None)
    watched = WATCHED.get(table) if isinstance(table, str) else None
    if watched is None:
        return None
    channel, column = watched
    if column is None:
        return (channel, None)
    key = getattr(instance, column, None)
    return (channel, None if key is None else str(key))


class InProcessFeed(ChangeFeed):
    """The feed on SQLite: fed by this process's commits, so never `cross_process`."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._watcher = CommitWatcher(db, self)

    def start(self) -> None:
        self._watcher.install()

    def stop(self) -> None:
        self._watcher.remove()
