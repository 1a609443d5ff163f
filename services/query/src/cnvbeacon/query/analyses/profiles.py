"""Per-sample profiles: calls, bases gained and lost (the union of the sample's gains,
resp. losses, so overlapping calls count once) and the fraction of the genome altered."""

from __future__ import annotations

import numpy as np

from cnvbeacon.query.analyses.cohort import GAIN, LOSS, Cohort
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genome import SEX_NAMES, Sex
from cnvbeacon.query.analyses.intervals import covered_bases


def sample_profiles(cohort: Cohort) -> Table:
    calls, samples = cohort.calls, cohort.samples
    n = len(samples)
    chromosomes = len(cohort.genome.chromosomes)
    key = calls.sample.astype(np.int64) * chromosomes + calls.chrom
    order = np.lexsort((calls.start, key))
    table: Table = {
        "sample": np.array(samples.ids, dtype=object),
        "sex": np.array([SEX_NAMES[Sex(int(s))] for s in samples.sex.tolist()], dtype=object),
        "population": _names(samples.population, samples.populations),
        "superpopulation": _names(samples.superpopulation, samples.superpopulations),
        "calls": np.bincount(calls.sample, minlength=n).astype(np.int64),
    }
    for name, wanted in (("gain", GAIN), ("loss", LOSS)):
        table[f"{name}_calls"] = np.bincount(
            calls.sample[calls.direction == wanted], minlength=n
        ).astype(np.int64)
    for name, chosen in (
        ("bases_gained", calls.direction[order] == GAIN),
        ("bases_lost", calls.direction[order] == LOSS),
        ("bases_altered", np.ones(len(order), dtype=bool)),
    ):
        rows = order[chosen]
        per_key = covered_bases(key[rows], calls.start[rows], calls.end[rows], n * chromosomes)
        table[name] = per_key.reshape(n, chromosomes).sum(axis=1)
    table["fraction_altered"] = table["bases_altered"] / cohort.genome.length
    return table


def _names(codes: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    return np.array([names[c] if c >= 0 else "" for c in codes.tolist()], dtype=object)
