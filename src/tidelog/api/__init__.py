"""The training-side API: ``init``, ``Run`` and its parts.

    init       settings, run directory, resume           run        log / summary / config / finish
    keys       interning, case collisions, one type per key
    values     the slow path: any value -> record fields  link       frames out, the sender supervised
    config     run.config                                summary    run.summary
    lifecycle  the current run; finish at exit           disabled   mode="disabled"
    rundir     where runs live on disk
"""
