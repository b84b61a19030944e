"""Child for crash trials: logs until killed, reporting each step after log() returned.

argv: DIR RUN_ID. Writes "<step>\n" to stdout (unbuffered, os.write) only after
log() for that step has returned, so the parent knows what must survive.
Every 7th step also logs a small image and every 5th a string, to exercise the
media and slow paths; steps are merged with commit=False on every 3rd.
"""

import os
import sys

import numpy as np

import tidelog

run = tidelog.init(project="crash", dir=sys.argv[1], id=sys.argv[2])
os.write(1, b"started\n")
step = 0
img = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
while True:
    row = {"loss": 1.0 / (step + 1), "step_i": step}
    if step % 5 == 0:
        row["phase"] = f"p{step}"
    if step % 7 == 0:
        row["img"] = tidelog.Image(img + (step % 200))
    if step % 3 == 0:
        tidelog.log({"extra": float(step)}, commit=False)
    tidelog.log(row)
    os.write(1, b"%d\n" % step)
    step += 1
