"""Native integrations, for users who prefer them to ``tidelog run``:

* ``tidelog.integration.lightning.TidelogLogger``: a Lightning ``Logger``.
* ``tidelog.integration.transformers.TidelogCallback``: a transformers ``TrainerCallback``.

Each is imported only when named (``import tidelog`` never imports torch,
Lightning or transformers). They need the ``integrations`` extra. ``_logs``
holds what both share (the run they log to, how media lists are built).
"""

__all__: list[str] = []
