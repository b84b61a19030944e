"""A stand-in for ``nvidia-ml-py`` (there is no GPU here): two GPUs with fixed readings.

Loaded by the sender through PYTHONPATH. GPU 0 runs a process of the trainer (the
sender's parent); GPU 1 runs a stranger's. ECC queries are unsupported on both, as on
consumer cards. Every call is counted in ``CALLS`` (by name) for the unit tests.
"""

import os
from collections import Counter
from types import SimpleNamespace

CALLS: Counter = Counter()
NVML_TEMPERATURE_GPU = 0
NVML_CLOCK_GRAPHICS, NVML_CLOCK_SM, NVML_CLOCK_MEM = 0, 1, 2
NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 0, 1
NVML_VOLATILE_ECC = 0
TRAINER_PID = None   # the unit tests set it; in the sender it is the parent process


class NVMLError(Exception):
    pass


def _count(fn):
    def wrapper(*a):
        CALLS[fn.__name__] += 1
        return fn(*a)
    wrapper.__name__ = fn.__name__
    return wrapper


@_count
def nvmlInit():
    if os.environ.get("FAKE_NVML_NO_DRIVER"):
        raise NVMLError("Driver Not Loaded")


@_count
def nvmlShutdown():
    pass


@_count
def nvmlDeviceGetCount():
    return 2


@_count
def nvmlDeviceGetHandleByIndex(i):
    return i


@_count
def nvmlDeviceGetUtilizationRates(h):
    return SimpleNamespace(gpu=[87, 3][h], memory=[41, 0][h])


@_count
def nvmlDeviceGetMemoryInfo(h):
    return SimpleNamespace(total=80 * 2**30, used=[20 * 2**30, 2**30][h], free=0)


@_count
def nvmlDeviceGetTemperature(h, kind):
    return [71, 35][h]


@_count
def nvmlDeviceGetPowerUsage(h):
    return [350_000, 60_000][h]   # milliwatts


@_count
def nvmlDeviceGetEnforcedPowerLimit(h):
    return 700_000


@_count
def nvmlDeviceGetClockInfo(h, kind):
    return {NVML_CLOCK_SM: 1980, NVML_CLOCK_MEM: 2619, NVML_CLOCK_GRAPHICS: 1755}[kind]


@_count
def nvmlDeviceGetFanSpeed(h):
    raise NVMLError("Not Supported")   # data-centre cards have no fan reading


@_count
def nvmlDeviceGetEncoderUtilization(h):
    return [0, 1000]


@_count
def nvmlDeviceGetTotalEccErrors(h, kind, counter):
    raise NVMLError("Not Supported")


@_count
def nvmlDeviceGetComputeRunningProcesses(h):
    trainer = TRAINER_PID if TRAINER_PID is not None else os.getppid()
    return [SimpleNamespace(pid=trainer if h == 0 else 1, usedGpuMemory=2**30)]


@_count
def nvmlDeviceGetGraphicsRunningProcesses(h):
    return []
