"""``tidelog server``: runs stored and queried over HTTP (``docs/server.md``).

Nothing here is imported by ``import tidelog``; the package needs the
``server`` extra (Starlette, uvicorn, SQLAlchemy, Alembic, psycopg, obstore).
One write path (``ingest``), one read path (``queries``, ``rows``,
``sampling``), one schema (``schema``) for SQLite and PostgreSQL, one object
store interface (``store``) for local files and S3.
"""
