"""The fields of W&B's ``Record`` (``wandb_internal.proto``) that an import needs, hand-decoded.

Why by hand rather than a vendored ``.proto``: the import reads about a dozen
W&B messages and a few fields of each, out of a schema of hundreds that W&B
changes every release. A table of field numbers (below, checked against
``wandb_internal_pb2`` of wandb 0.31 by the import tests) keeps tidelog free of
W&B's schema and of a second generated module to pin, and unknown fields,
present in newer W&B files, are skipped by construction.

``decode(payload)`` returns ``(kind, value)``: ``kind`` is the name of the
``Record.record_type`` field that is set (``"history"``, ``"summary"``,
``"config"``, ``"run"``, ``"exit"``, ``"stats"``, ``"output_raw"``,
``"output"``, ``"files"``, ``"metric"``, ``"alert"``, ``"environment"``) or
``"other"``; ``value`` is a plain dict (documented per decoder).
"""

from __future__ import annotations

import json
from typing import Any

from tidelog.importers.protowire import as_double, as_int32, as_sint, as_str, fields

__all__ = ["decode"]

# Record.record_type field numbers -> kind.
_KINDS = {2: "history", 3: "summary", 4: "output", 5: "config", 6: "files", 7: "stats", 10: "alert",
          12: "metric", 13: "output_raw", 17: "run", 18: "exit", 26: "environment"}
_SUMMARY_FIELDS = {1: "min", 2: "max", 3: "mean", 4: "best", 5: "last", 6: "none", 7: "copy", 8: "first"}
_GOALS = {1: "minimize", 2: "maximize"}


def decode(payload: bytes) -> tuple[str, Any]:
    for number, value in fields(payload):
        kind = _KINDS.get(number)
        if kind is not None and isinstance(value, bytes):
            return kind, _DECODERS[kind](value)
    return "other", None


def _timestamp(buf: bytes) -> float:
    """google.protobuf.Timestamp -> unix seconds."""
    seconds = nanos = 0
    for n, v in fields(buf):
        if n == 1:
            seconds = as_int32(v)
        elif n == 2:
            nanos = as_int32(v)
    return seconds + nanos / 1e9


def _item(buf: bytes) -> dict[str, Any]:
    """HistoryItem / SummaryItem / ConfigItem / StatsItem: a key path and a value.

    ``{"path": [k, ...], "value": python value}``; ``key`` (1) or ``nested_key`` (2,
    repeated) name it; the value is ``value_json`` (16) or, in HistoryItem, one of the
    typed fields (boolean 4, integer 5, number 6, text 7, json 8).
    """
    key, nested, value, has = "", [], None, False
    for n, v in fields(buf):
        if n == 1:
            key = as_str(v)
        elif n == 2:
            nested.append(as_str(v))
        elif n == 16 or n == 8:
            value, has = _json(as_str(v)), True
        elif n == 4:
            value, has = bool(v), True
        elif n == 5:
            value, has = as_sint(v), True
        elif n == 6:
            value, has = as_double(v), True
        elif n == 7:
            value, has = as_str(v), True
    return {"path": nested or [key], "value": value, "has_value": has}


def _json(text: str) -> Any:
    try:
        return json.loads(text)  # W&B writes NaN, Infinity and -Infinity as Python's json does
    except ValueError:
        return text


def _history(buf: bytes) -> dict[str, Any]:
    """``{"items": [item...], "step": int | None}``"""
    items, step = [], None
    for n, v in fields(buf):
        if n == 1:
            items.append(_item(v))
        elif n == 2:
            step = 0
            for m, s in fields(v):
                if m == 1:
                    step = as_int32(s)
    return {"items": items, "step": step}


def _updates(buf: bytes) -> dict[str, Any]:
    """SummaryRecord / ConfigRecord: ``{"update": [item...], "remove": [item...]}``"""
    out: dict[str, list] = {"update": [], "remove": []}
    for n, v in fields(buf):
        if n == 1:
            out["update"].append(_item(v))
        elif n == 2:
            out["remove"].append(_item(v))
    return out


def _run(buf: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {"tags": [], "config": None, "summary": None, "start_time": 0.0}
    names = {1: "run_id", 2: "entity", 3: "project", 6: "group", 7: "job_type", 8: "name", 9: "notes", 13: "host"}
    for n, v in fields(buf):
        if n in names:
            out[names[n]] = as_str(v)
        elif n == 10:
            out["tags"].append(as_str(v))
        elif n == 4:
            out["config"] = _updates(v)
        elif n == 5:
            out["summary"] = _updates(v)
        elif n == 17:
            out["start_time"] = _timestamp(v)
        elif n == 14:
            out["starting_step"] = as_int32(v)
    return out


def _exit(buf: bytes) -> dict[str, Any]:
    out = {"exit_code": 0, "runtime": 0}
    for n, v in fields(buf):
        if n == 1:
            out["exit_code"] = as_int32(v)
        elif n == 2:
            out["runtime"] = as_int32(v)
    return out


def _stats(buf: bytes) -> dict[str, Any]:
    """``{"timestamp": float, "items": [item...]}``"""
    out: dict[str, Any] = {"timestamp": 0.0, "items": []}
    for n, v in fields(buf):
        if n == 2:
            out["timestamp"] = _timestamp(v)
        elif n == 3:
            out["items"].append(_item(v))
    return out


def _output(buf: bytes) -> dict[str, Any]:
    """OutputRecord / OutputRawRecord: ``{"stream": "stdout" | "stderr", "timestamp", "line"}``"""
    out: dict[str, Any] = {"stream": "stderr", "timestamp": 0.0, "line": ""}
    for n, v in fields(buf):
        if n == 1:
            out["stream"] = "stdout" if v == 1 else "stderr"
        elif n == 2:
            out["timestamp"] = _timestamp(v)
        elif n == 3:
            out["line"] = as_str(v)
    return out


def _files(buf: bytes) -> dict[str, Any]:
    paths = []
    for n, v in fields(buf):
        if n == 1:
            for m, p in fields(v):
                if m == 1:
                    paths.append(as_str(p))
    return {"paths": paths}


def _metric(buf: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {"name": "", "step_metric": "", "step_sync": False, "hidden": False, "summary": [],
                           "goal": "", "expanded": False}
    for n, v in fields(buf):
        if n == 1 and v:
            out["name"] = as_str(v)
        elif n == 2 and v:
            out["name"] = as_str(v)  # a glob, e.g. "*" or "train/*"
        elif n == 4:
            out["step_metric"] = as_str(v)
        elif n == 6:
            for m, o in fields(v):
                if m == 1:
                    out["step_sync"] = bool(o)
                elif m == 2:
                    out["hidden"] = bool(o)
        elif n == 7:
            out["summary"] = [_SUMMARY_FIELDS[m] for m, o in fields(v) if m in _SUMMARY_FIELDS and o]
        elif n == 8:
            out["goal"] = _GOALS.get(v, "")
        elif n == 10:
            out["expanded"] = bool(v)
    return out


def _alert(buf: bytes) -> dict[str, Any]:
    out = {"title": "", "text": "", "level": ""}
    for n, v in fields(buf):
        if n in (1, 2, 3):
            out[("title", "text", "level")[n - 1]] = as_str(v)
    return out


def _environment(buf: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {"args": []}
    for n, v in fields(buf):
        if n == 5:
            out["args"].append(as_str(v))
        elif n == 6:
            out["program"] = as_str(v)
        elif n == 2:
            out["python"] = as_str(v)
        elif n == 12:
            out["host"] = as_str(v)
    return out


_DECODERS = {"history": _history, "summary": _updates, "config": _updates, "run": _run, "exit": _exit,
             "stats": _stats, "output": _output, "output_raw": _output, "files": _files, "metric": _metric,
             "alert": _alert, "environment": _environment}
