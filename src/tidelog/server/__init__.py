"""``tidelog server``: runs stored and queried over HTTP (``docs/server.md``).

Nothing here is imported by ``import tidelog``; the package needs the
``server`` extra (Starlette, uvicorn, SQLAlchemy, Alembic, psycopg, obstore).
One write path (``ingest``), one read path (``queries``, ``rows``,
``sampling``), one schema (``schema``) for SQLite and PostgreSQL, one object
store interface (``store``) for local files and S3.

    serve        command line -> settings -> uvicorn       settings   limits and defaults
    app          the Starlette app: errors as JSON, auth   auth       API keys, stored hashed
    errors       ApiError, the one 4xx/503 exception       jsonio     JSON in and out
    routes_write WAL ingest, media upload, summary update  routes_read projects, runs, history
    ingest       the write path: WAL chunks in             fold       a batch of records -> what is stored
    runstate     a run's row, updated per batch            blocks     history blocks and their tiles
    queries      the read path for runs                    filters    W&B's run filters as SQL
    rows         history rows block by block               sampling   min/max/first/last per bucket
    schema       tables for SQLite and PostgreSQL          db         engines and migrations (migrations/)
    store        objects on local files or S3              blobs      content-addressed media
"""
