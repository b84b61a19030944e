"""``tidelog server``: the tracking server (``docs/server.md``), and its API keys.

    tidelog server [--root DIR] [--host 127.0.0.1] [--port 8080] [--database URL] [--store URL] [--auth-reads]
                   [--watch DIR ...]
    tidelog server keys create [--root DIR | --database URL] [--name NAME]

Needs the ``server`` extra (``pip install 'tidelog[server]'``); imported only
when the command runs.
"""

from __future__ import annotations

import argparse

__all__ = ["register"]


def _storage_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", help="where the embedded database and files live "
                                  "(default: $TIDELOG_SERVER_ROOT or ~/.local/share/tidelog/server)")
    p.add_argument("--database", help="postgresql://user@host:port/db (default: SQLite under --root)")


def register(subparsers) -> None:
    p = subparsers.add_parser("server", help="run the tracking server",
                              description="Serve runs over HTTP (API under /api/v1).")
    _storage_args(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--store", help="s3://bucket/prefix (AWS_* variables) or a directory (default: under --root)")
    p.add_argument("--auth-reads", action="store_true", help="reads need an API key too, once one exists")
    p.add_argument("--watch", metavar="DIR", action="append", default=[],
                   help="follow every run logged under DIR, new ones too, as `tidelog sync --follow` (repeatable)")
    p.set_defaults(func=_serve)
    sub = p.add_subparsers(dest="server_command", metavar="keys")
    keys = sub.add_parser("keys", help="manage API keys")
    ksub = keys.add_subparsers(dest="keys_command", metavar="create")
    create = ksub.add_parser("create", help="create an API key and print it (stored hashed)")
    _storage_args(create)
    create.add_argument("--name", default="", help="a label for the key")
    create.set_defaults(func=_keys_create)
    keys.set_defaults(func=lambda args: (keys.print_help(), 2)[1])


def _missing_extra(err: ImportError) -> int:
    print(f"tidelog server needs the server extra: pip install 'tidelog[server]' ({err})")
    return 2


def _serve(args: argparse.Namespace) -> int:
    try:
        from tidelog.server.serve import serve, settings_from
    except ImportError as err:
        return _missing_extra(err)
    if not 0 <= args.port <= 65535:
        print(f"tidelog server: --port {args.port} is not a port number")
        return 2
    try:
        settings = settings_from(args.root, args.database, args.store, args.auth_reads)
    except ValueError as err:
        print(f"tidelog server: {err}")
        return 2
    return serve(settings, args.host, args.port, args.watch)


def _keys_create(args: argparse.Namespace) -> int:
    try:
        from tidelog.server.serve import create_key, settings_from
    except ImportError as err:
        return _missing_extra(err)
    key = create_key(settings_from(args.root, args.database, None), args.name)
    print(key)
    return 0
