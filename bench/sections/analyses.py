"""Analyses (frequency maps, CNV regions, V_ST): not measured by this runner yet, said plainly.

bench/bench_analyses.py (the analyses engineer's) measures them on its own cohort; it
replaces this placeholder as soon as it exposes ``run_section(context)`` (see
bench/sections/__init__.py), and then times them on this run's ingested cohort, whose
loci.tsv holds the true frequencies to check the answers against.
"""

from __future__ import annotations

from bench.context import BenchContext
from bench.figures import Figure, Status

SECTION = "analyses"
ANALYSES = ("frequency map", "CNV regions", "V_ST by population")


async def run_section(context: BenchContext) -> list[Figure]:
    del context  # nothing measured here yet
    return [
        Figure.missing(
            SECTION,
            analysis,
            Status.NOT_IMPLEMENTED,
            "not timed by this runner yet (bench/bench_analyses.py, separately); no figure "
            "rather than a made-up one",
        )
        for analysis in ANALYSES
    ]
