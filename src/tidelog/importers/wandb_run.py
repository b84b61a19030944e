"""One W&B offline run directory -> one tidelog run directory, without the ``wandb`` package.

What is carried over, record by record in the ``.wandb`` log's order:

* identity: the W&B run id (kept), project, entity, name, group, job type,
  notes, tags, start time, host, program and arguments;
* history: one ``HistoryRow`` per W&B history record at its ``_step`` and
  ``_timestamp``; nested plain dicts become dotted keys (``a.b``), media values
  (dicts with ``_type``) stay whole, their ``path``/``filenames`` unchanged;
* config (``_wandb`` dropped), ``define_metric`` definitions, alerts (as notices);
* summary: keys whose final W&B value is not the last value logged to history
  (``run.summary[k] = v`` in W&B), so the tidelog summary reads as W&B's;
* system metrics: each ``stats`` record as ``SystemStats`` under W&B's names with
  the ``system/`` prefix (``system/cpu``, ``system/proc.memory.rssMB``, ...);
* console output: ``output_raw`` fragments joined into lines, one
  ``ConsoleOutput`` per line with its stream and timestamp;
* files: ``files/media/**`` to the run's ``media/`` (where the history values
  point), every other file under ``files/`` (``output.log``, saved files) to
  ``files/``, each recorded as a ``FileRecord``;
* state: the exit record's code (0 finished, else failed). A run whose log has
  no exit record (the process was killed, the log has a torn tail) is imported
  with what it holds and marked crashed, with a notice saying what was dropped.

The run directory is built under a temporary name and renamed into place, so
a failed import leaves nothing behind; a run id already present under the
destination is refused (``UsageError``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidelog.errors import UsageError
from tidelog.importers.leveldb_log import LogReport, read_payloads
from tidelog.importers.wandb_records import decode
from tidelog.importers.wandb_values import INT64, del_path, flatten, same, set_path, to_value, tree
from tidelog.records import pb
from tidelog.rundir import RunDir, find_run_dir, root_for
from tidelog.wal.writer import FsyncPolicy, WalWriter

__all__ = ["import_run", "find_wandb_logs", "ImportResult"]

_RESERVED = ("_step", "_timestamp", "_runtime")
_BATCH = 512


@dataclass
class ImportResult:
    source: Path
    run_dir: Path
    run_id: str
    rows: int = 0
    state: str = ""
    files: int = 0
    console_lines: int = 0
    stats: int = 0
    log: LogReport = field(default_factory=LogReport)


def find_wandb_logs(path: str | Path) -> list[Path]:
    """The ``.wandb`` logs a PATH names: the file, a run directory, or a ``wandb/`` folder of runs."""
    p = Path(path)
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise FileNotFoundError(f"no such file or directory: {p}")
    here = sorted(p.glob("run-*.wandb"))
    if here:
        return here[-1:]
    found = sorted(f for d in p.iterdir() if d.is_dir() and not d.is_symlink() for f in d.glob("run-*.wandb"))
    if not found:
        raise FileNotFoundError(f"{p}: no W&B run here (expected run-<id>.wandb, or run folders holding one)")
    return found


def import_run(log_path: str | Path, dest: str | Path) -> ImportResult:
    log_path = Path(log_path)
    run_id = log_path.stem[4:] if log_path.stem.startswith("run-") else log_path.stem
    existing = find_run_dir(Path(dest), run_id)
    if existing is not None:
        raise UsageError(f"run {run_id!r} is already under {root_for(Path(dest))} ({existing.name}); "
                         "remove it to import again")
    root = root_for(Path(dest))
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".import-{run_id}-{time.time_ns()}"
    try:
        conv = _Converter(log_path, tmp, run_id)
        result = conv.run()
        final = root / f"run-{time.strftime('%Y%m%d_%H%M%S', time.gmtime(conv.start_time))}-{run_id}"
        tmp.rename(final)
        result.run_dir = final
        return result
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


class _Converter:
    def __init__(self, log_path: Path, run_dir: Path, run_id: str) -> None:
        self.log_path, self.run_dir = log_path, run_dir
        self.result = ImportResult(log_path, run_dir, run_id)
        self.run_id = run_id
        self.start_time = 0.0
        self.seq = 0
        self.out: list[pb.Record] = []
        self.keys: dict[str, int] = {}
        self.last_logged: dict[str, Any] = {}
        self.summary: dict[str, Any] = {}
        self.config: dict[str, Any] = {}
        self.run_info: dict[str, Any] | None = None
        self.env: dict[str, Any] = {}
        self.started = False
        self.exit: dict[str, Any] | None = None
        self.step = -1
        self.ts = 0.0
        self.partial: dict[str, tuple[float, str]] = {}
        RunDir(run_dir).wal.mkdir(parents=True)
        self.writer = WalWriter(RunDir(run_dir).wal, fsync=FsyncPolicy.never())

    # -- the walk ---------------------------------------------------------------------

    def run(self) -> ImportResult:
        from tidelog._version import __version__

        self.emit(pb.Record(header=pb.Header(tidelog_version=__version__, schema_version=1)))
        try:
            for payload in read_payloads(self.log_path, self.result.log):
                kind, value = decode(payload)
                handler = getattr(self, f"on_{kind}", None)
                if handler is not None:
                    handler(value)
            self.ensure_started()
            for stream in list(self.partial):
                self.flush_line(stream)
            self.finish_summary()
            self.copy_files()
            self.finish_exit()
            self.emit(pb.Record(footer=pb.Footer(records=self.seq, last_step=max(self.step, 0))))
            self.flush()
            self.writer.sync()
        finally:
            self.writer.close()
        return self.result

    def emit(self, rec: pb.Record) -> None:
        self.seq += 1
        rec.seq = self.seq
        self.out.append(rec)
        if len(self.out) >= _BATCH and self.started:
            self.flush()

    def flush(self) -> None:
        if self.out:
            self.writer.append([r.SerializeToString() for r in self.out])
            self.out.clear()

    def key(self, name: str) -> int:
        kid = self.keys.get(name)
        if kid is None:
            kid = self.keys[name] = len(self.keys) + 1
            self.emit(pb.Record(key=pb.KeyDef(id=kid, name=name)))
        return kid

    def ensure_started(self) -> None:
        if self.started:
            return
        self.started = True
        info = self.run_info or {}
        self.start_time = info.get("start_time") or self.ts or self.log_path.stat().st_mtime
        self.emit(pb.Record(run_start=pb.RunStart(
            run_id=self.run_id, project=info.get("project", ""), name=info.get("name", "") or self.run_id,
            entity=info.get("entity", ""), group=info.get("group", ""), job_type=info.get("job_type", ""),
            notes=info.get("notes", ""), tags=info.get("tags", []), start_time=self.start_time,
            host=info.get("host", "") or self.env.get("host", ""), program=self.env.get("program", ""),
            args=self.env.get("args", []), python_version=self.env.get("python", "").split(" ")[-1],
            mode="imported-wandb")))
        self.emit(pb.Record(notice=pb.Notice(level=pb.Notice.INFO, timestamp=self.start_time, key="import",
                                             message=f"imported from the W&B offline run log {self.log_path}")))
        if self.config:
            self.emit_config(list(self.config))

    # -- W&B records ----------------------------------------------------------------

    def on_run(self, info: dict) -> None:
        self.run_info = info
        if info.get("run_id"):
            self.run_id = self.result.run_id = info["run_id"]
        if info.get("config"):
            self.apply_config(info["config"])
        if info.get("summary"):
            self.apply_summary(info["summary"])

    def on_environment(self, env: dict) -> None:
        self.env.update({k: v for k, v in env.items() if v})

    def on_history(self, h: dict) -> None:
        self.ensure_started()
        row = flatten(tree(h["items"]))
        step = row.pop("_step", None)
        ts = row.pop("_timestamp", None)
        row.pop("_runtime", None)
        step = int(step) if isinstance(step, (int, float)) and not isinstance(step, bool) else (
            h["step"] if h["step"] is not None else self.step + 1)
        self.ts = float(ts) if isinstance(ts, (int, float)) else self.ts
        rec = pb.HistoryRow(step=step, timestamp=self.ts)
        for k, v in row.items():
            if k.startswith("_"):
                continue
            kid = self.key(k)
            if isinstance(v, bool) or v is None or isinstance(v, (str, dict, list)):
                rec.items.append(pb.Item(key=kid, value=to_value(v)))
            elif isinstance(v, int) and INT64[0] <= v <= INT64[1]:
                rec.int_keys.append(kid)
                rec.int_values.append(v)
            else:
                rec.float_keys.append(kid)
                rec.float_values.append(float(v))
            self.last_logged[k] = v
        if step != self.step:
            self.result.rows += 1
        self.step = step
        self.emit(pb.Record(history=rec))

    def on_summary(self, s: dict) -> None:
        self.apply_summary(s)

    def on_config(self, c: dict) -> None:
        touched = self.apply_config(c)
        if self.started and touched:
            self.emit_config(touched)

    def on_metric(self, m: dict) -> None:
        if m["expanded"] or not m["name"]:
            return
        self.ensure_started()
        self.emit(pb.Record(metric=pb.MetricDef(name=m["name"], step_metric=m["step_metric"],
                                                step_sync=m["step_sync"], summary=m["summary"], goal=m["goal"],
                                                hidden=m["hidden"])))

    def on_stats(self, s: dict) -> None:
        self.ensure_started()
        values = {}
        for item in s["items"]:
            v = item["value"]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                values["system/" + ".".join(item["path"])] = float(v)
        if values:
            self.result.stats += 1
            self.emit(pb.Record(stats=pb.SystemStats(timestamp=s["timestamp"], stats=values)))

    def on_output_raw(self, o: dict) -> None:
        self.ensure_started()
        stream, text = o["stream"], o["line"]
        first_ts, buf = self.partial.get(stream, (o["timestamp"], ""))
        buf += text
        while "\n" in buf:
            line, buf = buf.split("\n", 1)
            self.emit_line(stream, first_ts, line)
            first_ts = o["timestamp"]
        self.partial[stream] = (first_ts, buf)
        if not buf:
            del self.partial[stream]

    on_output = on_output_raw

    def on_alert(self, a: dict) -> None:
        self.ensure_started()
        level = {"WARN": pb.Notice.WARNING, "ERROR": pb.Notice.ERROR}.get(a["level"].upper(), pb.Notice.INFO)
        self.emit(pb.Record(notice=pb.Notice(level=level, timestamp=self.ts, key=a["title"], message=a["text"])))

    def on_exit(self, e: dict) -> None:
        self.exit = e

    # -- helpers --------------------------------------------------------------------

    def emit_line(self, stream: str, ts: float, line: str) -> None:
        s = pb.ConsoleOutput.STDERR if stream == "stderr" else pb.ConsoleOutput.STDOUT
        self.emit(pb.Record(console=pb.ConsoleOutput(stream=s, timestamp=ts, text=line)))
        self.result.console_lines += 1

    def flush_line(self, stream: str) -> None:
        ts, buf = self.partial.pop(stream)
        if buf:
            self.emit_line(stream, ts, buf)

    def apply_config(self, c: dict) -> list[str]:
        touched = []
        for item in c["update"]:
            if item["path"][0] == "_wandb":
                continue
            set_path(self.config, item["path"], item["value"])
            touched.append(item["path"][0])
        for item in c["remove"]:
            if item["path"][0] in self.config:
                del_path(self.config, item["path"])
                touched.append(item["path"][0])
        return touched

    def emit_config(self, keys: list[str]) -> None:
        present = {k: json.dumps(self.config[k], allow_nan=True) for k in dict.fromkeys(keys) if k in self.config}
        removed = [k for k in dict.fromkeys(keys) if k not in self.config]
        self.emit(pb.Record(config=pb.ConfigUpdate(set=present, remove=removed)))

    def apply_summary(self, s: dict) -> None:
        for item in s["update"]:
            set_path(self.summary, item["path"], item["value"])
        for item in s["remove"]:
            del_path(self.summary, item["path"])

    def finish_summary(self) -> None:
        final = {k: v for k, v in flatten(self.summary).items() if not k.startswith("_")}
        update = pb.SummaryUpdate()
        for k, v in final.items():
            if k not in self.last_logged or not same(self.last_logged[k], v):
                update.set.append(pb.Item(key=self.key(k), value=to_value(v)))
        for k in self.last_logged:
            if k not in final:
                update.remove.append(self.key(k))
        if update.set or update.remove:
            self.emit(pb.Record(summary=update))

    def copy_files(self) -> None:
        src_root = self.log_path.parent / "files"
        if not src_root.is_dir():
            return
        for src in sorted(p for p in src_root.rglob("*") if p.is_file()):
            rel = src.relative_to(src_root).as_posix()
            media = rel.startswith("media/")
            dest = self.run_dir / (rel if media else f"files/{rel}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            data = dest.read_bytes()
            self.emit(pb.Record(file=pb.FileRecord(path=dest.relative_to(self.run_dir).as_posix(),
                                                   sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                                   kind="media" if media else "user")))
            self.result.files += 1

    def finish_exit(self) -> None:
        log = self.result.log
        if self.exit is not None:
            code = self.exit["exit_code"]
            state = "finished" if code == 0 else "failed"
            when = self.start_time + self.exit["runtime"]
        else:
            code, state, when = -1, "crashed", self.ts or self.start_time
            self.emit(pb.Record(notice=pb.Notice(
                level=pb.Notice.WARNING, timestamp=when, key="import",
                message=f"the W&B run log ends without an exit record (the run was killed or crashed); "
                        f"imported its {log.payloads} records, {log.tail_bytes} bytes of torn tail dropped")))
        if log.dropped_bytes:
            self.emit(pb.Record(notice=pb.Notice(
                level=pb.Notice.WARNING, timestamp=when, key="import",
                message=f"the W&B run log has damage: {log.dropped_bytes} bytes dropped at offsets "
                        f"{[d[0] for d in log.damage]}")))
        self.result.state = state
        self.emit(pb.Record(exit=pb.RunExit(exit_code=code, time=when, state=state)))
