"""NVIDIA GPU metrics through NVML (``pip install "tidelog[gpu]"``: ``nvidia-ml-py``), in the sender.

``GpuSampler.open()`` is None when ``pynvml`` is not installed or no driver
answers; then a run simply has no GPU metrics. Per device ``i`` the names
are W&B's (without the ``system/`` prefix the caller adds):

    gpu.<i>.gpu                  utilisation, percent
    gpu.<i>.memory               time the memory was read or written, percent
    gpu.<i>.memoryAllocated      memory used, percent of the total
    gpu.<i>.memoryAllocatedBytes memory used, bytes
    gpu.<i>.temp                 degrees Celsius
    gpu.<i>.powerWatts           power drawn
    gpu.<i>.enforcedPowerLimitWatts
    gpu.<i>.powerPercent         power drawn, percent of the enforced limit
    gpu.<i>.smClock, .memoryClock, .graphicsClock   MHz
    gpu.<i>.fanSpeed, .encoderUtilization           percent
    gpu.<i>.correctedMemoryErrors, .uncorrectedMemoryErrors   volatile ECC counts

and, for each GPU the trainer's process tree has a context on, the same
values again as ``gpu.process.<i>.*`` (as W&B does). A query a device does
not support (``NVMLError``) is left out from then on; it never stops the
other metrics or the sender.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["GpuSampler"]


class GpuSampler:
    def __init__(self, nvml: Any) -> None:
        self.nvml = nvml
        self.handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(nvml.nvmlDeviceGetCount())]
        self._unsupported: set[tuple[int, str]] = set()

    @classmethod
    def open(cls) -> GpuSampler | None:
        try:
            import pynvml
        except ImportError:
            return None
        try:
            pynvml.nvmlInit()
            return cls(pynvml)
        except pynvml.NVMLError:
            return None

    def close(self) -> None:
        try:
            self.nvml.nvmlShutdown()
        except self.nvml.NVMLError:
            pass  # a driver that went away: nothing left to release

    def _queries(self, h: Any) -> dict[str, Callable[[], dict[str, float]]]:
        n = self.nvml

        def util():
            u = n.nvmlDeviceGetUtilizationRates(h)
            return {"gpu": float(u.gpu), "memory": float(u.memory)}

        def memory():
            m = n.nvmlDeviceGetMemoryInfo(h)
            return {"memoryAllocated": 100.0 * m.used / m.total if m.total else 0.0,
                    "memoryAllocatedBytes": float(m.used)}

        def power():
            watts = n.nvmlDeviceGetPowerUsage(h) / 1000.0
            limit = n.nvmlDeviceGetEnforcedPowerLimit(h) / 1000.0
            out = {"powerWatts": watts, "enforcedPowerLimitWatts": limit}
            if limit > 0:
                out["powerPercent"] = 100.0 * watts / limit
            return out

        def ecc():
            return {"correctedMemoryErrors": float(n.nvmlDeviceGetTotalEccErrors(
                        h, n.NVML_MEMORY_ERROR_TYPE_CORRECTED, n.NVML_VOLATILE_ECC)),
                    "uncorrectedMemoryErrors": float(n.nvmlDeviceGetTotalEccErrors(
                        h, n.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, n.NVML_VOLATILE_ECC))}

        return {
            "util": util,
            "memory": memory,
            "temp": lambda: {"temp": float(n.nvmlDeviceGetTemperature(h, n.NVML_TEMPERATURE_GPU))},
            "power": power,
            "clocks": lambda: {"smClock": float(n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_SM)),
                               "memoryClock": float(n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_MEM)),
                               "graphicsClock": float(n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_GRAPHICS))},
            "fan": lambda: {"fanSpeed": float(n.nvmlDeviceGetFanSpeed(h))},
            "encoder": lambda: {"encoderUtilization": float(n.nvmlDeviceGetEncoderUtilization(h)[0])},
            "ecc": ecc,
        }

    def _used_by(self, h: Any, pids: set[int]) -> bool:
        n = self.nvml
        for get in ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses"):
            try:
                if any(p.pid in pids for p in getattr(n, get)(h)):
                    return True
            except (n.NVMLError, AttributeError):
                continue
        return False

    def sample(self, trainer_pids: set[int]) -> dict[str, float]:
        out: dict[str, float] = {}
        for i, h in enumerate(self.handles):
            values: dict[str, float] = {}
            for name, query in self._queries(h).items():
                if (i, name) in self._unsupported:
                    continue
                try:
                    values.update(query())
                except self.nvml.NVMLError:
                    self._unsupported.add((i, name))
            for k, v in values.items():
                out[f"gpu.{i}.{k}"] = v
            if trainer_pids and self._used_by(h, trainer_pids):
                for k, v in values.items():
                    out[f"gpu.process.{i}.{k}"] = v
        return out
