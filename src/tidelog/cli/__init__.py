"""The ``tidelog`` command line. ``main`` builds one argparse parser from the
subcommand modules listed in ``tidelog.cli.main.SUBCOMMANDS``; each module
exposes ``register(subparsers)`` and sets ``func`` (args -> exit code).
"""

from tidelog.cli.main import SUBCOMMANDS, build_parser, main

__all__ = ["SUBCOMMANDS", "build_parser", "main"]
