"""``tidelog sync``: a run directory's WAL and media uploaded to a tidelog server, exactly once.

The pieces, one job each (restic/litestream style):

* ``replica``: the one interface to a server (``Replica``), a contract per
  method, over ``tidelog.remote.http.ServerClient``.
* ``retry``: ``Retrying``, the same interface with exponential backoff and
  jitter on connection errors, timeouts and 5xx; a 4xx goes straight up.
* ``source``: what a run directory holds: ``WalTail`` (intact chunks from a
  position, damage as ``verify`` reports it, a live writer's tail left for
  later) and the media by hash.
* ``cursor``: ``sync/<server-id>.json`` in the run directory, a hint and the
  state ``tidelog ls`` shows; the server's acknowledgement is the truth.
* ``engine``: ``RunSync``, one run: ``step()`` sends what is new,
  ``follow()`` tails a live run until it ends.
* ``batch``: many runs, one outcome each, one bad run never stops the rest.

Imported only by ``tidelog sync``, live mode and ``tidelog server --watch``:
never by ``import tidelog``.
"""
