"""The incident list as CSV: every incident the criteria match, not just one page.

Rows are read in keyset batches, each in its own short read transaction, so a slow download
holds no transaction open and memory stays flat however many rows go out. The export stops
at MAX_ROWS; a narrower filter gets the rest. Cells a spreadsheet would run as a formula are
defused with a leading apostrophe (see `defuse`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from firehouse.db import Database
from firehouse.incidents.model import Incident, RoleAssignment
from firehouse.incidents.policy import Role
from firehouse.incidents.search import Criteria, conditions
from firehouse.incidents.visibility import Sight

MAX_ROWS = 100_000
BATCH = 1_000
COLUMNS = (
    "number",
    "priority",
    "status",
    "service",
    "message",
    "commander",
    "reporter",
    "declared_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "training",
    "private",
)
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_COMMANDER = (
    select(RoleAssignment.person_id)
    .where(RoleAssignment.incident_id == Incident.id, RoleAssignment.role == Role.COMMANDER.value)
    .order_by(RoleAssignment.id)
    .limit(1)
    .scalar_subquery()
)
# Columns, not ORM objects: an export of 100,000 rows spends its time building rows.
_SELECTED: tuple[Any, ...] = (
    Incident.number,
    Incident.priority,
    Incident.status,
    Incident.service_id,
    Incident.message,
    _COMMANDER,
    Incident.reporter,
    Incident.created_at,
    Incident.acknowledged_at,
    Incident.resolved_at,
    Incident.closed_at,
    Incident.training,
    Incident.private,
)


def row_of(row: Row[Any]) -> list[str]:
    number, priority, status, service, message, commander, reporter, *rest = tuple(row)
    declared, acknowledged, resolved, closed, training, private = rest
    cells = [
        str(number),
        priority,
        status,
        service,
        message,
        commander or "",
        reporter or "",
        _moment(declared),
        _moment(acknowledged),
        _moment(resolved),
        _moment(closed),
        "true" if training else "false",
        "true" if private else "false",
    ]
    return [defuse(cell) for cell in cells]


def _batch(session: Session, where: list[Any], before: int | None, limit: int) -> list[Row[Any]]:
    if before is not None:
        where = [*where, Incident.number < before]
    query = select(*_SELECTED).where(*where).order_by(Incident.number.desc()).limit(limit)
    return list(session.execute(query))


def csv_chunks(db: Database, criteria: Criteria, sight: Sight) -> Iterator[str]:
    """The header, then one chunk of CSV text per batch, newest incident first. The page
    cursors in `criteria` are ignored: an export is every match."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield _drain(buffer)
    where = conditions(criteria, sight)
    sent = 0
    before: int | None = None
    while sent < MAX_ROWS:
        with db.read() as session:
            batch = _batch(session, where, before, min(BATCH, MAX_ROWS - sent))
        if not batch:
            return
        writer.writerows(row_of(row) for row in batch)
        sent += len(batch)
        before = batch[-1].number
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
