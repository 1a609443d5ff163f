"""Analyses (frequency maps, CNV regions, V_ST): not measured yet, and said so plainly.

The query service has no analysis endpoints yet; when it has, this section times them on
the ingested cohort (whose loci.tsv holds the true frequencies to check answers against).
"""

from __future__ import annotations

from bench.context import BenchContext
from bench.figures import Figure, Status

SECTION = "analyses"
ANALYSES = ("frequency map", "CNV regions", "V_ST by population")


async def run_section(context: BenchContext) -> list[Figure]:
    del context  # nothing to measure yet
    return [
        Figure.missing(
            SECTION,
            analysis,
            Status.NOT_IMPLEMENTED,
            "no analysis endpoint to time yet; no figure rather than a made-up one",
        )
        for analysis in ANALYSES
    ]
