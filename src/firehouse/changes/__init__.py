"""The change feed: hints that tell live readers when to look at the database again.

See `feed` for the model and the two channels. `build_feed` picks the implementation the
database allows: PostgreSQL hears every process (LISTEN/NOTIFY, `postgres`); SQLite has no
cross-process signal, so its feed hears this process's commits only (`sessions`) and readers
keep polling for the rest.
"""

from __future__ import annotations

from firehouse.changes.feed import CHANNELS, INCIDENT, STATUSPAGE, ChangeFeed, Subscription
from firehouse.changes.postgres import PostgresFeed, connector
from firehouse.changes.sessions import InProcessFeed
from firehouse.db import Database, is_sqlite

__all__ = ["CHANNELS", "INCIDENT", "STATUSPAGE", "ChangeFeed", "Subscription", "build_feed"]


def build_feed(db: Database) -> ChangeFeed:
    """Not started: the app starts it in its lifespan and stops it at shutdown."""
    if is_sqlite(db.engine):
        return InProcessFeed(db)
    return PostgresFeed(connector(db.engine))
