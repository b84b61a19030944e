"""Entry point of the ``tidelog`` console script and ``python -m tidelog``.

Each subcommand lives in its own module exposing ``register(subparsers)``,
which adds a parser and sets its ``func`` default to a callable taking the
parsed arguments and returning the exit code. Subcommand modules import
their heavy dependencies inside ``func`` so ``tidelog --help`` stays fast.

Their docstrings double as ``--help`` text: the parser strips the
reStructuredText markup (````x````, roles) so help reads as plain text.
"""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Sequence

from tidelog._version import __version__

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

SUBCOMMANDS = [
    "tidelog.cli.verify",
    "tidelog.cli.dump",
    "tidelog.cli.ls",
    "tidelog.cli.show",
    "tidelog.cli.recover",
    "tidelog.cli.run",
    "tidelog.cli.export",
    "tidelog.cli.importer",
    "tidelog.cli.server",
    "tidelog.cli.sync",
]


_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_ROLE = re.compile(r":[a-z]+:`([^`]+)`")


def plain(text: str | None) -> str | None:
    """Help text without reStructuredText markup: ``x`` and :role:`x` read as x."""
    if not text:
        return text
    return _ROLE.sub(r"\1", _LITERAL.sub(r"\1", text))


def _plain_help(parser: argparse.ArgumentParser) -> None:
    parser.description = plain(parser.description)
    parser.epilog = plain(parser.epilog)
    for action in parser._actions:
        action.help = plain(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = plain(choice.help)
            for sub in action.choices.values():
                _plain_help(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tidelog", description="Offline-first experiment logger."
    )
    parser.add_argument("--version", action="version", version=f"tidelog {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    _plain_help(parser)
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
