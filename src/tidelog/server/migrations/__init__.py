"""Alembic migrations of the server's database (run at start by ``tidelog.server.db.migrate``)."""
