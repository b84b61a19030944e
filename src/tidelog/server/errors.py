"""The one exception the server's handlers raise for a 4xx/503 answer.

``ApiError(status, message, **extra)`` becomes
``{"error": <code>, "message": ..., **extra}`` with that status (app.py);
anything else escaping a handler is a bug, logged and answered as a JSON 500.
"""

from __future__ import annotations

__all__ = ["ApiError", "CODES"]

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 503: "unavailable"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"error": CODES.get(self.status, "error"), "message": self.message, **self.extra}
