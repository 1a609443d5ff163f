"""What every benchmark section gets: the options, the cohort, the running stack.

The section contract (for bench/sections/*.py and hooks such as bench/bench_analyses.py): a
module exposing ``async def run_section(context: BenchContext) -> list[Figure]``. A section
may leave facts for later sections in ``context.facts`` (e.g. that the whole cohort is in
the store) and must not stop processes it did not start. A measurement that needs what a later
section makes (e.g. the pages section's analyses pages need the analysis the analyses section
computes) is left with ``context.defer(after, Deferred(...))``: the runner runs it right after
that section and lists its figures there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cohort.generate import Cohort
from bench.figures import Figure
from bench.stack import BenchStack
from cnvbeacon.shared.store.client import Database


@dataclass(frozen=True)
class BenchOptions:
    samples: int
    seed: int
    queries: int  # lookup windows per query figure
    repeats: int  # runs per throughput figure (the median is reported)
    workers: int  # ingest worker processes
    e2e_budget_s: float  # stop submitting more queue batches once this would be exceeded
    results: Path
    cohort_dir: Path
    generator_jobs: int
    mongodb_url: str | None = None
    amqp_url: str | None = None
    keep_data: bool = False
    # Files per floor measurement (parse and raw insert); the cohort's first ones.
    floor_files: int = 200
    # Sections to run, in bench.sections.SECTIONS order (the runner fills it from --sections).
    sections: tuple[str, ...] = ()
    # The pages section: pages per page kind, seconds per replay, files of the batch ingesting
    # during the second replay (0: no replay during an ingest).
    pages: int = 20
    pages_budget_s: float = 120.0
    pages_ingest_files: int = 100


@dataclass(frozen=True)
class Deferred:
    """Figures of ``section`` that can only be measured after another section has run."""

    section: str
    name: str  # what it measures, for the log and the figure of a failure
    work: Callable[[], Awaitable[list[Figure]]]


@dataclass
class BenchContext:
    options: BenchOptions
    cohort: Cohort
    stack: BenchStack
    db: Database
    dataset_id: str
    facts: dict[str, Any] = field(default_factory=dict)
    # Section name -> measurements to run right after it (see Deferred).
    deferred: dict[str, list[Deferred]] = field(default_factory=dict)

    def defer(self, after: str, deferred: Deferred) -> None:
        self.deferred.setdefault(after, []).append(deferred)

    def service_url(self, name: str) -> str | None:
        urls = self.stack.urls(name)
        return urls[0] if urls else None
