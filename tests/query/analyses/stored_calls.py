"""Call documents for the integration tests, valid against the stored schema."""

from __future__ import annotations

from typing import Any

from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.models import CnvCall
from cnvbeacon.shared.vocabulary import Direction, classify_copy_number


def call_document(
    dataset_id: str,
    sample: str,
    chrom: str,
    start: int,
    end: int,
    variant: str,
    copy_number: float,
    *,
    is_pass: bool = True,
    line: int = 1,
) -> dict[str, Any]:
    direction = Direction(variant)
    document = {
        "_id": f"{dataset_id}:{sample}:{chrom}:{start}:{end}:{line}",
        "dataset_id": dataset_id,
        "assembly": "GRCh38",
        "chrom": chrom,
        "start": start,
        "end": end,
        "length": end - start,
        "length_class": length_class(end - start),
        "variant_type": direction.value,
        "efo_id": classify_copy_number(direction, copy_number, 2),
        "copy_number": copy_number,
        "copy_ratio": copy_number / 2,
        "genotype": None,
        "zygosity_id": None,
        "quality": 50.0,
        "filters": ["PASS"] if is_pass else ["cnvQual"],
        "is_pass": is_pass,
        "vcf_id": None,
        "biosample_id": sample,
        "individual_id": sample,
        "file_digest": f"digest-{sample}",
        "job_id": "test-job",
        "source_line": line,
    }
    CnvCall.model_validate(document)
    return document
