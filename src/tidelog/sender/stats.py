"""System metrics, sampled by the sender so the trainer never pays for them.

Every ``interval`` seconds: the trainer's CPU and memory, the machine's CPU,
memory and the free space where the run lives, and the sender's own RSS
(so its footprint is visible in every run).
"""

from __future__ import annotations

import time
from pathlib import Path

import psutil

from tidelog.records import pb

__all__ = ["SystemStatsSampler"]


class SystemStatsSampler:
    def __init__(self, trainer_pid: int, run_dir: Path, interval: float) -> None:
        self.interval = interval
        self.run_dir = run_dir
        self._next = time.monotonic() + min(interval, 2.0) if interval > 0 else float("inf")
        self._self = psutil.Process()
        try:
            self._trainer: psutil.Process | None = psutil.Process(trainer_pid)
            self._trainer.cpu_percent(None)  # the first call only starts the measurement
        except psutil.Error:
            self._trainer = None
        psutil.cpu_percent(None)

    def maybe_sample(self) -> pb.SystemStats | None:
        now = time.monotonic()
        if now < self._next:
            return None
        self._next = now + self.interval
        stats = {
            "cpu.percent": psutil.cpu_percent(None),
            "memory.percent": psutil.virtual_memory().percent,
            "sender.rss_mb": self._self.memory_info().rss / 2**20,
        }
        try:
            stats["disk.free_gb"] = psutil.disk_usage(str(self.run_dir)).free / 2**30
        except OSError:
            pass
        if self._trainer is not None:
            try:
                with self._trainer.oneshot():
                    stats["proc.cpu.percent"] = self._trainer.cpu_percent(None)
                    stats["proc.memory.rss_mb"] = self._trainer.memory_info().rss / 2**20
            except psutil.Error:
                self._trainer = None
        return pb.SystemStats(timestamp=time.time(), stats=stats)
