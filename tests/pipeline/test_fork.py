"""A forked child (a DataLoader worker, say) must leave the parent's run alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import tidelog

SCRIPT = textwrap.dedent("""
    import os, sys, warnings
    import tidelog

    run = tidelog.init(project="fork", dir=sys.argv[1], id="forked")
    tidelog.log({"parent": 1.0})
    pid = os.fork()
    if pid == 0:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tidelog.log({"child": 1.0})
            tidelog.log({"child": 2.0})
        assert len(caught) == 1 and "forked child" in str(caught[0].message), caught
        sys.exit(0)  # runs atexit in the child: it must not finish the parent's run
    _, status = os.waitpid(pid, 0)
    assert status == 0, status
    tidelog.log({"parent": 2.0})
    tidelog.finish()
""")


def test_forked_child_neither_logs_nor_finishes_the_parents_run(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    run = tidelog.Api(dir=tmp_path).run("fork/forked")
    assert run.state == "finished"
    rows = list(run.scan_history())
    assert [r.get("parent") for r in rows] == [1.0, 2.0]
    assert all("child" not in r for r in rows)
