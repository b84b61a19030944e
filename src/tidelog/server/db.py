"""Database engines and schema migrations, one code path for SQLite and PostgreSQL.

``connect(url)`` returns a SQLAlchemy engine (SQLite in WAL mode with a busy
timeout, so concurrent readers never wait on the writer; PostgreSQL through
psycopg 3). ``migrate(engine)`` brings the schema to Alembic's head under a
lock that every instance takes (a PostgreSQL advisory lock; SQLite's own
exclusive write lock), so N servers started at once migrate exactly once.
``run_lock(conn, uid)`` serialises writers of one run across instances.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tidelog.server.jsonio import dumps
from tidelog.server.schema import runs

__all__ = ["connect", "migrate", "lock_run", "begin_write", "insert"]

_MIGRATION_LOCK = 0x7469_6465_6C6F_67  # "tidelog" as an advisory lock id


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Autocommit at the driver level: SQLAlchemy's begin() below issues BEGIN IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn) -> None:
    # Writers take the write lock at BEGIN, so a read-then-write never deadlocks.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("write", False) else "BEGIN")


def connect(url: str) -> sa.Engine:
    """An engine for ``url``: ``sqlite:///PATH`` or ``postgresql://...``."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = sa.create_engine(url, pool_pre_ping=True, json_serializer=dumps)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def insert(conn: sa.Connection, table: sa.Table):
    """The dialect's INSERT, which has ``on_conflict_do_nothing/do_update``."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _alembic_config(conn) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def migrate(engine: sa.Engine) -> None:
    """Upgrade the schema to the newest revision, once, whoever else starts now."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            conn.commit()
            try:
                command.upgrade(_alembic_config(conn), "head")
                conn.commit()
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                conn.commit()
        else:
            conn.info["write"] = True  # BEGIN IMMEDIATE: the write lock is the migration lock
            command.upgrade(_alembic_config(conn), "head")
            conn.commit()


def lock_run(conn: sa.Connection, uid: int) -> sa.Row:
    """The run's row, locked until the transaction ends (SQLite: the
    transaction already holds the database's write lock)."""
    q = sa.select(runs).where(runs.c.uid == uid)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    return conn.execute(q).one()


def begin_write(conn: sa.Connection):
    """Begin a write transaction on ``conn`` (SQLite: BEGIN IMMEDIATE)."""
    conn.info["write"] = True
    return conn.begin()
