"""Ontology terms for copy-number variants, zygosity and sex, and the CNV term hierarchy.

Beacon v2 queries name variant types either as VCF-style words (DEL, DUP, CNV), as EFO
copy-number terms, or as Sequence Ontology terms; a term always matches its descendants.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    """Direction of a copy-number change relative to the baseline ploidy."""

    LOSS = "DEL"
    GAIN = "DUP"
    UNKNOWN = "CNV"


@dataclass(frozen=True, slots=True)
class OntologyTerm:
    id: str
    label: str


CNV = OntologyTerm("EFO:0030066", "copy number variation")
LOSS = OntologyTerm("EFO:0030067", "copy number loss")
LOW_LEVEL_LOSS = OntologyTerm("EFO:0030068", "low-level copy number loss")
COMPLETE_DELETION = OntologyTerm("EFO:0030069", "complete genomic deletion")
GAIN = OntologyTerm("EFO:0030070", "copy number gain")
LOW_LEVEL_GAIN = OntologyTerm("EFO:0030071", "low-level copy number gain")
HIGH_LEVEL_GAIN = OntologyTerm("EFO:0030072", "high-level copy number gain")
FOCAL_AMPLIFICATION = OntologyTerm("EFO:0030073", "focal genomic amplification")

SO_COPY_NUMBER_LOSS = OntologyTerm("SO:0001743", "copy_number_loss")
SO_COPY_NUMBER_GAIN = OntologyTerm("SO:0001742", "copy_number_gain")
SO_COPY_NUMBER_VARIATION = OntologyTerm("SO:0001019", "copy_number_variation")

CNV_TERMS: dict[str, OntologyTerm] = {
    t.id: t
    for t in (
        CNV,
        LOSS,
        LOW_LEVEL_LOSS,
        COMPLETE_DELETION,
        GAIN,
        LOW_LEVEL_GAIN,
        HIGH_LEVEL_GAIN,
        FOCAL_AMPLIFICATION,
    )
}

# child -> parent in the EFO copy-number branch.
_CNV_PARENT: dict[str, str] = {
    LOSS.id: CNV.id,
    LOW_LEVEL_LOSS.id: LOSS.id,
    COMPLETE_DELETION.id: LOSS.id,
    GAIN.id: CNV.id,
    LOW_LEVEL_GAIN.id: GAIN.id,
    HIGH_LEVEL_GAIN.id: GAIN.id,
    FOCAL_AMPLIFICATION.id: HIGH_LEVEL_GAIN.id,
}

# Aliases users and other Beacons send for the same concepts (upper-cased keys).
_VARIANT_TYPE_ALIASES: dict[str, str] = {
    "CNV": CNV.id,
    "DEL": LOSS.id,
    "DUP": GAIN.id,
    "LOSS": LOSS.id,
    "GAIN": GAIN.id,
    SO_COPY_NUMBER_VARIATION.id: CNV.id,
    SO_COPY_NUMBER_LOSS.id: LOSS.id,
    SO_COPY_NUMBER_GAIN.id: GAIN.id,
}


def descendants(term_id: str) -> frozenset[str]:
    """The term and every term below it in the EFO copy-number branch."""
    found = {term_id}
    changed = True
    while changed:
        changed = False
        for child, parent in _CNV_PARENT.items():
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return frozenset(found)


def resolve_variant_type(value: str) -> str:
    """Map a variant-type word or CURIE to its EFO term id.

    Raises ``ValueError`` for anything that is not a copy-number variant type.
    """
    text = value.strip()
    upper = text.upper()
    if upper in _VARIANT_TYPE_ALIASES:
        return _VARIANT_TYPE_ALIASES[upper]
    for term_id in CNV_TERMS:
        if upper == term_id.upper():
            return term_id
    raise ValueError(
        f"unknown variant type {value!r}: use DEL, DUP, CNV, an EFO copy-number term "
        f"({', '.join(sorted(CNV_TERMS))}) or SO:0001743/SO:0001742/SO:0001019"
    )


def expand_variant_types(values: list[str]) -> frozenset[str]:
    """All EFO term ids matched by the given variant types (with descendants)."""
    terms: set[str] = set()
    for value in values:
        terms |= descendants(resolve_variant_type(value))
    return frozenset(terms)


def classify_copy_number(direction: Direction, copy_number: float | None, baseline: int) -> str:
    """The most specific EFO term for a call, given the ploidy it departs from.

    Losses to zero copies are complete deletions; a loss of one copy from a diploid
    baseline is low-level; gains of one copy are low-level and of two or more high-level.
    Without a copy number only the direction is known.
    """
    if direction is Direction.LOSS:
        if copy_number is None:
            return LOSS.id
        if copy_number <= 0:
            return COMPLETE_DELETION.id
        if baseline >= 2 and copy_number >= baseline - 1:
            return LOW_LEVEL_LOSS.id
        return LOSS.id
    if direction is Direction.GAIN:
        if copy_number is None:
            return GAIN.id
        if copy_number >= baseline + 2:
            return HIGH_LEVEL_GAIN.id
        return LOW_LEVEL_GAIN.id
    return CNV.id


# Zygosity (GENO) terms used in Beacon caseLevelData.
HETEROZYGOUS = OntologyTerm("GENO:0000135", "heterozygous")
HOMOZYGOUS = OntologyTerm("GENO:0000136", "homozygous")
HEMIZYGOUS = OntologyTerm("GENO:0000134", "hemizygous")
ZYGOSITY_TERMS: dict[str, OntologyTerm] = {t.id: t for t in (HETEROZYGOUS, HOMOZYGOUS, HEMIZYGOUS)}

# Sex terms (NCIT, as the Beacon individuals model uses).
FEMALE = OntologyTerm("NCIT:C16576", "female")
MALE = OntologyTerm("NCIT:C20197", "male")
UNKNOWN_SEX = OntologyTerm("NCIT:C17998", "unknown")
SEX_TERMS: dict[str, OntologyTerm] = {"female": FEMALE, "male": MALE, "unknown": UNKNOWN_SEX}
