"""Child whose sender dies at every start: a setting broken *after* init() checked it.

argv: DIR RUN_ID N
Logs N/2 steps, waits until tidelog stops restarting the sender, logs the rest
(into the ring, then the spill file), finishes. Prints every returned step as
``step i``, then ``broken <file of the warning>``, ``finish <seconds>`` and the
warnings finish() gave, one per line as ``finish-warning <text>``.
"""

import os
import sys
import time
import warnings

import tidelog
from tidelog import settings
from tidelog.testing import sender_broken

_resolve = settings.resolve
settings.resolve = lambda **kw: _resolve(**kw).with_(fsync="bogus")  # the sender's argparse accepts it; FsyncPolicy does not

n = int(sys.argv[3])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    run = tidelog.init(project="broken", dir=sys.argv[1], id=sys.argv[2])
    step = 0
    for step in range(n // 2):
        tidelog.log({"loss": 1.0 / (step + 1), "text": "x" * 300 + str(step)})
        os.write(1, b"step %d\n" % step)
    deadline = time.monotonic() + 60
    while sender_broken(run) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    broken = [w for w in caught if "not restarted again" in str(w.message)]
    os.write(1, b"broken %s\n" % (broken[0].filename.encode() if broken else b"-"))
    for step in range(n // 2, n):
        tidelog.log({"loss": 1.0 / (step + 1), "text": "x" * 300 + str(step)})
        os.write(1, b"step %d\n" % step)
    caught.clear()
    t0 = time.monotonic()
    tidelog.finish()
    os.write(1, b"finish %.3f\n" % (time.monotonic() - t0))
    for w in caught:
        os.write(1, b"finish-warning %s\n" % str(w.message).replace("\n", " ").encode())
