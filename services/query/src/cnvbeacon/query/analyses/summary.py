"""The genome summary in the terms of Redon et al. 2006: CNVRs, bases and share of the
genome (and of each chromosome) they cover, sizes of deletions and duplications, calls per
sample, and how often CNVRs of each class overlap protein-coding genes."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.cohort import GAIN, LOSS, Cohort
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.regions import CLASSES, DELETION, DUPLICATION

# Size histograms: log10(length) from 10 bp to 1 Gb in steps of a tenth of a decade.
SIZE_EDGES: Final = np.round(np.arange(1.0, 9.0001, 0.1), 1)


def genome_summary(cohort: Cohort, regions: Table, events: int) -> dict[str, Any]:
    calls = cohort.calls
    the_genome = cohort.genome
    span = (regions["end"] - regions["start"]).astype(np.int64)
    covered = int(span.sum())
    per_chrom_bases = np.bincount(regions["chrom"], weights=span, minlength=len(the_genome.lengths))
    per_chrom_regions = np.bincount(regions["chrom"], minlength=len(the_genome.lengths))
    classes = regions["class"]
    per_sample = np.bincount(calls.sample, minlength=len(cohort.samples))
    loss, gain = calls.direction == LOSS, calls.direction == GAIN
    with_genes = regions["gene_count"] > 0
    return {
        "samples": len(cohort.samples),
        "calls": len(calls),
        "loss_calls": int(loss.sum()),
        "gain_calls": int(gain.sum()),
        "cnvrs": len(span),
        "events": events,
        "singleton_cnvrs": int(regions["singleton"].sum()),
        "cnvr_classes": {name: int((classes == code).sum()) for code, name in enumerate(CLASSES)},
        "bases_covered": covered,
        "genome_length": the_genome.length,
        "percent_of_genome": 100 * covered / the_genome.length,
        "chromosomes": [
            {
                "chrom": chrom,
                "length": length,
                "cnvrs": int(per_chrom_regions[index]),
                "bases_covered": int(per_chrom_bases[index]),
                "percent": 100 * float(per_chrom_bases[index]) / length,
            }
            for index, (chrom, length) in enumerate(
                zip(the_genome.chromosomes, the_genome.lengths, strict=True)
            )
        ],
        "sizes": {
            "deletion_calls": _size_statistics(calls.length[loss]),
            "duplication_calls": _size_statistics(calls.length[gain]),
            "deletion_cnvrs": _size_statistics(span[classes == DELETION]),
            "duplication_cnvrs": _size_statistics(span[classes == DUPLICATION]),
            "cnvrs": _size_statistics(span),
        },
        "calls_per_sample": _spread(per_sample),
        "gene_overlap": {
            **{name: _share(with_genes[classes == code]) for code, name in enumerate(CLASSES)},
            "all": _share(with_genes),
        },
        "size_histogram": {
            "log10_edges": SIZE_EDGES.tolist(),
            "deletion_calls": _histogram(calls.length[loss]),
            "duplication_calls": _histogram(calls.length[gain]),
            "cnvrs": _histogram(span),
        },
    }


def _size_statistics(lengths: npt.NDArray[np.int64]) -> dict[str, float | int | None]:
    if len(lengths) == 0:
        return {"count": 0, "median": None, "mean": None}
    return {
        "count": len(lengths),
        "median": float(np.median(lengths)),
        "mean": float(np.mean(lengths)),
    }


def _spread(values: npt.NDArray[np.int64]) -> dict[str, float | None]:
    if len(values) == 0:
        return {"mean": None, "median": None, "min": None, "max": None}
    return {
        "mean": float(np.mean(values)),
        "median": float(np.median(values)),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
    }


def _share(flags: npt.NDArray[np.bool_]) -> dict[str, float | int | None]:
    return {
        "cnvrs": len(flags),
        "with_genes": int(flags.sum()),
        "fraction": float(flags.mean()) if len(flags) else None,
    }


def _histogram(lengths: npt.NDArray[np.int64]) -> list[int]:
    counts, _ = np.histogram(np.log10(np.maximum(lengths, 1)), bins=SIZE_EDGES)
    return [int(c) for c in counts]
