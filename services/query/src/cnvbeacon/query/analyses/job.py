"""The analysis job: read a dataset's calls once (the read model's export of one
snapshot), analyse them, store the result and the cohort snapshot, all labelled with the
data version exported.

It runs in a child process of the query service (see child.py): the numpy work takes a
core for many seconds, which would otherwise stall the service's event loop and lookups.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnvbeacon.query.analyses import source
from cnvbeacon.query.analyses.cohort import Cohort, build_cohort, select
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.pipeline import Result, analyse
from cnvbeacon.query.analyses.result_store import save_run
from cnvbeacon.query.analyses.snapshot import cohort_tables
from cnvbeacon.query.analyses.variants import DEFAULT, Variant
from cnvbeacon.shared.store.client import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobReport:
    dataset_id: str
    data_version: int
    calls: int
    samples: int
    read_seconds: float
    analysis_seconds: float
    store_seconds: float
    stored: bool

    def describe(self) -> dict[str, Any]:
        return {
            "dataset_id": self.dataset_id,
            "data_version": self.data_version,
            "calls": self.calls,
            "samples": self.samples,
            "read_seconds": round(self.read_seconds, 2),
            "analysis_seconds": round(self.analysis_seconds, 2),
            "store_seconds": round(self.store_seconds, 2),
            "stored": self.stored,
        }


class DatasetMissingError(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Export:
    """A dataset as a read model exported it for an analysis."""

    dataset_id: str
    assembly: str
    data_version: int
    directory: Path


def result_tables(result: Result) -> tuple[dict[str, Table], dict[str, Any]]:
    meta = {
        "summary": result.summary,
        "groups": [group.describe() for group in result.groups],
        "chromosomes": list(result.chromosomes),
        "chromosome_lengths": list(result.chromosome_lengths),
        "assembly": result.assembly,
    }
    return dict(result.tables), meta


def analyse_variant(cohort: Cohort, variant: Variant) -> tuple[dict[str, Table], dict[str, Any]]:
    return result_tables(analyse(select(cohort, variant.subset), variant.parameters))


def load_cohort(directory: Path, assembly: str) -> tuple[Cohort, float]:
    """The cohort of a read model's export, and the time it took to read."""
    stored = source.read_exported(directory, assembly)
    cohort = build_cohort(
        assembly, stored.columns, stored.sample_ids, source.exported_attributes(directory)
    )
    return cohort, stored.seconds


async def run_job(db: Database, export: Export) -> JobReport:
    """Analyse an exported dataset and store the result."""
    dataset_id, data_version = export.dataset_id, export.data_version
    cohort, read_seconds = load_cohort(export.directory, export.assembly)
    started = time.perf_counter()
    tables, meta = analyse_variant(cohort, DEFAULT)
    snapshot, snapshot_meta = cohort_tables(cohort)
    analysed = time.perf_counter()
    stored = await save_run(
        db,
        dataset_id,
        DEFAULT,
        data_version,
        {**tables, **snapshot},
        {**meta, "cohort": snapshot_meta},
        seconds=read_seconds + analysed - started,
    )
    report = JobReport(
        dataset_id,
        data_version,
        len(cohort.calls),
        len(cohort.samples),
        read_seconds,
        analysed - started,
        time.perf_counter() - analysed,
        stored,
    )
    log.info("analysed dataset", extra=report.describe())
    return report
