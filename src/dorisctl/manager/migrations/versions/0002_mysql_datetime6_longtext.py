"""MySQL/MariaDB: DATETIME(6) and LONGTEXT

A plain MySQL DATETIME drops the microseconds and a plain TEXT holds only 64 KiB, so on MySQL and
MariaDB the manager's timestamps did not read back as written and agent logs (kept up to 1 MiB) or big
task payloads failed with "Data too long". Other databases are unchanged (no-op there).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, nullable)
STAMPS = [
    ("agent", "register_time", True),
    ("agent", "last_reported_time", True),
    ("audit_event", "time", False),
    ("known_host", "first_seen", False),
    ("process", "create_time", False),
    ("process", "update_time", False),
    ("task", "dispatched_time", True),
    ("task", "start_time", True),
    ("task", "end_time", True),
]
TEXTS = [
    ("agent", "hardware_json", True),
    ("agent_role", "conf_json", True),
    ("audit_event", "detail", True),
    ("known_host", "public_key", False),
    ("process", "ssh_key_sealed", False),
    ("task", "task_json", False),
    ("task", "result", True),
    ("task", "log", True),
]


def _is_mysql() -> bool:
    return op.get_bind().dialect.name in ("mysql", "mariadb")


def upgrade() -> None:
    if not _is_mysql():
        return
    for table, column, nullable in STAMPS:
        op.alter_column(
            table, column, type_=mysql.DATETIME(fsp=6), existing_type=sa.DateTime(), existing_nullable=nullable
        )
    for table, column, nullable in TEXTS:
        op.alter_column(table, column, type_=mysql.LONGTEXT(), existing_type=sa.Text(), existing_nullable=nullable)


def downgrade() -> None:
    if not _is_mysql():
        return
    for table, column, nullable in TEXTS:
        op.alter_column(table, column, type_=sa.Text(), existing_type=mysql.LONGTEXT(), existing_nullable=nullable)
    for table, column, nullable in STAMPS:
        op.alter_column(
            table, column, type_=sa.DateTime(), existing_type=mysql.DATETIME(fsp=6), existing_nullable=nullable
        )
