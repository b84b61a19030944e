"""Child that logs N steps at a steady pace and finishes; prints its sender's pid first.

argv: DIR RUN_ID N PAUSE_S
"""

import os
import sys
import time

import tidelog
from tidelog.testing import sender_pid

n, pause = int(sys.argv[3]), float(sys.argv[4])
run = tidelog.init(project="crash", dir=sys.argv[1], id=sys.argv[2])
os.write(1, b"sender %d\n" % sender_pid(run))
for step in range(n):
    tidelog.log({"loss": 1.0 / (step + 1), "text": "x" * 200 + str(step)})
    if step % 50 == 0:
        os.write(1, b"step %d sender %d\n" % (step, sender_pid(run)))
    time.sleep(pause)
tidelog.finish()
os.write(1, b"done\n")
