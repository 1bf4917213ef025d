"""The PostgreSQL backend's SQL (kv/postgres.py): its tables, statements and lock ids, bound to
the store's schema. Statements only: no connections, no transaction logic."""

from __future__ import annotations

from psycopg import sql


class PgSql:
    """The statements, bound to the configured schema."""

    def __init__(self, schema: str) -> None:
        s = sql.Identifier(schema)
        kv, commits = sql.Identifier(schema, "dorisctl_kv"), sql.Identifier(schema, "dorisctl_kv_commits")
        meta, seq = sql.Identifier(schema, "dorisctl_kv_meta"), sql.Identifier(schema, "dorisctl_kv_version")
        seq_name = sql.Literal(f"{schema}.dorisctl_kv_version")

        def q(text: str) -> sql.Composed:
            return sql.SQL(text).format(kv=kv, commits=commits, meta=meta, seq=seq, seq_name=seq_name, s=s)

        self.schema = [
            q("CREATE SCHEMA IF NOT EXISTS {s}"),
            q("CREATE TABLE IF NOT EXISTS {meta} (name text PRIMARY KEY, value bigint NOT NULL)"),
            q("CREATE TABLE IF NOT EXISTS {kv} (key bytea PRIMARY KEY, value bytea NOT NULL, version bigint NOT NULL)"),
            q(
                "CREATE TABLE IF NOT EXISTS {commits} (id bytea PRIMARY KEY, state bytea NOT NULL, "
                "at timestamptz NOT NULL DEFAULT now())"
            ),
            q("CREATE SEQUENCE IF NOT EXISTS {seq} CACHE 32"),
        ]
        self.schema_version = q("SELECT value FROM {meta} WHERE name = 'schema'")
        self.set_schema_version = q("INSERT INTO {meta} (name, value) VALUES ('schema', %s) ON CONFLICT DO NOTHING")
        self.get = q("SELECT value, version FROM {kv} WHERE key = %s")
        self.get_many = q("SELECT key, value, version FROM {kv} WHERE key = ANY(%s::bytea[])")
        self.range_asc = q("SELECT key, value, version FROM {kv} WHERE key >= %s AND key < %s ORDER BY key")
        self.range_desc = q("SELECT key, value, version FROM {kv} WHERE key >= %s AND key < %s ORDER BY key DESC")
        self.range_asc_limit = q(
            "SELECT key, value, version FROM {kv} WHERE key >= %s AND key < %s ORDER BY key LIMIT %s"
        )
        self.range_desc_limit = q(
            "SELECT key, value, version FROM {kv} WHERE key >= %s AND key < %s ORDER BY key DESC LIMIT %s"
        )
        self.validate = q(
            "SELECT EXISTS (SELECT 1 FROM unnest(%s::bytea[], %s::int8[]) AS c(k, seen) "
            "LEFT JOIN {kv} AS d ON d.key = c.k WHERE d.version IS DISTINCT FROM c.seen) "
            "OR EXISTS (SELECT 1 FROM unnest(%s::bytea[], %s::bytea[], %s::int8[]) AS r(b, e, n) "
            "WHERE (SELECT count(*) FROM {kv} AS d WHERE d.key >= r.b AND d.key < r.e) <> r.n)"
        )
        self.read_counters = q("SELECT key, value FROM {kv} WHERE key = ANY(%s::bytea[])")
        self.delete_keys = q("DELETE FROM {kv} WHERE key = ANY(%s::bytea[])")
        self.delete_range = q("DELETE FROM {kv} WHERE key >= %s AND key < %s")
        self.upsert = q(
            "INSERT INTO {kv} (key, value, version) "
            "SELECT k, v, (SELECT nextval({seq_name})) FROM unnest(%s::bytea[], %s::bytea[]) AS t(k, v) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version"
        )
        self.marker = q("INSERT INTO {commits} (id, state) VALUES (%s, %s)")
        self.tombstone = q("INSERT INTO {commits} (id, state) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING")
        self.marker_state = q("SELECT state FROM {commits} WHERE id = %s")
        self.marker_gc = q("DELETE FROM {commits} WHERE at < now() - %s * interval '1 second'")


LOCK_COUNTERS = b"SELECT count(pg_advisory_lock(k)) FROM (SELECT k FROM unnest(%s::int8[]) AS k ORDER BY k) AS s"
UNLOCK_ALL = b"SELECT pg_advisory_unlock_all()"
COMMIT_LOCK_ID = 0x646F72697363  # the writers' lock: shared by every commit, exclusive after failures
LOCK_COMMITS_SHARED = b"SELECT pg_advisory_lock_shared(%s)"
LOCK_COMMITS_EXCLUSIVE = b"SELECT pg_advisory_lock(%s)"
BEGIN_SNAPSHOT = b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
BEGIN_COMMIT = b"BEGIN ISOLATION LEVEL SERIALIZABLE"
