"""Browser tests of the web UI: Debian's chromium via Playwright against a real ``tidelog server``.

The server holds the seed tour (every data type of the W&B page), a second run
to compare and an empty run (harness.py). Every test's page is watched: no
console error, no failed response, no request leaving the origin. Screenshots
go to ``$TIDELOG_UI_ARTIFACTS`` (default ``test-artifacts/ui`` in the repo).

Without ``/usr/bin/chromium`` these tests are skipped, unless
``TIDELOG_REQUIRE_BROWSER=1`` (``.ci/run`` sets it, after installing it), which
makes a missing browser a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import CHROMIUM, CHROMIUM_ARGS, REPO, Watch, log_run, run_dirs, start_server, upload

ARTIFACTS = Path(os.environ.get("TIDELOG_UI_ARTIFACTS", REPO / "test-artifacts" / "ui"))


def _need_browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("TIDELOG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); .ci/run installs it")
    try:
        import playwright  # noqa: F401
    except ImportError:
        if os.environ.get("TIDELOG_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The server with the seed tour, a second run and an empty run: ``{"url", "runs": {name: (project, id)}}``."""
    _need_browser()
    base = tmp_path_factory.mktemp("ui-runs")
    log_run("examples/seed_tour.py", "--dir", str(base))
    log_run("tests/ui/runs.py", "second", str(base))
    log_run("tests/ui/runs.py", "empty", str(base))
    server = start_server(tmp_path_factory.mktemp("ui-server") / "root")
    try:
        runs = {}
        for name, d in run_dirs(base).items():
            res = upload(server.url, d)
            runs[name] = (res.project, res.run_id)
        seed = next(v for k, v in runs.items() if v[0] == "seed-tour" and k != "<img src=x onerror=alert(1)>")
        yield {"url": server.url, "runs": runs, "seed": seed, "server": server}
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    """A fresh page on the site; the test fails if it logged an error or reached another origin."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = ctx.new_page()
    watch = Watch(site["url"])
    watch.attach(pg)
    pg.watch = watch
    yield pg
    ctx.close()
    assert watch.off_origin == [], f"requests left the origin: {watch.off_origin}"
    assert watch.errors == [], f"errors on the page: {watch.errors}"


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(target, name: str, full_page: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        if hasattr(target, "screenshot") and full_page:
            target.screenshot(path=str(path), full_page=True)
        else:
            target.screenshot(path=str(path))
        return path

    return take
