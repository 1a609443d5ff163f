"""Timing helpers: medians of repeated runs, latency percentiles, peak memory of processes."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Repeated:
    """A rate measured several times: amount of work per second, median and spread."""

    rates: tuple[float, ...]
    amount: int  # work per run (records, documents, ...)

    @property
    def median(self) -> float:
        return statistics.median(self.rates)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.rates), max(self.rates)

    @property
    def runs(self) -> int:
        return len(self.rates)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 100]."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


async def timed_ms(call: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    started = time.perf_counter()
    result = await call()
    return (time.perf_counter() - started) * 1000, result


async def latencies_ms(
    items: Sequence[T], concurrency: int, call: Callable[[T], Awaitable[object]]
) -> tuple[list[float], float]:
    """Latency of each call (ms) with at most ``concurrency`` in flight; and the wall time (s)."""
    semaphore = asyncio.Semaphore(concurrency)
    latencies = [0.0] * len(items)

    async def one(index: int, item: T) -> None:
        async with semaphore:
            latencies[index], _ = await timed_ms(lambda: call(item))

    started = time.perf_counter()
    await asyncio.gather(*(one(index, item) for index, item in enumerate(items)))
    return latencies, time.perf_counter() - started


def peak_rss_mib(pid: int | str = "self") -> float | None:
    """VmHWM (peak resident set size) of a live process, MiB; None if it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None
