"""Text formats of stored calls, shared by the offline converter (`cnvb convert`) and the
query service's exports, so that a file means the same whichever of them wrote it.

Coordinates stay 0-based half-open in every format here (as in BED).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from cnvbeacon.shared.vocabulary import CNV_TERMS

MISSING: Final = "."
# The fields of a stored call that views, filters and exports read (provenance fields such
# as file_digest and job_id stay in the store).
CALL_FIELDS: Final = (
    "dataset_id",
    "assembly",
    "chrom",
    "start",
    "end",
    "length",
    "variant_type",
    "efo_id",
    "copy_number",
    "copy_ratio",
    "genotype",
    "zygosity_id",
    "quality",
    "filters",
    "is_pass",
    "vcf_id",
    "biosample_id",
    "individual_id",
    "sex",
    "population",
    "superpopulation",
)
CALL_TSV_COLUMNS: Final = ("id", *CALL_FIELDS)
# Progenetix segment files (.pgxseg), column names as Progenetix documents them.
PGXSEG_COLUMNS: Final = (
    "biosample_id",
    "reference_name",
    "start",
    "end",
    "log2",
    "variant_type",
    "reference_sequence",
    "sequence",
    "variant_state_id",
    "variant_state_label",
)
_UCSC_CHROMOSOMES: Final = frozenset([*(str(n) for n in range(1, 23)), "X", "Y", "M"])


def cell(value: object) -> str:
    """One value as a TSV cell: '.' for missing, whole floats without '.0', lists ';'-joined."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value) or MISSING
    return str(value)


def call_tsv_row(call: Mapping[str, Any]) -> str:
    """A stored call (`_id`) or a call view (`id`) as a line of CALL_TSV_COLUMNS."""
    values = (
        call.get("_id", call.get("id")) if c == "id" else call.get(c) for c in CALL_TSV_COLUMNS
    )
    return "\t".join(cell(v) for v in values) + "\n"


# log2 copy ratios are clamped to +-LOG2_LIMIT: a complete deletion's ratio is near 0, its
# log2 near minus infinity (-29.9 was seen), which no plot or segment tool scales to.
LOG2_LIMIT: Final = 3.0


def log2_ratio(copy_ratio: float | None) -> str:
    if copy_ratio is None or math.isnan(copy_ratio):
        return MISSING
    value = math.log2(copy_ratio) if copy_ratio > 0 else -LOG2_LIMIT
    return f"{min(max(value, -LOG2_LIMIT), LOG2_LIMIT):.4f}"


def pgxseg_row(call: Mapping[str, Any]) -> str:
    term = CNV_TERMS.get(call["efo_id"])
    fields = (
        call["biosample_id"],
        call["chrom"],
        call["start"],
        call["end"],
        log2_ratio(call.get("copy_ratio")),
        call["variant_type"],
        MISSING,
        MISSING,
        call["efo_id"],
        term.label if term else MISSING,
    )
    return "\t".join(str(f) for f in fields) + "\n"


def ucsc_chrom(chrom: str) -> str:
    """UCSC-style name for the primary chromosomes (BED, genome browsers); others as stored."""
    return f"chr{chrom}" if chrom in _UCSC_CHROMOSOMES else chrom
