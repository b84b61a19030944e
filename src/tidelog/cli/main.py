"""Entry point of the ``tidelog`` console script and ``python -m tidelog``.

Each subcommand lives in its own module exposing ``register(subparsers)``,
which adds a parser and sets its ``func`` default to a callable taking the
parsed arguments and returning the exit code. Subcommand modules import
their heavy dependencies inside ``func`` so ``tidelog --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from tidelog._version import __version__

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

SUBCOMMANDS = [
    "tidelog.cli.verify",
    "tidelog.cli.dump",
    "tidelog.cli.ls",
    "tidelog.cli.show",
    "tidelog.cli.recover",
    "tidelog.cli.server",
    "tidelog.cli.sync",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tidelog", description="Offline-first experiment logger."
    )
    parser.add_argument("--version", action="version", version=f"tidelog {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
