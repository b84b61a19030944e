"""Getting records out of the training process before ``log()`` returns.

    ring        the shared-memory ring file (single producer, single consumer)
    frames      what a frame carries (a record, or a record plus media arrays)
    channel     trainer side: ring first, spill file when the ring is full
    supervisor  starting, watching and restarting the sender process
    fastpath    log()'s hot path: records and history rows packed by hand (RowPacker)
    recover     draining rings whose trainer and sender both died
"""
