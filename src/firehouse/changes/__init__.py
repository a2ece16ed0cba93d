"""The change feed: hints that tell live readers when to look at the database again.

See `feed` for the model and the two channels. `build_feed` picks the implementation the
database allows: PostgreSQL hears every process (LISTEN/NOTIFY, `postgres`); SQLite has no
cross-process signal, so its feed hears this process's commits only (`sessions`) and readers
keep polling for the rest.
"""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from firehouse.changes.feed import CHANNELS, INCIDENT, STATUSPAGE, ChangeFeed, Subscription
from firehouse.changes.postgres import PostgresFeed, connector
from firehouse.changes.sessions import InProcessFeed
from firehouse.db import Database, is_sqlite

__all__ = ["CHANNELS", "INCIDENT", "STATUSPAGE", "ChangeFeed", "Subscription", "build_feed"]


def build_feed(db: Database, listen_url: str | None = None) -> ChangeFeed:
    """Not started: the app starts it in its lifespan and stops it at shutdown. `listen_url`
    reaches PostgreSQL directly when the database URL goes through a transaction-pooling
    proxy (PgBouncer), where LISTEN does not survive the end of a transaction."""
    if is_sqlite(db.engine):
        return InProcessFeed(db)
    engine = db.engine if listen_url is None else create_engine(listen_url, poolclass=NullPool)
    return PostgresFeed(connector(engine))
