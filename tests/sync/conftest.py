"""The sync suite: real ``tidelog server`` processes (embedded, and PostgreSQL + SeaweedFS S3 started by
``tests/server/infra.py``), real trainer and sender processes, real ``tidelog sync`` processes."""

from __future__ import annotations

import itertools

import pytest
from server import infra  # tests/server/infra.py (pytest puts tests/ on sys.path)

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg():
    with infra.postgres() as pg:
        yield pg


@pytest.fixture(scope="session")
def s3():
    with infra.seaweed() as s3:
        yield s3


@pytest.fixture(params=["embedded", "postgres-s3"])
def backend(request, tmp_path):
    """``(server args, env)`` of a fresh, empty storage of each kind."""
    if request.param == "embedded":
        return ["--root", str(tmp_path / "srv")], {}
    pg, s3 = request.getfixturevalue("pg"), request.getfixturevalue("s3")
    n = next(_counter)
    url = infra.createdb(pg, f"s{n}")
    bucket = f"ts-{n}"
    infra.make_bucket(s3, bucket)
    return ["--root", str(tmp_path / "srv"), "--database", url, "--store", f"s3://{bucket}/pre"], s3["env"]


@pytest.fixture
def server(backend, tmp_path):
    args, env = backend
    with infra.server(args, env, tmp_path) as url:
        yield url
