"""``tidelog.Api(server=URL, api_key=None)``: runs read from a tidelog server.

The local Api's interface (``api/stored.py``), over ``docs/server-api.md``:

    api = tidelog.Api(server="http://127.0.0.1:8080")    # or TIDELOG_SERVER / TIDELOG_API_KEY
    api.runs("project", filters={"config.lr": {"$gt": 0.01}}, order="-created_at")
    run = api.run("project/run_id")                       # or "entity/project/run_id"
    run.scan_history(keys=None)        # every row, unsampled, streamed
    run.history(samples=500, keys=None, x_axis="_step")   # downsampled; a DataFrame when pandas is installed
    run.summary["k"] = v; run.summary.update()            # PATCH .../summary
    run.file("media/images/<sha>.png").download(root=".")

``history`` asks the server for ``samples`` min/max/first/last buckets and
returns one row per bucket and key holding the bucket's first point (a point
that was logged); spikes are in the server's bucket ``max``/``min``
(``run.sampled_history``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tidelog.errors import RunNotFoundError, ServerError
from tidelog.read.streams import as_frame, save_download
from tidelog.remote.http import ServerClient

__all__ = ["RemoteApi", "RemoteRun", "RemoteSummary", "RemoteFile"]

_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _num(v: Any) -> Any:
    return _NONFINITE.get(v, v) if isinstance(v, str) else v


class RemoteApi:
    def __init__(self, server: str | None = None, api_key: str | None = None, timeout: float | None = None) -> None:
        self.client = ServerClient(server, api_key, timeout)
        self.server = self.client.url

    def runs(self, path: str | None = None, filters: dict | None = None, order: str | None = None,
             per_page: int | None = None) -> list[RemoteRun]:
        """Runs of a project (``"project"`` or ``"entity/project"``; every project if None), all pages."""
        import json

        params: dict[str, Any] = {"per_page": per_page or 200, "order": order or "+created_at"}
        if path:
            params["project"] = path.split("/")[-1]
        if filters:
            params["filters"] = json.dumps(filters)
        out: list[RemoteRun] = []
        while True:
            page = self.client.get("/runs", params=params).json()
            out += [RemoteRun(self.client, entry) for entry in page["runs"]]
            if not page["next"]:
                return out
            params["cursor"] = page["next"]

    def run(self, path: str) -> RemoteRun:
        parts = [p for p in str(path).split("/") if p]
        if len(parts) < 2 or len(parts) > 3:
            raise ValueError(f"tidelog.Api.run: expected 'project/run_id', got {path!r}")
        project, run_id = parts[-2], parts[-1]
        try:
            detail = self.client.get(f"/runs/{project}/{run_id}").json()
        except ServerError as err:
            if err.status in (400, 404):
                raise RunNotFoundError(f"no run {path!r} on {self.server}: {err.body.get('message', err)}") from None
            raise
        return RemoteRun(self.client, detail)


class RemoteRun:
    def __init__(self, client: ServerClient, entry: dict) -> None:
        self._client = client
        self._entry = entry
        self.id = entry["id"]
        self.name = entry["name"]
        self.project = entry["project"]
        self.entity = entry.get("entity", "")
        self.group, self.job_type = entry.get("group", ""), entry.get("job_type", "")
        self.notes = entry.get("notes", "")
        self.tags = list(entry.get("tags", []))
        self.config = dict(entry.get("config", {}))
        self.summary = RemoteSummary(self, {k: _num(v) for k, v in entry.get("summary", {}).items()})
        self._state = entry["state"]

    @property
    def _base(self) -> str:
        return f"/runs/{self.project}/{self.id}"

    @property
    def state(self) -> str:
        return self._state

    @property
    def path(self) -> list[str]:
        return [p for p in (self.entity, self.project, self.id) if p]

    @property
    def lastHistoryStep(self) -> int:
        step = self._entry.get("last_step")
        return -1 if step is None else step

    def __repr__(self) -> str:
        return f"<tidelog Run {self.project}/{self.id} ({self.state}) on {self._client.url}>"

    def scan_history(self, keys: Sequence[str] | None = None, page_size: int | None = None,
                     min_step: int | None = None, max_step: int | None = None) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {}
        if keys:
            params["keys"] = ",".join(keys)
        if min_step is not None:
            params["min_step"] = min_step
        if max_step is not None:
            params["max_step"] = max_step
        for row in self._client.stream_lines(self._base + "/history/stream", params):
            yield {k: _num(v) for k, v in row.items()}

    def sampled_history(self, keys: Sequence[str], samples: int = 500, x_axis: str = "_step",
                        x_min: float | None = None, x_max: float | None = None) -> dict:
        """The server's buckets: ``{key: {"x", "x_last", "first", "last", "min", "max", ...}}``."""
        params: dict[str, Any] = {"keys": ",".join(keys), "buckets": samples, "x_axis": x_axis}
        if x_min is not None:
            params["x_min"] = x_min
        if x_max is not None:
            params["x_max"] = x_max
        series = self._client.get(self._base + "/history/sampled", params=params).json()["series"]
        return {k: {f: [_num(v) for v in vals] for f, vals in s.items()} for k, s in series.items()}

    def history(self, samples: int = 500, keys: Sequence[str] | None = None, x_axis: str = "_step",
                pandas: bool = True, stream: str = "default") -> Any:
        if stream in ("system", "events"):  # W&B's system-metrics stream: one row per sample
            from tidelog.read.streams import pivot_system

            params = {"keys": ",".join(keys)} if keys else None
            series = self._client.get(self._base + "/system", params=params).json()["series"]
            return as_frame(pivot_system(series), pandas)
        if keys is None:
            detail = self._client.get(self._base).json()
            keys = [k["name"] for k in detail["keys"] if k["type"] == "number" and k["name"] != x_axis]
        rows: dict[float, dict[str, Any]] = {}
        if keys:
            for key, s in self.sampled_history(list(keys), samples, x_axis).items():
                for x, v in zip(s["x"], s["first"]):
                    rows.setdefault(x, {x_axis: int(x) if x_axis == "_step" else x})[key] = v
        return as_frame([rows[x] for x in sorted(rows)], pandas)

    def files(self) -> list[RemoteFile]:
        return [RemoteFile(self, f) for f in self._client.get(self._base + "/files").json()["files"]]

    def file(self, path: str) -> RemoteFile:
        for f in self._client.get(self._base + "/files").json()["files"]:
            if f["path"] in (path, "files/" + path):  # W&B names run files relative to files/
                return RemoteFile(self, f)
        raise FileNotFoundError(f"run {self.project}/{self.id} has no file {path!r}")


class RemoteFile:
    def __init__(self, run: RemoteRun, info: dict) -> None:
        self._run = run
        self.name = info["path"]
        self.sha256 = info["sha256"]
        self.size = info.get("size")

    def download(self, root: str = ".", replace: bool = False, exist_ok: bool = False) -> Path:
        return save_download(Path(root) / self.name,
                             lambda: self._run._client.get(f"{self._run._base}/files/{self.name}").content,
                             replace, exist_ok)


class RemoteSummary(dict):
    """A run's summary; ``update()`` sends the changes to the server."""

    def __init__(self, run: RemoteRun, values: dict[str, Any]) -> None:
        super().__init__(values)
        self._run = run
        self._changed: dict[str, Any] = {}
        self._removed: list[str] = []

    def __setitem__(self, key: str, value: Any) -> None:
        self._changed[key] = value
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed.pop(key, None)
        self._removed.append(key)

    def update(self, d: dict | None = None, **kwargs: Any) -> None:  # type: ignore[override]  # W&B's signature: a dict and/or keywords
        if d:
            self._changed.update(d)
        self._changed.update(kwargs)
        if self._changed or self._removed:
            from tidelog.strict_json import jsonable as jsonsafe

            body = {"set": jsonsafe(self._changed), "remove": self._removed}
            new = self._run._client.patch(self._run._base + "/summary", json=body).json()["summary"]
            super().clear()
            super().update({k: _num(v) for k, v in new.items()})
            self._changed, self._removed = {}, []
