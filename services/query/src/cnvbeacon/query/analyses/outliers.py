"""Ranking CNVRs by population differentiation (V_ST)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.columns import Table


def default_min_samples(samples: int) -> int:
    """CNVRs carried by fewer samples than this (1% of the cohort, at least 2) are not
    ranked: with a handful of carriers V_ST mostly measures chance."""
    return max(2, math.ceil(0.01 * samples))


@dataclass(frozen=True, slots=True)
class Outliers:
    rows: npt.NDArray[np.intp]  # eligible CNVRs, highest V_ST first
    distribution: dict[str, float | None]


def vst_outliers(table: Table, by: str, min_samples: int) -> Outliers:
    values = table[f"vst_{by}"]
    eligible = np.flatnonzero((table["samples"] >= min_samples) & ~np.isnan(values))
    ordered = eligible[np.argsort(-values[eligible], kind="stable")]
    tested = values[eligible]
    distribution: dict[str, float | None] = {
        name: (float(np.percentile(tested, q)) if len(tested) else None)
        for name, q in (("median", 50), ("p95", 95), ("p99", 99), ("max", 100))
    }
    return Outliers(ordered, distribution)
