"""The public API: ``init`` and ``Run`` (training), ``Api`` and ``StoredRun`` (reading).

    init       settings, run directory, resume           run        identity, config/summary changes, finish
    rows       log(): steps, the fast and slow paths     link       frames out, the sender supervised
    keys       interning, case collisions, one type per key
    values     the slow path: any value -> record fields  metrics    define_metric
    config     run.config                                summary    run.summary
    lifecycle  the current run; finish at exit           disabled   mode="disabled"
    run_methods  W&B's extra run methods (artifacts, _label)  artifact  Artifact as run files
    stored     tidelog.Api, StoredRun: runs read back    amend      a finished run's summary changed
"""
