"""SQLAlchemy 2 models of the manager's state: agents, roles, processes, tasks, known hosts, audit.

The schema itself is created and evolved by the Alembic migrations in ``migrations/``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Portable column types. On MySQL/MariaDB a plain DATETIME drops the microseconds (rows would not read
# back as written, and ordering by time ties) and a plain TEXT holds only 64 KiB (agent logs are kept up
# to 1 MiB): there they are DATETIME(6) and LONGTEXT. SQLite and PostgreSQL keep DateTime/Text.
# Times are naive UTC everywhere (see ``utcnow``).
Stamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


class Status(StrEnum):
    """State of a task (and of a process: RUNNING, then SUCCESS or FAILURE)."""

    SUBMITTED = "SUBMITTED"
    RUNNING = "RUNNING"
    FAILURE = "FAILURE"
    SUCCESS = "SUCCESS"


class Flag(StrEnum):
    """The reference's YES/NO flags (``finish``, ``skip``, ``register``)."""

    YES = "YES"
    NO = "NO"


class Step(StrEnum):
    """The steps of an install process, in order (``process_type`` / ``processStep``)."""

    INSTALL_AGENT = "INSTALL_AGENT"
    INSTALL_SERVICE = "INSTALL_SERVICE"
    DEPLOY_CONFIG = "DEPLOY_CONFIG"
    START_SERVICE = "START_SERVICE"
    BUILD_CLUSTER = "BUILD_CLUSTER"


STEPS: list[Step] = list(Step)


class Role(StrEnum):
    FE = "FE"
    BE = "BE"
    BROKER = "BROKER"


class AgentStatus(StrEnum):
    INIT = "INIT"
    REGISTER = "REGISTER"
    RUNNING = "RUNNING"
    STOP = "STOP"


# tasks the manager runs itself (over ssh or the FE's MySQL port); every other type goes to an agent
INSTALL_SERVER_TASKS = frozenset({"INSTALL_AGENT", "JOIN_FE", "JOIN_BE", "JOIN_BROKER"})
# the server-side tasks of a lifecycle operation (``lifecycle``): waiting for Doris to list a node
# alive, decommissioning/dropping it (FE or meta-service), dropping meta-service clusters, removing
# an agent over ssh
OP_SERVER_TASKS = frozenset(
    {
        *(f"WAIT_{r}" for r in ("FE", "BE", "BROKER")),
        *(f"DROP_{r}" for r in ("FE", "BE", "BROKER")),
        "DECOMMISSION_BE",
        "DROP_META_CLUSTERS",
        "REMOVE_AGENT",
    }
)
SERVER_TASKS = INSTALL_SERVER_TASKS | OP_SERVER_TASKS


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Agent(Base):
    __tablename__ = "agent"
    __table_args__ = (UniqueConstraint("host", name="uq_agent_host"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String(64), index=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    install_dir: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), default="INIT")
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    register_time: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)
    last_reported_time: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)
    hardware_json: Mapped[str | None] = mapped_column(LongText, nullable=True)
    version: Mapped[str | None] = mapped_column(String(32), nullable=True)


class AgentRole(Base):
    __tablename__ = "agent_role"
    __table_args__ = (UniqueConstraint("cluster_id", "host", "role", name="uq_agent_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String(64), index=True)
    host: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    fe_node_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    install_dir: Mapped[str] = mapped_column(String(1024))
    register: Mapped[str] = mapped_column(String(4), default="NO")
    conf_json: Mapped[str | None] = mapped_column(LongText, nullable=True)


class Process(Base):
    __tablename__ = "process"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String(64), index=True)
    user: Mapped[str] = mapped_column(String(64), default="operator")
    process_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="RUNNING")
    finish: Mapped[str] = mapped_column(String(4), default="NO")
    package_url: Mapped[str] = mapped_column(String(2048))
    install_dir: Mapped[str] = mapped_column(String(1024))
    ssh_user: Mapped[str] = mapped_column(String(64))
    ssh_port: Mapped[int] = mapped_column(Integer)
    ssh_key_sealed: Mapped[str] = mapped_column(LongText)
    agent_port: Mapped[int] = mapped_column(Integer)
    master_fe: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # a lifecycle operation's plan (``lifecycle``): its kind, its ordered stages and what it changes
    # in the stored topology when it succeeds; NULL for an install process
    plan_json: Mapped[str | None] = mapped_column(LongText, nullable=True)
    create_time: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    update_time: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)


class Task(Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    host: Mapped[str] = mapped_column(String(255))
    process_type: Mapped[str] = mapped_column(String(32))
    task_type: Mapped[str] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="SUBMITTED")
    finish: Mapped[str] = mapped_column(String(4), default="NO")
    skip: Mapped[str] = mapped_column(String(4), default="NO")
    task_json: Mapped[str] = mapped_column(LongText, default="{}")
    executor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result: Mapped[str | None] = mapped_column(LongText, nullable=True)
    log: Mapped[str | None] = mapped_column(LongText, nullable=True)
    log_path: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    dispatched_time: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)
    start_time: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)
    end_time: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)


class KnownHost(Base):
    __tablename__ = "known_host"
    __table_args__ = (UniqueConstraint("host", "port", name="uq_known_host"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[str] = mapped_column(LongText)
    first_seen: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(512))
    detail: Mapped[str | None] = mapped_column(LongText, nullable=True)
    outcome: Mapped[str] = mapped_column(String(512))


class Cluster(Base):
    """A cluster deployed from a topology file (``dorisctl cluster deploy``); its processes carry
    its name as ``cluster_id``. The topology (with its secrets) is sealed at rest."""

    __tablename__ = "cluster"
    __table_args__ = (UniqueConstraint("name", name="uq_cluster_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    deploy_mode: Mapped[str] = mapped_column(String(16))
    topology_sealed: Mapped[str] = mapped_column(LongText)
    process_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    create_time: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    update_time: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)
