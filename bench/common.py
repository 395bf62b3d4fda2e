from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    goal: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        assert self.baseline is not None
        return self.value / self.baseline


@dataclass
class BenchContext:
    organization: Any
    staff: Any
    seed_seconds: float | None


def median_ms(fn: Callable[[], Any], *, repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def peak_memory_kb() -> int:
    """This process's own peak resident memory in KiB. Linux's VmHWM belongs to the program
    now running; ru_maxrss would also count the parent whose memory was copied at fork,
    before this program was started in its place (a benchmark started from a large parent
    process would seem to use the parent's memory)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
