"""Child for crash trials: logs until killed, reporting each step after log() returned.

argv: DIR RUN_ID [IMAGE_SIDE]. Writes "<step>\n" to stdout (unbuffered,
os.write) only after log() for that step has returned, so the parent knows
what must survive. Every 7th step also logs an image (IMAGE_SIDE pixels
square, default 4; large ones with a small ring exercise the spill file) and
every 5th a string, to exercise the media and slow paths; steps are merged
with commit=False on every 3rd.
"""

import os
import sys

import numpy as np

import tidelog
from tidelog.testing import spilled_bytes

run = tidelog.init(project="crash", dir=sys.argv[1], id=sys.argv[2])
os.write(1, b"started\n")
step = 0
spilled = False
side = int(sys.argv[3]) if len(sys.argv) > 3 else 4
img = (np.arange(side * side * 3) % 251).astype(np.uint8).reshape(side, side, 3)
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
    if not spilled and spilled_bytes(run):
        spilled = True
        os.write(1, b"spilled\n")
    step += 1
