"""cluster: a named cluster deployed from a topology

The topology is kept as sealed JSON (it holds the ssh key, the object-storage keys and the
meta-service token), with the deploy mode and the last process that acted on the cluster.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
LONG = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("deploy_mode", sa.String(length=16), nullable=False),
        sa.Column("topology_sealed", LONG, nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("create_time", STAMP, nullable=False),
        sa.Column("update_time", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_cluster_name"),
    )


def downgrade() -> None:
    op.drop_table("cluster")
