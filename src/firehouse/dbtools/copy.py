"""`firehouse db copy`: move every row of one firehouse database into another, empty one.

The main use is a team outgrowing SQLite: copy its database into PostgreSQL and point the
servers at the new URL. The copy keeps every primary key (links, timeline entries and
outbox deliveries refer to them), runs in one transaction on the target (all of it lands or
none of it does), reads the source in one transaction (a consistent snapshot), and on
PostgreSQL moves each id sequence past the copied rows so the next insert gets a fresh id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, Connection, Engine, MetaData, Table, func, insert, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from firehouse.db import Database, is_sqlite
from firehouse.errors import Conflict, InvalidInput
from firehouse.migrate import migration_status, upgrade
from firehouse.models import metadata

BATCH_SIZE = 1000

# Rows a fresh migration inserts by itself (0001 seeds the incident counter). They do not
# make a target "in use"; the source's rows replace them.
SEEDED_TABLES = frozenset({"incident_counters"})


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int


@dataclass(frozen=True)
class CopyReport:
    tables: tuple[CopiedTable, ...]

    @property
    def total(self) -> int:
        return sum(table.rows for table in self.tables)


def parse_url(value: str, *, field: str) -> URL:
    """`value` as a database URL this installation can open, or an error naming `field`."""
    try:
        url = make_url(value)
        url.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise InvalidInput(
            "not a database URL; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
            field=field,
        ) from None
    return url


def safe(url: str | URL) -> str:
    """A URL fit to print: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def same_database(first: URL, second: URL) -> bool:
    if first.get_backend_name() != second.get_backend_name():
        return False
    if first.get_backend_name() == "sqlite":
        return _sqlite_path(first) == _sqlite_path(second)
    return (first.host, first.port or 5432, first.database) == (
        second.host,
        second.port or 5432,
        second.database,
    )


def _sqlite_path(url: URL) -> str:
    return str(Path(url.database).resolve()) if url.database else ":memory:"


def copy_database(source_url: str, target_url: str, *, batch_size: int = BATCH_SIZE) -> CopyReport:
    """Copy every table from `source_url` into `target_url`, which must hold no data yet."""
    target = parse_url(target_url, field="--to")
    if same_database(make_url(source_url), target):
        raise InvalidInput("is the database being copied; name another database", field="--to")
    source_db = Database(source_url)
    try:
        _require_current(source_db.engine)
        _require_known(target_url)
        upgrade(target_url)
        target_db = Database(target_url)
        try:
            return _copy(source_db.engine, target_db, batch_size)
        finally:
            target_db.dispose()
    finally:
        source_db.dispose()


def _require_current(engine: Engine) -> None:
    state = migration_status(engine)
    if state.error is not None or state.current != state.head:
        raise Conflict(
            f"the source database is not at this release's newest migration ({state.head}): "
            f"{state.describe()}; run `firehouse db upgrade` on it first"
        )


def _require_known(target_url: str) -> None:
    """A target a later release migrated has tables this release cannot fill."""
    target_db = Database(target_url)
    try:
        state = migration_status(target_db.engine)
    finally:
        target_db.dispose()
    if state.newer:
        raise Conflict(
            f"the target database is at migration {state.current}, from a later release; "
            "copy with that release",
            field="--to",
        )


def _copy(source: Engine, target_db: Database, batch_size: int) -> CopyReport:
    snapshot = (
        source if is_sqlite(source) else source.execution_options(isolation_level="REPEATABLE READ")
    )
    with snapshot.connect() as reading, reading.begin(), target_db.write() as session:
        writing = session.connection()
        _require_empty(writing)
        copied = []
        for table in metadata.sorted_tables:
            if table.name in SEEDED_TABLES:
                writing.execute(table.delete())
            rows = sum(
                _insert(writing, table, batch) for batch in _batches(reading, table, batch_size)
            )
            copied.append(CopiedTable(table.name, rows))
        if not is_sqlite(target_db.engine):
            _reset_sequences(writing)
        _verify(reading, writing, copied)
    return CopyReport(tables=tuple(copied))


def _require_empty(connection: Connection) -> None:
    for table in metadata.sorted_tables:
        if table.name in SEEDED_TABLES:
            continue
        count = _count(connection, table)
        if count:
            raise Conflict(
                f"target database is not empty: table {table.name} has {count} rows; "
                "copy needs an empty database"
            )


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _nullable_json(table: Table) -> list[Column[Any]]:
    return [column for column in table.columns if isinstance(column.type, JSON) and column.nullable]


def _batches(connection: Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in primary-key order, `size` at a time.

    A nullable JSON column may hold SQL NULL or JSON null, and both read back as None; the
    extra `IS NULL` column tells them apart so the copy writes back the same one.
    """
    json_columns = _nullable_json(table)
    flags = [column.is_(None).label(f"_sql_null_{column.key}") for column in json_columns]
    query = select(*table.columns, *flags).order_by(*table.primary_key.columns)
    result = connection.execution_options(yield_per=size).execute(query)
    keys = [column.key for column in table.columns]
    for partition in result.partitions():
        batch = []
        for row in partition:
            values = dict(zip(keys, row[: len(keys)], strict=True))
            for column, is_sql_null in zip(json_columns, row[len(keys) :], strict=True):
                if values[column.key] is None and not is_sql_null:
                    values[column.key] = JSON.NULL
            batch.append(values)
        yield batch


def _insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    connection.execute(insert(_writable(table)), list(rows))
    return len(rows)


@lru_cache
def _writable(table: Table) -> Table:
    """The table with None in nullable JSON columns written as SQL NULL, not JSON null."""
    if not _nullable_json(table):
        return table
    clone = table.to_metadata(MetaData())
    for column in _nullable_json(clone):
        column.type = JSON(none_as_null=True)
    return clone


def _reset_sequences(connection: Connection) -> None:
    """Point each id sequence past the copied ids, so the next insert does not collide."""
    for table in metadata.sorted_tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or columns[0].type.python_type is not int:
            continue
        name = columns[0].name
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608 -- names from our own metadata
                f'coalesce(max("{name}"), 0) + 1, false) FROM "{table.name}"'
            ),
            {"table": table.name, "column": name},
        )


def _verify(reading: Connection, writing: Connection, copied: list[CopiedTable]) -> None:
    for entry in copied:
        table = metadata.tables[entry.name]
        expected, found = _count(reading, table), _count(writing, table)
        if expected != found or found != entry.rows:
            raise Conflict(
                f"copy check failed: table {entry.name} has {expected} rows in the source "
                f"but {found} in the target; nothing was copied"
            )
