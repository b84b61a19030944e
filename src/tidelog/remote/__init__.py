"""Talking to a tidelog server: ``tidelog.Api(server=URL)`` and WAL upload.

``http.ServerClient`` is the one HTTP client (httpx; every transport error
and error answer becomes ``tidelog.errors.ServerError``); ``api`` is the
remote ``Api``/``Run`` with the local Api's interface; ``upload`` sends a run
directory's WAL and media the way ``docs/server-api.md`` describes.
Imported only when a server is named.
"""
