"""A cohort as stored tables, and back: the job stores it beside the full-dataset result so
that subsets and other parameters are computed from it on demand in seconds, without
reading millions of calls from the store again. Coordinates are kept as int32 (every
chromosome is shorter than 2^31) and copy numbers as float32 (about 19 bytes a call)."""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from cnvbeacon.query.analyses.cohort import Calls, Cohort, Samples
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genome import genome

CALLS_TABLE: Final = "cohort_calls"
SAMPLES_TABLE: Final = "cohort_samples"


def cohort_tables(cohort: Cohort) -> tuple[dict[str, Table], dict[str, Any]]:
    calls, samples = cohort.calls, cohort.samples
    tables: dict[str, Table] = {
        CALLS_TABLE: {
            "chrom": calls.chrom,
            "start": calls.start.astype(np.int32),
            "end": calls.end.astype(np.int32),
            "sample": calls.sample,
            "direction": calls.direction,
            "copy_number": calls.copy_number.astype(np.float32),
            "delta": calls.delta.astype(np.float32),
            "is_pass": calls.is_pass,
        },
        SAMPLES_TABLE: {
            "id": np.array(samples.ids, dtype=object),
            "sex": samples.sex,
            "population": samples.population,
            "superpopulation": samples.superpopulation,
        },
    }
    meta = {
        "assembly": cohort.genome.assembly,
        "populations": list(samples.populations),
        "superpopulations": list(samples.superpopulations),
    }
    return tables, meta


def cohort_from_tables(tables: dict[str, Table], meta: dict[str, Any]) -> Cohort:
    calls, samples = tables[CALLS_TABLE], tables[SAMPLES_TABLE]
    return Cohort(
        genome(str(meta["assembly"])),
        Samples(
            ids=tuple(str(s) for s in samples["id"].tolist()),
            sex=samples["sex"].astype(np.int8),
            population=samples["population"].astype(np.int16),
            superpopulation=samples["superpopulation"].astype(np.int16),
            populations=tuple(meta["populations"]),
            superpopulations=tuple(meta["superpopulations"]),
        ),
        Calls(
            chrom=calls["chrom"].astype(np.int16),
            start=calls["start"].astype(np.int64),
            end=calls["end"].astype(np.int64),
            sample=calls["sample"].astype(np.int32),
            direction=calls["direction"].astype(np.int8),
            copy_number=calls["copy_number"].astype(np.float64),
            delta=calls["delta"].astype(np.float64),
            is_pass=calls["is_pass"].astype(bool),
        ),
    )
