"""process.plan_json: the plan of a lifecycle operation (stop, start, restart, reload, upgrade,
rollback, scale-out, scale-in, destroy); NULL for install processes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LONG = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.add_column("process", sa.Column("plan_json", LONG, nullable=True))


def downgrade() -> None:
    op.drop_column("process", "plan_json")
