"""The database schema, one definition for SQLite and PostgreSQL.

Never one row per scalar: history lives in the object store as columnar
blocks; the database holds runs, the key catalog, the block index with
per-(block, key) statistics and the tile pyramid (``block_keys.tiles``), the
stream index (console, system metrics), file references, media presence and
API keys. Alembic migrations (``migrations/``) create exactly these tables.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runs = sa.Table(
    "runs", metadata,
    sa.Column("uid", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project", sa.String(128), nullable=False),
    sa.Column("run_id", sa.String(128), nullable=False),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("entity", sa.Text, nullable=False, server_default=""),
    sa.Column("grp", sa.Text, nullable=False, server_default=""),
    sa.Column("job_type", sa.Text, nullable=False, server_default=""),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="running"),
    sa.Column("exit_code", sa.Integer, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("end_time", sa.Float, nullable=True),
    sa.Column("last_step", sa.BigInteger, nullable=True),
    sa.Column("rows", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("acked_seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("records", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    # Everything else the fold needs between batches: user summary, removed
    # keys, metric definitions, host/program, traceback, notices.
    sa.Column("meta", sa.JSON, nullable=False),
    sa.UniqueConstraint("project", "run_id", name="uq_runs_project_run"),
)
sa.Index("ix_runs_project_created", runs.c.project, runs.c.created_at)

keys = sa.Table(
    "keys", metadata,
    sa.Column("run_uid", sa.Integer, sa.ForeignKey("runs.uid"), primary_key=True),
    sa.Column("key_id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.String(64), nullable=False, server_default=""),
    sa.Column("count", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("first_step", sa.BigInteger, nullable=True),
    sa.Column("last_step", sa.BigInteger, nullable=True),
    sa.Column("vmin", sa.Float, nullable=True),
    sa.Column("vmax", sa.Float, nullable=True),
    sa.Column("vsum", sa.Float, nullable=True),
    sa.Column("vfirst", sa.Float, nullable=True),
    sa.Column("vlast", sa.Float, nullable=True),
)

blocks = sa.Table(
    "blocks", metadata,
    sa.Column("run_uid", sa.Integer, sa.ForeignKey("runs.uid"), primary_key=True),
    sa.Column("first_seq", sa.BigInteger, primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("object", sa.Text, nullable=False),
    sa.Column("nrows", sa.Integer, nullable=False),
    sa.Column("step_min", sa.BigInteger, nullable=False),
    sa.Column("step_max", sa.BigInteger, nullable=False),
    sa.Column("ts_min", sa.Float, nullable=False),
    sa.Column("ts_max", sa.Float, nullable=False),
    sa.Column("head_off", sa.Integer, nullable=False),
    sa.Column("head_len", sa.Integer, nullable=False),
)

block_keys = sa.Table(
    "block_keys", metadata,
    sa.Column("run_uid", sa.Integer, primary_key=True),
    sa.Column("first_seq", sa.BigInteger, primary_key=True),
    sa.Column("key_id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(1), nullable=False),  # f float, i int, o other (JSON)
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("off", sa.Integer, nullable=False),
    sa.Column("len", sa.Integer, nullable=False),
    sa.Column("step_min", sa.BigInteger, nullable=False),
    sa.Column("step_max", sa.BigInteger, nullable=False),
    sa.Column("vmin", sa.Float, nullable=True),
    sa.Column("vmax", sa.Float, nullable=True),
    sa.Column("tiles", sa.LargeBinary, nullable=True),
    sa.ForeignKeyConstraint(["run_uid", "first_seq"], ["blocks.run_uid", "blocks.first_seq"]),
)
sa.Index("ix_block_keys_key", block_keys.c.run_uid, block_keys.c.key_id, block_keys.c.step_min)

streams = sa.Table(
    "streams", metadata,
    sa.Column("run_uid", sa.Integer, sa.ForeignKey("runs.uid"), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),  # console | system
    sa.Column("first_seq", sa.BigInteger, primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("object", sa.Text, nullable=False),
    sa.Column("off", sa.Integer, nullable=False),
    sa.Column("len", sa.Integer, nullable=False),
)

files = sa.Table(
    "files", metadata,
    sa.Column("run_uid", sa.Integer, sa.ForeignKey("runs.uid"), primary_key=True),
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=True),
    sa.Column("kind", sa.String(32), nullable=False),
)

media = sa.Table(
    "media", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
)
