"""The server suite runs against (a) the embedded default (SQLite + files under --root)
and (b) PostgreSQL + SeaweedFS S3, both real, started here (``infra.py``)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from . import infra

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
    url = infra.createdb(pg, f"t{n}")
    bucket = f"tl-{n}-{request.node.name.split('[')[0][-20:].replace('_', '-').lower()}".strip("-")
    infra.make_bucket(s3, bucket)
    return ["--root", str(tmp_path / "srv"), "--database", url, "--store", f"s3://{bucket}/pre"], s3["env"]


@pytest.fixture
def server(backend, tmp_path):
    args, env = backend
    with infra.server(args, env, tmp_path) as url:
        yield url


@pytest.fixture
def logged_run(tmp_path_factory):
    """``logged_run(fn, **init)``: a finished run logged through the real pipeline; its directory."""
    import tidelog

    def make(fn, **init) -> Path:
        d = tmp_path_factory.mktemp("runs")
        init.setdefault("project", "srv")
        run = tidelog.init(dir=str(d), **init)
        fn(run)
        run.finish()
        return next((d / "tidelog").glob("run-*"))

    return make
