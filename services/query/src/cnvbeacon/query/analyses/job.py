"""The analysis job: read a dataset's calls once, analyse them, store the result and the
cohort snapshot, all labelled with the data version they were read at.

It runs in a child process of the query service (see child.py): reading and decoding two
million calls and the numpy work take a core for a minute or two, which would otherwise
stall the service's event loop and its lookups.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
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


async def load_cohort(db: Database, dataset_id: str) -> tuple[Cohort, int, float]:
    """The dataset's cohort, the data version read before its calls, and the read time."""
    version = await source.dataset_version(db, dataset_id)
    if version is None:
        raise DatasetMissingError(dataset_id)
    attributes = await source.sample_attributes(db, dataset_id)
    stored = await source.read_calls(db, dataset_id, version.assembly or "GRCh38")
    cohort = build_cohort(
        version.assembly or "GRCh38", stored.columns, stored.sample_ids, attributes
    )
    return cohort, version.data_version, stored.seconds


async def run_job(db: Database, dataset_id: str) -> JobReport:
    cohort, data_version, read_seconds = await load_cohort(db, dataset_id)
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
