"""Writes a W&B offline run with the real ``wandb`` package, recording what it logged.

    python wandb_writer.py OUT RUN_ID ROWS finish RECORD   # a run that finishes
    python wandb_writer.py OUT RUN_ID ROWS hang RECORD     # prints READY, then waits to be killed

Each row: loss (float), i (int), text (str), nested.a (a nested dict), maybe NaN/inf;
row 3 adds an image, row 4 a table. The script also prints to stdout and stderr and
sets a summary value. RECORD gets the rows as logged (JSON, NaN as NaN).
"""

import json
import os
import sys
import time

import numpy as np

os.environ["WANDB_MODE"] = "offline"
os.environ.setdefault("WANDB_SILENT", "true")
import wandb

out, run_id, n, how, record = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
run = wandb.init(project="wbp", name="wb-run", dir=out, id=run_id, tags=["t1"], notes="imported",
                 config={"lr": 0.01, "layers": [1, 2], "opt": {"name": "adam", "beta": 0.9}})
print("stdout line one", flush=True)
print("stderr line one", file=sys.stderr, flush=True)
logged = []
for i in range(n):
    row = {"loss": 1.0 / (i + 1), "i": i, "text": f"s{i}", "nested": {"a": i * 2}}
    if i == 2:
        row["odd"] = float("nan")
    if i == 5:
        row["odd"] = float("inf")
    run.log(row)
    logged.append({k: v for k, v in row.items() if k != "nested"} | {"nested.a": i * 2})
    if i == 3:
        run.log({"img": wandb.Image(np.full((4, 5, 3), 7, np.uint8), caption="seven")})
        logged.append({"img": "image"})
    if i == 4:
        run.log({"tab": wandb.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])})
        logged.append({"tab": "table"})
run.summary["best"] = 0.125
run.summary["loss"] = -1.0  # overrides the last logged value
with open(record, "w") as f:
    json.dump({"rows": logged}, f)
if how == "finish":
    run.finish()
else:
    print(f"READY {len(logged)}", flush=True)
    time.sleep(300)
