"""System metrics, sampled by the sender so the training process never pays for them.

Every ``interval`` seconds (``TIDELOG_STATS_INTERVAL``, default 15 s as W&B's
``x_stats_sampling_interval``; the first sample 2 s after start, one more when
the run finishes) the sender writes one ``SystemStats`` record. Its keys are
W&B's system-metric names with the ``system/`` prefix W&B's history uses, so
runs imported from W&B (``tidelog import wandb``) and runs logged here read
the same (docs/system-metrics.md lists them all):

* the trainer's process tree (the training process and its descendants,
  DataLoader workers included; never the sender): ``system/cpu`` (CPU percent
  normalised by the number of CPUs, W&B's process ``cpu``),
  ``system/proc.cpu.threads``, ``system/proc.memory.rssMB``,
  ``system/proc.memory.percent``;
* the machine: ``system/memory_percent``, ``system/proc.memory.availableMB``,
  ``system/disk.<path>.usagePercent`` and ``.usageGB`` for ``/`` and the file
  system holding the run, ``system/disk.in`` and ``system/disk.out`` (MB read
  and written since the run started, all disks) and the same per disk
  (``system/disk.<device>.in``/``.out``, as W&B 0.31 writes them),
  ``system/network.sent`` and ``system/network.recv`` (bytes since the start);
* GPUs through NVML when ``nvidia-ml-py`` is installed and a driver answers
  (``sender.gpu_stats``): ``system/gpu.<i>.gpu``, ``.memory``, ``.temp``, ...;
* the sender itself: ``system/tidelog.memory.rssMB`` (W&B reports its own
  service as ``wandb.memory.rssMB``).

A metric the platform cannot give is left out of the sample, never faked.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import psutil

from tidelog.records import pb
from tidelog.sender.gpu_stats import GpuSampler

__all__ = ["SystemStatsSampler", "FIRST_SAMPLE_S"]

FIRST_SAMPLE_S = 2.0     # the first sample comes this soon, so a short run has one
_MB = 1024 * 1024
_GB = 1024 ** 3


def _mount_point(path: Path) -> str:
    path = path.resolve()
    while not os.path.ismount(path) and path.parent != path:
        path = path.parent
    return str(path)


class SystemStatsSampler:
    def __init__(self, trainer_pid: int, run_dir: Path, interval: float, gpu: GpuSampler | None = None) -> None:
        self.interval = interval
        self.enabled = interval > 0
        self._next = time.monotonic() + min(interval, FIRST_SAMPLE_S) if self.enabled else float("inf")
        self._last_sample: float | None = None
        self._self = psutil.Process()
        self._ncpu = psutil.cpu_count() or 1
        self._trainer_pid = trainer_pid
        self._tree_times: dict[int, float] = {}
        self._tree_wall: float | None = None
        self._gpu = None
        if not self.enabled:
            return
        self._disk_paths = list(dict.fromkeys(["/", _mount_point(run_dir)]))
        self._io0 = self._disk_io()
        self._net0 = self._net_io()
        self._gpu = gpu if gpu is not None else GpuSampler.open()
        self._tree_cpu_percent()

    # -- when ------------------------------------------------------------------

    def maybe_sample(self) -> pb.SystemStats | None:
        now = time.monotonic()
        if now < self._next:
            return None
        self._next = now + self.interval
        return self.sample()

    def final_sample(self) -> pb.SystemStats | None:
        """One last sample when the run finishes, unless one was taken in the last second."""
        if not self.enabled or (self._last_sample is not None and time.monotonic() - self._last_sample < 1.0):
            return None
        return self.sample()

    def close(self) -> None:
        if self._gpu is not None:
            self._gpu.close()

    # -- what --------------------------------------------------------------------

    def sample(self) -> pb.SystemStats:
        self._last_sample = time.monotonic()
        stats: dict[str, float] = {}
        self._host(stats)
        tree = self._trainer_tree()
        if tree:
            self._process_tree(stats, tree)
        if self._gpu is not None:
            for k, v in self._gpu.sample({p.pid for p in tree}).items():
                stats["system/" + k] = v
        stats["system/tidelog.memory.rssMB"] = self._self.memory_info().rss / _MB
        return pb.SystemStats(timestamp=time.time(), stats=stats)

    def _host(self, stats: dict[str, float]) -> None:
        vm = psutil.virtual_memory()
        stats["system/memory_percent"] = vm.percent
        stats["system/proc.memory.availableMB"] = vm.available / _MB
        for path in self._disk_paths:
            try:
                du = psutil.disk_usage(path)
            except OSError:
                continue
            stats[f"system/disk.{path}.usagePercent"] = du.percent
            stats[f"system/disk.{path}.usageGB"] = du.used / _GB
        io = self._disk_io()
        for dev, (read, written) in io.items():
            if dev in self._io0:
                stats[f"system/disk.{dev}.in" if dev else "system/disk.in"] = (read - self._io0[dev][0]) / _MB
                stats[f"system/disk.{dev}.out" if dev else "system/disk.out"] = (written - self._io0[dev][1]) / _MB
        net = self._net_io()
        if net is not None and self._net0 is not None:
            stats["system/network.sent"] = float(net[0] - self._net0[0])
            stats["system/network.recv"] = float(net[1] - self._net0[1])

    @staticmethod
    def _disk_io() -> dict[str, tuple[int, int]]:
        """Bytes read and written: ``""`` all disks, else per whole disk (no partitions, loop or RAM devices)."""
        out: dict[str, tuple[int, int]] = {}
        total = psutil.disk_io_counters()
        if total is not None:
            out[""] = (total.read_bytes, total.write_bytes)
        try:
            disks = set(os.listdir("/sys/block"))
        except OSError:
            return out
        for dev, c in (psutil.disk_io_counters(perdisk=True) or {}).items():
            if dev in disks and not dev.startswith(("loop", "ram", "zram")):
                out[dev] = (c.read_bytes, c.write_bytes)
        return out

    @staticmethod
    def _net_io() -> tuple[int, int] | None:
        c = psutil.net_io_counters()
        return None if c is None else (c.bytes_sent, c.bytes_recv)

    # -- the trainer's process tree ------------------------------------------------

    def _trainer_tree(self) -> list[psutil.Process]:
        """The training process and its descendants, without the sender (a child of it) and its own."""
        try:
            root = psutil.Process(self._trainer_pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return []
        mine = {self._self.pid}    # the sender and anything it started (one /proc scan, not two)
        grew = True
        while grew:
            grew = False
            for p in procs:
                try:
                    if p.pid not in mine and p.ppid() in mine:
                        mine.add(p.pid)
                        grew = True
                except psutil.Error:
                    continue
        return [p for p in procs if p.pid not in mine]

    def _tree_cpu_percent(self, tree: list[psutil.Process] | None = None) -> float | None:
        """CPU percent of the tree since the last call, normalised by the CPU count (W&B's ``cpu``)."""
        tree = self._trainer_tree() if tree is None else tree
        now = time.time()
        times: dict[int, float] = {}
        used = 0.0
        for p in tree:
            try:
                t = p.cpu_times()
                created = p.create_time()
            except psutil.Error:
                continue
            total = t.user + t.system
            times[p.pid] = total
            if p.pid in self._tree_times:
                used += max(total - self._tree_times[p.pid], 0.0)
            elif self._tree_wall is not None and created >= self._tree_wall:
                used += total   # born since the last sample: all of its time is new
        last_wall, self._tree_wall, self._tree_times = self._tree_wall, now, times
        if last_wall is None or now <= last_wall:
            return None
        return 100.0 * used / (now - last_wall) / self._ncpu

    def _process_tree(self, stats: dict[str, float], tree: list[psutil.Process]) -> None:
        rss = threads = 0
        seen = 0
        for p in tree:
            try:
                with p.oneshot():
                    rss += p.memory_info().rss
                    threads += p.num_threads()
                seen += 1
            except psutil.Error:
                continue
        cpu = self._tree_cpu_percent(tree)
        if not seen:
            return
        if cpu is not None:
            stats["system/cpu"] = cpu
        stats["system/proc.cpu.threads"] = float(threads)
        stats["system/proc.memory.rssMB"] = rss / _MB
        stats["system/proc.memory.percent"] = 100.0 * rss / psutil.virtual_memory().total
