"""chat channels

Revision ID: 0002
Revises: 0001

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import firehouse.db


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_event_receipts",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_chat_event_receipts")),
    )
    op.create_table(
        "chat_identities",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("handle", sa.String(length=100), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("updated_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_chat_identities_person_id_people")
        ),
        sa.PrimaryKeyConstraint("provider", "user_id", name=op.f("pk_chat_identities")),
    )
    op.create_table(
        "chat_posts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=64), nullable=False),
        sa.Column("posted_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_chat_posts_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_posts")),
        sa.UniqueConstraint("incident_id", "key", name=op.f("uq_chat_posts_incident_id")),
    )
    op.create_table(
        "incident_channels",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("steps_done", sa.JSON(), nullable=False),
        sa.Column("invited", sa.JSON(), nullable=False),
        sa.Column("summary_ts", sa.String(length=64), nullable=True),
        sa.Column("archive_due_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("archived_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_channels_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_channels")),
    )


def downgrade() -> None:
    op.drop_table("incident_channels")
    op.drop_table("chat_posts")
    op.drop_table("chat_identities")
    op.drop_table("chat_event_receipts")
