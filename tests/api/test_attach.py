"""A process started from the run's process attaches to the run (W&B's ``run._attach_id`` /
``wandb._attach``): its calls are made on the run, in order, and their errors are raised where they were
called; its ``finish()`` only detaches; after the run finishes, nobody can attach."""

from __future__ import annotations

import subprocess
import sys

import tidelog

SCRIPT = r'''
import multiprocessing as mp, sys, tidelog
from tidelog.errors import ConfigError, UsageError

def worker(attach_id, out):
    run = tidelog._attach(attach_id)
    errors = []
    run.config.update({"workers": 2})
    for i in range(3):
        run.log({"worker_loss": 1.0 / (i + 1)})
    run.summary["best"] = 0.5
    try:
        run.config["lr"] = 0.3               # a change without allow_val_change: refused by the run
    except ConfigError as e:
        errors.append("ConfigError" if "'lr'" in str(e) else str(e))
    try:
        run.log({"bad": object()})           # a value the run refuses
    except TypeError as e:
        errors.append("TypeError" if "'bad'" in str(e) else str(e))
    try:
        tidelog._attach("someone-else")
    except UsageError as e:
        errors.append("UsageError" if "someone-else" in str(e) else str(e))
    seen = (run.id, run.project, run.config["lr"], run.summary["best"], run.step)
    run.finish()                             # detaches; the run goes on in its own process
    try:
        run.log({"x": 1})
    except UsageError:
        errors.append("detached")
    out.put((seen, errors))

if __name__ == "__main__":
    run = tidelog.init(dir=sys.argv[1], project="att", config={"lr": 0.1})
    run.log({"loss": 1.0})
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    p = ctx.Process(target=worker, args=(run._attach_id, out))
    p.start()
    seen, errors = out.get(timeout=120)
    p.join()
    run.log({"loss": 0.5})
    run.finish()
    late = ctx.Process(target=worker, args=(run.id, out))
    late.start()
    late.join()
    print(repr((seen, errors, late.exitcode)))
'''


def test_a_spawned_process_writes_the_run_through_its_owner(tmp_path):
    script = tmp_path / "attach.py"
    script.write_text(SCRIPT)
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen, errors, late_exit = eval(proc.stdout.strip().splitlines()[-1])  # noqa: S307 - our own repr
    assert seen[:4] == (seen[0], "att", 0.1, 0.5) and seen[4] == 4
    assert errors == ["ConfigError", "TypeError", "UsageError", "detached"]
    assert late_exit != 0 and "UsageError" in proc.stderr and "finished" in proc.stderr   # too late to attach
    run = tidelog.Api(dir=str(tmp_path)).runs()[0]
    rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in run.scan_history()]
    assert rows == [{"loss": 1.0}, {"worker_loss": 1.0}, {"worker_loss": 0.5}, {"worker_loss": 1 / 3},
                    {"loss": 0.5}]
    assert run.config == {"lr": 0.1, "workers": 2} and run.summary["best"] == 0.5 and run.state == "finished"
