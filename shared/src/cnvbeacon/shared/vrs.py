"""Stored calls as Beacon v2 ``genomicVariations`` records with VRS 1.3 variations.

A call (a dict with the keys of :class:`cnvbeacon.shared.models.CnvCall`) becomes::

    {"variantInternalId": "GRCh38:1:2650427-2651463:EFO:0030069",
     "variation": {"type": "CopyNumberChange", "copy_change": "efo:0030069",
                   "subject": {"type": "SequenceLocation", "sequence_id": "refseq:NC_000001.11",
                               "interval": {"type": "SequenceInterval",
                                            "start": {"type": "Number", "value": 2650427},
                                            "end": {"type": "Number", "value": 2651463}}}},
     "identifiers": {"variantAlternativeIds": [{"id": "DRAGEN:LOSS:...", "notes": ...}]},
     "caseLevelData": [{"id": <call _id>, "biosampleId": ..., "individualId": ...,
                        "zygosity": {"id": "GENO:0000136", "label": "homozygous"},
                        "copyNumber": 0.0, "copyRatio": 1.0e-09}]}

VRS 1.3 spells the CopyNumberChange fields ``copy_change`` and ``subject`` (its schema forbids
other properties) and allows only some EFO terms; a call of unknown direction (EFO:0030066)
has no CopyNumberChange form and becomes a Beacon ``LegacyVariation`` (variantType "CNV").
``copyNumber``/``copyRatio`` are extra caseLevelData properties, which the schema allows.
Coordinates are the stored 0-based half-open ones, which is what VRS uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cnvbeacon.shared.vocabulary import FOCAL_AMPLIFICATION, HIGH_LEVEL_GAIN, ZYGOSITY_TERMS

__all__ = [
    "REFSEQ_CHROMOSOMES",
    "copy_change",
    "genomic_variation",
    "genomic_variation_of_calls",
    "sequence_id",
    "sequence_location",
    "variant_internal_id",
]

# RefSeq accessions of the assembled chromosomes (UCSC/bioframe seqinfo "aliases" column).
# GRCh37 has no "M" entry: hg19's chrM (NC_001807.4) and b37's MT (rCRS, NC_012920.1) are
# different sequences, and stored calls no longer say which of the two names they came from.
REFSEQ_CHROMOSOMES: dict[str, dict[str, str]] = {
    "GRCh38": {
        "1": "NC_000001.11", "2": "NC_000002.12", "3": "NC_000003.12", "4": "NC_000004.12",
        "5": "NC_000005.10", "6": "NC_000006.12", "7": "NC_000007.14", "8": "NC_000008.11",
        "9": "NC_000009.12", "10": "NC_000010.11", "11": "NC_000011.10", "12": "NC_000012.12",
        "13": "NC_000013.11", "14": "NC_000014.9", "15": "NC_000015.10", "16": "NC_000016.10",
        "17": "NC_000017.11", "18": "NC_000018.10", "19": "NC_000019.10", "20": "NC_000020.11",
        "21": "NC_000021.9", "22": "NC_000022.11", "X": "NC_000023.11", "Y": "NC_000024.10",
        "M": "NC_012920.1",
    },
    "GRCh37": {
        "1": "NC_000001.10", "2": "NC_000002.11", "3": "NC_000003.11", "4": "NC_000004.11",
        "5": "NC_000005.9", "6": "NC_000006.11", "7": "NC_000007.13", "8": "NC_000008.10",
        "9": "NC_000009.11", "10": "NC_000010.10", "11": "NC_000011.9", "12": "NC_000012.11",
        "13": "NC_000013.10", "14": "NC_000014.8", "15": "NC_000015.9", "16": "NC_000016.9",
        "17": "NC_000017.10", "18": "NC_000018.9", "19": "NC_000019.9", "20": "NC_000020.10",
        "21": "NC_000021.8", "22": "NC_000022.10", "X": "NC_000023.10", "Y": "NC_000024.9",
    },
}  # fmt: skip

_ASSEMBLY_NAMES = {"grch38": "GRCh38", "hg38": "GRCh38", "grch37": "GRCh37", "hg19": "GRCh37"}

# EFO terms VRS 1.3 accepts as copy_change, lower-cased as VRS writes them.
_VRS_COPY_CHANGES = frozenset(
    {
        "efo:0030069",
        "efo:0020073",
        "efo:0030068",
        "efo:0030067",
        "efo:0030064",
        "efo:0030070",
        "efo:0030071",
        "efo:0030072",
    }
)
# Terms more specific than VRS allows, and the closest term it does.
_VRS_BROADER = {FOCAL_AMPLIFICATION.id: HIGH_LEVEL_GAIN.id}

VCF_ID_NOTE = "ID column of the source VCF"


def sequence_id(assembly: str, chrom: str) -> str:
    """``refseq:NC_...`` for a chromosome; ``<assembly>:<contig>`` where none is known."""
    canonical = _ASSEMBLY_NAMES.get(assembly.lower(), assembly)
    accession = REFSEQ_CHROMOSOMES.get(canonical, {}).get(chrom)
    return f"refseq:{accession}" if accession else f"{canonical}:{chrom}"


def copy_change(efo_id: str) -> str | None:
    """The VRS 1.3 ``copy_change`` value of an EFO term (None if VRS has none for it)."""
    value = _VRS_BROADER.get(efo_id, efo_id).lower()
    return value if value in _VRS_COPY_CHANGES else None


def sequence_location(assembly: str, chrom: str, start: int, end: int) -> dict[str, Any]:
    return {
        "type": "SequenceLocation",
        "sequence_id": sequence_id(assembly, chrom),
        "interval": {
            "type": "SequenceInterval",
            "start": {"type": "Number", "value": start},
            "end": {"type": "Number", "value": end},
        },
    }


def variant_internal_id(call: Mapping[str, Any]) -> str:
    """One id per distinct variant: same place and same EFO copy-number term."""
    return f"{call['assembly']}:{call['chrom']}:{call['start']}-{call['end']}:{call['efo_id']}"


def _variation(call: Mapping[str, Any]) -> dict[str, Any]:
    location = sequence_location(call["assembly"], call["chrom"], call["start"], call["end"])
    change = copy_change(call["efo_id"])
    if change is None:
        # Unknown direction: no CopyNumberChange can say "some change", so the legacy form.
        return {"variantType": call["variant_type"], "alternateBases": "N", "location": location}
    return {"type": "CopyNumberChange", "copy_change": change, "subject": location}


def _case_level(call: Mapping[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": call["_id"],
        "biosampleId": call["biosample_id"],
        "individualId": call["individual_id"],
    }
    # Optional fields are read leniently, so that projections without them still map.
    zygosity = ZYGOSITY_TERMS.get(call.get("zygosity_id") or "")
    if zygosity is not None:
        case["zygosity"] = {"id": zygosity.id, "label": zygosity.label}
    if call.get("copy_number") is not None:
        case["copyNumber"] = call["copy_number"]
    if call.get("copy_ratio") is not None:
        case["copyRatio"] = call["copy_ratio"]
    return case


def genomic_variation(call: Mapping[str, Any]) -> dict[str, Any]:
    """The genomicVariations record of one stored call (one carrier)."""
    return genomic_variation_of_calls([call])


def genomic_variation_of_calls(calls: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One record for calls of the same variant, with one caseLevelData entry per call.

    Raises ValueError if the calls are not all the same variant (see variant_internal_id).
    """
    if not calls:
        raise ValueError("a genomic variation needs at least one call")
    internal_id = variant_internal_id(calls[0])
    for call in calls[1:]:
        if variant_internal_id(call) != internal_id:
            raise ValueError(
                f"calls of different variants: {internal_id} and {variant_internal_id(call)}"
            )
    record: dict[str, Any] = {
        "variantInternalId": internal_id,
        "variation": _variation(calls[0]),
    }
    vcf_ids = list(dict.fromkeys(call["vcf_id"] for call in calls if call.get("vcf_id")))
    if vcf_ids:
        record["identifiers"] = {
            "variantAlternativeIds": [{"id": vcf_id, "notes": VCF_ID_NOTE} for vcf_id in vcf_ids]
        }
    record["caseLevelData"] = [_case_level(call) for call in calls]
    return record
