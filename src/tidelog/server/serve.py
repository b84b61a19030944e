"""Starting the server: settings from the command line, uvicorn, API keys.

``settings_from(root, database, store, auth_reads)`` applies the defaults
(SQLite and files under ``--root``); ``serve`` prints the URL and runs
uvicorn until SIGINT/SIGTERM; ``create_key`` makes an API key on the same
database the server uses.
"""

from __future__ import annotations

import sys

from tidelog.server.settings import ServerSettings, default_root

__all__ = ["settings_from", "serve", "create_key"]


def settings_from(root: str | None, database: str | None, store: str | None, auth_reads: bool = False
                  ) -> ServerSettings:
    return ServerSettings.for_root(root or default_root(), database=database, store=store, auth_reads=auth_reads)


def serve(settings: ServerSettings, host: str, port: int, watch: list[str] | None = None) -> int:
    """Listen on ``host:port`` (``--port 0``: a free port, the one printed), then run until stopped."""
    import socket

    import uvicorn

    from tidelog.server.app import create_app

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        return main_error(f"cannot listen on {host}:{port}: {e.strerror or e}")
    port = sock.getsockname()[1]
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    print(f"tidelog server: http://{shown}:{port}  (database {settings.database.split('@')[-1]}, "
          f"store {settings.store})", flush=True)
    if watch:  # --watch DIR: follow every run there (server/watch.py), through this server's own API
        from tidelog.server.watch import start_watch

        any_v4 = ("0.0.0.0", "")  # noqa: S104  # compared with --host below, not bound
        local = "127.0.0.1" if host in any_v4 else ("[::1]" if host == "::" else shown)
        start_watch(watch, f"http://{local}:{port}")
        print(f"tidelog server: watching {', '.join(watch)}", flush=True)
    # uvicorn serves the socket bound here, so the URL printed above is the one listening.
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
    return 0


def create_key(settings: ServerSettings, name: str) -> str:
    from tidelog.server import auth, db

    engine = db.connect(settings.database)
    db.migrate(engine)
    key = auth.create_key(engine, name)
    engine.dispose()
    return key


def main_error(message: str) -> int:
    print(f"tidelog server: {message}", file=sys.stderr)
    return 2
