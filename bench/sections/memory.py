"""Peak memory (VmHWM from /proc/<pid>/status) of every process the run started, and of
the benchmark driver itself. RabbitMQ is the machine's broker, not the run's: not listed."""

from __future__ import annotations

from bench.context import BenchContext
from bench.figures import Better, Figure, Status
from bench.measure import peak_rss_mib

SECTION = "memory"
DESCRIPTIONS = {
    "store": "SecantusDB store",
    "ingest": "ingest service + worker",
    "query": "query service",
    "gateway": "Beacon gateway",
}


async def run_section(context: BenchContext) -> list[Figure]:
    context.stack.record_peak_memory()
    figures = []
    seen: dict[str, int] = {}
    for started in context.stack.processes:
        seen[started.name] = seen.get(started.name, 0) + 1
        label = DESCRIPTIONS.get(started.name, started.name)
        if sum(p.name == started.name for p in context.stack.processes) > 1:
            label = f"{label} #{seen[started.name]}"
        name = f"peak RSS: {label}"
        if started.peak_rss_mib is None:
            figures.append(
                Figure.missing(SECTION, name, Status.UNAVAILABLE, f"pid {started.pid} has exited")
            )
            continue
        figures.append(Figure(SECTION, name, started.peak_rss_mib, "MiB", better=Better.LOWER))
    driver = peak_rss_mib()
    if driver is not None:
        figures.append(
            Figure(
                SECTION,
                "peak RSS: benchmark driver",
                driver,
                "MiB",
                better=Better.LOWER,
                note="parses the floor files and the tabix index in memory",
            )
        )
    return figures
