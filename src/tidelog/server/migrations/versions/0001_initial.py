"""Initial schema: runs, keys, blocks, block_keys, streams, files, media, api_keys.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
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
    op.create_table(
        "keys",
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
    op.create_table(
        "blocks",
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
    op.create_table(
        "block_keys",
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
    op.create_table(
        "streams",
        sa.Column("run_uid", sa.Integer, sa.ForeignKey("runs.uid"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),  # console | system
        sa.Column("first_seq", sa.BigInteger, primary_key=True),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("object", sa.Text, nullable=False),
        sa.Column("off", sa.Integer, nullable=False),
        sa.Column("len", sa.Integer, nullable=False),
    )
    op.create_table(
        "files",
        sa.Column("run_uid", sa.Integer, sa.ForeignKey("runs.uid"), primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
    )
    op.create_table(
        "media",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_runs_project_created", "runs", ["project", "created_at"])
    op.create_index("ix_block_keys_key", "block_keys", ["run_uid", "key_id", "step_min"])


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("media")
    op.drop_table("files")
    op.drop_table("streams")
    op.drop_table("block_keys")
    op.drop_table("blocks")
    op.drop_table("keys")
    op.drop_table("runs")
