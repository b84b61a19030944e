"""The ``tidelog`` command line. ``main`` builds one argparse parser from the
subcommand modules listed in ``tidelog.cli.main.SUBCOMMANDS``; each module
exposes ``register(subparsers)`` and sets ``func`` (args -> exit code).

    main      the parser and entry point           runref    what a RUN argument names
    ls        local runs                           show      a run's identity, config, summary, last rows
    dump      the WAL's records as text            verify    the WAL integrity report
    export    history as csv / jsonl / parquet     importer  ``tidelog import wandb``
    recover   drain rings of dead runs             run       ``tidelog run -- COMMAND``
    server    ``tidelog server`` and its API keys  jsonout   the one JSON encoding of ``--json``
"""

from tidelog.cli.main import SUBCOMMANDS, build_parser, main

__all__ = ["SUBCOMMANDS", "build_parser", "main"]
