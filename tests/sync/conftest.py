"""The sync suite: real ``tidelog server`` processes (embedded, and PostgreSQL + SeaweedFS S3 started by
``tests/server/infra.py``), real trainer and sender processes, real ``tidelog sync`` processes.

The storage fixtures are the server suite's own (``tests/server/conftest.py``): one definition of how a
fresh, empty storage of each kind is made."""

from __future__ import annotations

from server.conftest import backend, pg, s3, server  # noqa: F401  (fixtures, used by name)
