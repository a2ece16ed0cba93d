"""Group commit's fast lane: the repeats of a whole batch of deliveries counted in bulk.

Nearly every alert a monitoring system sends repeats one that is already open. One UPDATE per
repeat, each a round through SQLAlchemy's execution machinery, was most of the intake's time;
here a batch costs one SELECT of the open alerts it names and one executemany of the counting
UPDATE, which the database driver runs in its own loop.

Only triggers whose alert is open, and whose key no resolve or acknowledge in the same batch
touches, take this lane: their order relative to other events of the batch then cannot matter.
Everything else goes the careful way (service.ingest). The UPDATE is guarded by the open key,
so a concurrent resolve in another process between the SELECT and the UPDATE shows as a row
count short of the batch; the lane then rolls back to its savepoint and hands every event to
the careful way, which handles that race already.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from firehouse.alerts.events import Action, AlertEvent, IngestResult, Outcome
from firehouse.alerts.service_ingest import ALERTS, counting_update, key_of, repeat_values
from firehouse.incidents.model import Incident

Position = tuple[int, int]  # (delivery, event) in the batch
_ALERTS = ALERTS
_CHUNK = 500  # keys per SELECT, well under every driver's parameter limit

_COUNT_ONE = counting_update(
    _ALERTS.c.id == bindparam("p_id"), _ALERTS.c.open_key == bindparam("p_key")
)


def count_repeats(
    session: Session, deliveries: Sequence[Sequence[AlertEvent]], *, now: datetime
) -> dict[Position, IngestResult]:
    """Counts every repeat the lane can take and returns their results by position; the
    events not in the answer are still to be ingested."""
    eligible = _eligible(deliveries)
    if not eligible:
        return {}
    open_alerts = _open_alerts(session, sorted({key for key, _ in eligible.values()}))
    taken = {
        position: (key, event) for position, (key, event) in eligible.items() if key in open_alerts
    }
    if not taken:
        return {}
    # Rows in key order, as everywhere in the intake: no two transactions lock crosswise.
    ordered = sorted(taken.items(), key=lambda item: (item[1][0], item[0]))
    params = [
        {"p_id": open_alerts[key][0], "p_key": key, **repeat_values(event, now)}
        for _, (key, event) in ordered
    ]
    savepoint = session.begin_nested()
    counted = session.connection().execute(_COUNT_ONE, params).rowcount
    if counted != len(params):  # something was resolved meanwhile: let the careful way decide
        savepoint.rollback()
        return {}
    savepoint.commit()
    return {
        position: IngestResult(Outcome.REPEATED, event.fingerprint, *open_alerts[key])
        for position, (key, event) in taken.items()
    }


# Locks in one fixed order (by 64-bit hash of the key), inside the one statement.
_LOCK_KEYS = text(
    "SELECT pg_advisory_xact_lock(h) FROM "
    "(SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(CAST(:keys AS text[])) AS k "
    "ORDER BY h) AS ordered"
)


def lock_keys(session: Session, deliveries: Sequence[Sequence[AlertEvent]]) -> None:
    """On PostgreSQL, take a transaction lock on every alert key the batch touches, all in
    one global order, before touching any row.

    Two processes' batches carry the same alerts in different orders, and the careful way
    applies a batch delivery by delivery: without this, one process inserting a new alert
    that the other inserted first (the unique index waits) while the other waits on a row
    the first updated is a deadlock, which PostgreSQL breaks after a second by failing one
    batch (a 503 for every request in it). With every batch taking its keys' locks in the
    same order first, the second simply waits for the first to commit. SQLite has one
    writer at a time and needs none of this.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({key_of(event) for events in deliveries for event in events})
    if keys:
        session.execute(_LOCK_KEYS, {"keys": keys})


def _eligible(
    deliveries: Sequence[Sequence[AlertEvent]],
) -> dict[Position, tuple[str, AlertEvent]]:
    triggers: dict[Position, tuple[str, AlertEvent]] = {}
    touched: set[str] = set()
    for d, events in enumerate(deliveries):
        for e, event in enumerate(events):
            key = key_of(event)
            if event.action is Action.TRIGGER:
                triggers[(d, e)] = (key, event)
            else:
                touched.add(key)
    return {pos: item for pos, item in triggers.items() if item[0] not in touched}


def _open_alerts(session: Session, keys: list[str]) -> dict[str, tuple[int, int | None]]:
    """Open key -> (alert id, its incident's number)."""
    found: dict[str, tuple[int, int | None]] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            select(_ALERTS.c.open_key, _ALERTS.c.id, Incident.number)
            .select_from(_ALERTS.outerjoin(Incident, Incident.id == _ALERTS.c.incident_id))
            .where(_ALERTS.c.open_key.in_(keys[start : start + _CHUNK]))
        )
        for key, alert_id, number in rows:
            found[key] = (alert_id, number)
    return found
