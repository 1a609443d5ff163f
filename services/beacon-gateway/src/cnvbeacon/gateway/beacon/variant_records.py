"""genomicVariations records: one per distinct variant, with its carriers and frequencies.

Input is a variant as the query service's ``/variants`` groups it (same chromosome, start,
end and direction DEL/DUP/CNV) with its carrier calls::

    {"id": "GRCh38:1:1000-2000:DEL", "assembly", "chrom", "start", "end", "variant_type",
     "carriers": [{"call_id", "dataset_id", "biosample_id", "individual_id", "population",
                   "superpopulation", "efo_id", "copy_number", "zygosity_id", "vcf_id"?}]}

* ``variantInternalId`` is the query service's variant id, so ``/g_variants/{id}`` finds it
  again whatever the query that listed it;
* ``variation`` is the VRS 1.3 CopyNumberChange of :mod:`cnvbeacon.shared.vrs`; its
  ``copy_change`` is the carriers' EFO term when they share one, else the direction's
  (copy number loss for a DEL with complete and low-level losses among its carriers);
* ``caseLevelData``: one entry per carrier biosample (the first call by id if a biosample
  has several), with zygosity, ``copyNumber``, the carrier's own EFO term as
  ``copyNumberChange`` (extra properties), and the ids of its analysis and run;
* ``identifiers.variantAlternativeIds``: the VCF ids of the carrier calls;
* ``molecularAttributes.geneIds``: protein-coding genes the variant overlaps;
* ``frequencyInPopulations``: see :func:`build_frequencies`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.sample_entries import analysis_id, run_id
from cnvbeacon.shared.frequencies import GroupSize, variant_frequencies
from cnvbeacon.shared.reference import genes_of_call
from cnvbeacon.shared.vocabulary import CNV, CNV_TERMS, GAIN, LOSS, Direction
from cnvbeacon.shared.vrs import genomic_variation_of_calls

_DIRECTION_TERM = {Direction.LOSS.value: LOSS.id, Direction.GAIN.value: GAIN.id}


def variant_id(assembly: str, chrom: str, start: int, end: int, variant_type: str) -> str:
    """The query service's id of a distinct variant, e.g. ``GRCh38:1:1000-2000:DEL``."""
    return f"{assembly}:{chrom}:{start}-{end}:{variant_type}"


def carriers_of(variant: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """One carrier call per (dataset, biosample): the first by call id."""
    first: dict[tuple[str, str], Mapping[str, Any]] = {}
    for carrier in sorted(variant["carriers"], key=lambda c: str(c["call_id"])):
        first.setdefault((carrier["dataset_id"], carrier["biosample_id"]), carrier)
    return list(first.values())


def shared_term(variant_type: str, terms: Iterable[str]) -> str:
    """The carriers' EFO term if they share one, else the direction's."""
    distinct = set(terms)
    if len(distinct) == 1:
        return distinct.pop()
    return _DIRECTION_TERM.get(variant_type, CNV.id)


def _term(term_id: str) -> JsonObject:
    term = CNV_TERMS.get(term_id)
    return {"id": term_id, "label": term.label if term else term_id}


@dataclass(frozen=True, slots=True)
class FrequencySource:
    """Where frequencies come from: a dataset, its landing URL and data version."""

    name: str
    url: str
    version: str


def build_frequencies(
    variant: Mapping[str, Any],
    group_sizes: Sequence[GroupSize],
    source: FrequencySource,
) -> list[JsonObject]:
    """``frequencyInPopulations``: the variant's frequency (shared.frequencies: over the
    individuals with data) in the dataset as a whole (population "all") and in each 1kGP
    superpopulation and population with data.

    ``alleleFrequency`` is the allele frequency; each entry also carries the counts it
    comes from and the carrier frequency (extra properties): ``alleleCount``,
    ``alleleNumber``, ``carriers``, ``individuals``, ``carrierFrequency``. A group where no
    ploidy is known (X or Y, sexes unknown) is left out. Empty when no group has data.
    """
    found = variant_frequencies(
        variant["carriers"],
        group_sizes,
        chrom=variant["chrom"],
        start=variant["start"],
        end=variant["end"],
        variant_type=variant["variant_type"],
        assembly=variant["assembly"],
    )
    frequencies = [
        {
            "population": frequency.code,
            "alleleFrequency": frequency.allele_frequency,
            "alleleCount": frequency.allele_count,
            "alleleNumber": frequency.allele_number,
            "carriers": frequency.carriers,
            "individuals": frequency.individuals,
            "carrierFrequency": frequency.carrier_frequency,
        }
        for frequency in found
        if frequency.allele_frequency is not None
    ]
    if not frequencies:
        return []
    return [
        {
            "source": source.name,
            "sourceReference": source.url,
            "version": source.version,
            "frequencies": frequencies,
        }
    ]


def _genes(variant: Mapping[str, Any]) -> list[str]:
    return genes_of_call(variant["chrom"], variant["start"], variant["end"], variant["assembly"])


def build_variant_record(
    variant: Mapping[str, Any], frequencies: Sequence[JsonObject] = ()
) -> JsonObject:
    """The genomicVariations record of a distinct variant (see the module docstring)."""
    carriers = carriers_of(variant)
    term = shared_term(variant["variant_type"], (c["efo_id"] for c in carriers))
    calls = [
        {
            "_id": carrier["call_id"],
            "assembly": variant["assembly"],
            "chrom": variant["chrom"],
            "start": variant["start"],
            "end": variant["end"],
            "variant_type": variant["variant_type"],
            "efo_id": term,
            "biosample_id": carrier["biosample_id"],
            "individual_id": carrier["individual_id"],
            "zygosity_id": carrier.get("zygosity_id"),
            "copy_number": carrier.get("copy_number"),
            "vcf_id": carrier.get("vcf_id"),
        }
        for carrier in carriers
    ]
    record = genomic_variation_of_calls(calls)
    record["variantInternalId"] = variant["id"]
    for case, carrier in zip(record["caseLevelData"], carriers, strict=True):
        case["copyNumberChange"] = _term(carrier["efo_id"])
        case["analysisId"] = analysis_id(carrier["biosample_id"])
        case["runId"] = run_id(carrier["biosample_id"])
    genes = _genes(variant)
    if genes:
        record["molecularAttributes"] = {"geneIds": genes}
    if frequencies:
        record["frequencyInPopulations"] = list(frequencies)
    return record
