"""status page

Revision ID: 0003
Revises: 0002

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import firehouse.db


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statuspage_components",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_components")),
    )
    op.create_table(
        "statuspage_maintenances",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scheduled_for", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_until", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("component_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_maintenances")),
    )
    with op.batch_alter_table("statuspage_maintenances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statuspage_maintenances_scheduled_for", ["scheduled_for"], unique=False
        )

    op.create_table(
        "statuspage_subscribers",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=2000), nullable=False),
        sa.Column("component_ids", sa.JSON(), nullable=False),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=True),
        sa.Column("unsubscribe_token_hash", sa.String(length=64), nullable=False),
        sa.Column("signing_secret", sa.String(length=200), nullable=True),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_subscribers")),
        sa.UniqueConstraint(
            "confirm_token_hash", name=op.f("uq_statuspage_subscribers_confirm_token_hash")
        ),
        sa.UniqueConstraint(
            "unsubscribe_token_hash", name=op.f("uq_statuspage_subscribers_unsubscribe_token_hash")
        ),
    )
    op.create_table(
        "public_incidents",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("impact", sa.String(length=20), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("monitoring_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution_proposed_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_public_incidents_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_incidents")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_public_incidents_incident_id")),
    )
    with op.batch_alter_table("public_incidents", schema=None) as batch_op:
        batch_op.create_index("ix_public_incidents_created_at", ["created_at"], unique=False)

    op.create_table(
        "public_incident_components",
        sa.Column("public_incident_id", sa.String(length=20), nullable=False),
        sa.Column("component_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["statuspage_components.id"],
            name=op.f("fk_public_incident_components_component_id_statuspage_components"),
        ),
        sa.ForeignKeyConstraint(
            ["public_incident_id"],
            ["public_incidents.id"],
            name=op.f("fk_public_incident_components_public_incident_id_public_incidents"),
        ),
        sa.PrimaryKeyConstraint(
            "public_incident_id", "component_id", name=op.f("pk_public_incident_components")
        ),
    )
    op.create_table(
        "public_updates",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("public_incident_id", sa.String(length=20), nullable=True),
        sa.Column("maintenance_id", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("affected_components", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["maintenance_id"],
            ["statuspage_maintenances.id"],
            name=op.f("fk_public_updates_maintenance_id_statuspage_maintenances"),
        ),
        sa.ForeignKeyConstraint(
            ["public_incident_id"],
            ["public_incidents.id"],
            name=op.f("fk_public_updates_public_incident_id_public_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_updates")),
    )
    with op.batch_alter_table("public_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_updates_maintenance_id"), ["maintenance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_public_updates_public_incident_id"), ["public_incident_id"], unique=False
        )

    with op.batch_alter_table("priority_levels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("statuspage_component_status", sa.String(length=30), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "statuspage_publish",
                sa.String(length=20),
                nullable=False,
                server_default="confirm",  # rows applied before the status page existed
            )
        )

    op.create_table(
        "statuspage_notifications",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_notifications")),
        sa.UniqueConstraint(
            "event_id", "subscriber_id", name=op.f("uq_statuspage_notifications_event_id")
        ),
    )
    with op.batch_alter_table("statuspage_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statuspage_notifications_subscriber_id"), ["subscriber_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("statuspage_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statuspage_notifications_subscriber_id"))

    op.drop_table("statuspage_notifications")
    with op.batch_alter_table("priority_levels", schema=None) as batch_op:
        batch_op.drop_column("statuspage_publish")
        batch_op.drop_column("statuspage_component_status")

    with op.batch_alter_table("public_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_updates_public_incident_id"))
        batch_op.drop_index(batch_op.f("ix_public_updates_maintenance_id"))

    op.drop_table("public_updates")
    op.drop_table("public_incident_components")
    with op.batch_alter_table("public_incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_public_incidents_created_at")

    op.drop_table("public_incidents")
    op.drop_table("statuspage_subscribers")
    with op.batch_alter_table("statuspage_maintenances", schema=None) as batch_op:
        batch_op.drop_index("ix_statuspage_maintenances_scheduled_for")

    op.drop_table("statuspage_maintenances")
    op.drop_table("statuspage_components")
