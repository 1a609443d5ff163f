"""Small hand-made cohorts for the analysis tests, written as readable rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnvbeacon.query.analyses.cohort import Cohort, SampleAttributes, build_cohort
from cnvbeacon.query.analyses.genome import ANALYSED_CHROMOSOMES

VARIANT = {"DEL": -1, "DUP": 1, "CNV": 0}


@dataclass(frozen=True)
class Person:
    id: str
    sex: str = "female"
    population: str | None = None
    superpopulation: str | None = None


def cohort(
    people: list[Person],
    calls: list[tuple[str, str, int, int, str, float | None]],
    *,
    failing: frozenset[int] = frozenset(),
    assembly: str = "GRCh38",
) -> Cohort:
    """calls: (sample, chrom, start, end, DEL/DUP/CNV, copy number or None); the calls at
    the positions in `failing` are not PASS."""
    ids = [p.id for p in people]
    columns = {
        "chrom": np.array([ANALYSED_CHROMOSOMES.index(c[1]) for c in calls], dtype=np.int16),
        "start": np.array([c[2] for c in calls], dtype=np.int64),
        "end": np.array([c[3] for c in calls], dtype=np.int64),
        "sample": np.array([ids.index(c[0]) for c in calls], dtype=np.int32),
        "variant": np.array([VARIANT[c[4]] for c in calls], dtype=np.int8),
        "copy_number": np.array(
            [np.nan if c[5] is None else c[5] for c in calls], dtype=np.float64
        ),
        "is_pass": np.array([i not in failing for i in range(len(calls))], dtype=bool),
    }
    attributes = {p.id: SampleAttributes(p.sex, p.population, p.superpopulation) for p in people}
    return build_cohort(assembly, columns, ids, attributes)
