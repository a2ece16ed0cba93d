"""atlassian statuspage: which Atlassian incident mirrors which public incident

Revision ID: 0004
Revises: 0003

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import firehouse.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "atlassian_statuspage_incidents",
        sa.Column("page_id", sa.String(length=64), nullable=False),
        sa.Column("public_incident_id", sa.String(length=20), nullable=False),
        sa.Column("atlassian_incident_id", sa.String(length=64), nullable=True),
        sa.Column("attempted_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("linked_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_event_id", sa.BigInteger(), nullable=True),
        sa.Column("pending_update_id", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["public_incident_id"],
            ["public_incidents.id"],
            name=op.f("fk_atlassian_statuspage_incidents_public_incident_id_public_incidents"),
        ),
        sa.PrimaryKeyConstraint(
            "page_id", "public_incident_id", name=op.f("pk_atlassian_statuspage_incidents")
        ),
    )


def downgrade() -> None:
    op.drop_table("atlassian_statuspage_incidents")
