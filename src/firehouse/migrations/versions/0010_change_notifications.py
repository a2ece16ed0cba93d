"""Change notifications: triggers that NOTIFY the change feed (PostgreSQL only)

Every write to an incident, its timeline or the status page's tables sends a hint on
`firehouse_incident` (payload: the incident id) or `firehouse_statuspage` (no payload), so
each process's live readers hear every writer, whichever process or command it is.
Triggers are per statement, reading the statement's transition table: a bulk update sends
one notification per incident it touched (or, above `BULK`, one that means "all"), and a
statement that changed nothing sends none. NOTIFY is transactional: delivered at commit,
identical ones folded. SQLite has no cross-process signal; there this migration does nothing.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BULK = 100  # above this many incidents in one statement, one "everything changed" hint

INCIDENT_TABLES = {"incidents": "id", "timeline_entries": "incident_id"}
STATUSPAGE_TABLES = (
    "statuspage_components",
    "public_incidents",
    "public_incident_components",
    "statuspage_maintenances",
    "public_updates",
    "organisation_settings",
)
EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}


def _incident_function(table: str, column: str) -> str:
    return f"""
CREATE FUNCTION firehouse_notify_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text[];
BEGIN
    SELECT array_agg(DISTINCT {column}::text) INTO ids FROM changed_rows;
    IF ids IS NULL THEN
        RETURN NULL;
    ELSIF cardinality(ids) > {BULK} THEN
        PERFORM pg_notify('firehouse_incident', '');
    ELSE
        PERFORM pg_notify('firehouse_incident', id) FROM unnest(ids) AS id;
    END IF;
    RETURN NULL;
END
$$"""  # noqa: S608 -- the names come from the constants above, never from input


STATUSPAGE_FUNCTION = """
CREATE FUNCTION firehouse_notify_statuspage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_rows) THEN
        PERFORM pg_notify('firehouse_statuspage', '');
    END IF;
    RETURN NULL;
END
$$"""


def _triggers() -> list[tuple[str, str, str]]:
    """(table, event, function) for every trigger; one per event, as PostgreSQL requires
    of triggers with a transition table."""
    watched = [(table, f"firehouse_notify_{table}") for table in INCIDENT_TABLES]
    watched += [(table, "firehouse_notify_statuspage") for table in STATUSPAGE_TABLES]
    return [(table, event, function) for table, function in watched for event in EVENTS]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in INCIDENT_TABLES.items():
        op.execute(_incident_function(table, column))
    op.execute(STATUSPAGE_FUNCTION)
    for table, event, function in _triggers():
        op.execute(
            f"CREATE TRIGGER firehouse_notify_{event} AFTER {event.upper()} ON {table} "
            f"REFERENCING {EVENTS[event]} TABLE AS changed_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, event, _function in _triggers():
        op.execute(f"DROP TRIGGER IF EXISTS firehouse_notify_{event} ON {table}")
    for table in INCIDENT_TABLES:
        op.execute(f"DROP FUNCTION IF EXISTS firehouse_notify_{table}()")
    op.execute("DROP FUNCTION IF EXISTS firehouse_notify_statuspage()")
