"""Population frequencies of copy-number variants: the one definition every answer uses
(Beacon records, the query service, the web UI and the exports).

* The denominator of a group is its individuals **with data** in the dataset: those with a
  biosample whose calls are loaded. Registered individuals without data, and other
  datasets, never count.
* carrier frequency = carriers (individuals with at least one call of the variant) /
  individuals with data.
* allele frequency = allele count / allele number. The allele number counts the group's
  copies of the locus: 2 per individual on autosomes and in the pseudoautosomal regions;
  elsewhere on X 2 per female and 1 per male, on Y 1 per male. Individuals of unknown sex
  have no known ploidy on X and Y and are left out of both counts there. A carrier's allele
  count is the number of non-reference alleles of its genotype (0/1: 1, 1/1: 2, ./1: 1,
  haploid 1: 1); without one, the copies a loss removes, else 1; never above its ploidy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

from cnvbeacon.shared.reference.chromosomes import in_pseudoautosomal_region
from cnvbeacon.shared.vocabulary import Direction

_ALLELE_SEPARATOR: Final = re.compile(r"[/|]")


class GroupLevel(StrEnum):
    ALL = "all"  # every individual with data
    SUPERPOPULATION = "superpopulation"
    POPULATION = "population"


@dataclass(frozen=True, slots=True)
class GroupSize:
    """How many individuals of a group have data (and how many are registered)."""

    level: GroupLevel
    code: str
    individuals: int  # with data
    female: int  # of those, by sex (the rest are of unknown sex)
    male: int
    registered: int
    superpopulation: str | None = None  # of a population: the one its members belong to

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "code": self.code,
            "individuals": self.individuals,
            "female": self.female,
            "male": self.male,
            "registered": self.registered,
            "superpopulation": self.superpopulation,
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> GroupSize:
        return cls(
            GroupLevel(value["level"]),
            str(value["code"]),
            int(value["individuals"]),
            int(value["female"]),
            int(value["male"]),
            int(value["registered"]),
            value.get("superpopulation"),
        )


@dataclass(frozen=True, slots=True)
class Frequency:
    """A variant's frequency in one group, with the counts it comes from."""

    level: GroupLevel
    code: str
    carriers: int
    individuals: int
    allele_count: int
    allele_number: int

    @property
    def carrier_frequency(self) -> float:
        return self.carriers / self.individuals if self.individuals else 0.0

    @property
    def allele_frequency(self) -> float | None:
        """None where no individual's ploidy is known (X or Y, sexes unknown)."""
        return self.allele_count / self.allele_number if self.allele_number else None


def ploidy(chrom: str, start: int, end: int, sex: str | None, assembly: str) -> int | None:
    """Copies of the locus an individual has (None: unknown, for X and Y without a sex)."""
    if chrom not in ("X", "Y") or in_pseudoautosomal_region(chrom, start, end, assembly):
        return 2
    if sex not in ("female", "male"):
        return None
    if chrom == "X":
        return 2 if sex == "female" else 1
    return 1 if sex == "male" else 0


@lru_cache(maxsize=4096)
def allele_count(
    genotype: str | None, copy_number: float | None, variant_type: str, copies: int
) -> int:
    """Non-reference alleles of one carrier's call (see the module's definition); few
    distinct arguments recur across a cohort's calls, so answers are remembered."""
    if copies <= 0:
        return 0
    if genotype:
        alleles = sum(a not in ("0", ".", "") for a in _ALLELE_SEPARATOR.split(genotype))
        if alleles:
            return min(alleles, copies)
    if variant_type == Direction.LOSS.value and copy_number is not None:
        return max(1, min(copies, copies - round(copy_number)))
    return 1


_EVERYONE: Final = (GroupLevel.ALL, GroupLevel.ALL.value)
_ATTRIBUTE_LEVELS: Final = tuple(
    (level, level.value) for level in (GroupLevel.SUPERPOPULATION, GroupLevel.POPULATION)
)


def group_keys(call: Mapping[str, Any]) -> list[tuple[GroupLevel, str]]:
    """The groups (level, code) an individual with these attributes belongs to."""
    keys = [_EVERYONE]
    for level, field in _ATTRIBUTE_LEVELS:
        code = call.get(field)
        if code:
            keys.append((level, str(code)))
    return keys


def variant_frequencies(
    carriers: Iterable[Mapping[str, Any]],
    sizes: Sequence[GroupSize],
    *,
    chrom: str,
    start: int,
    end: int,
    variant_type: str,
    assembly: str,
) -> list[Frequency]:
    """The variant's frequency in each group with data (`sizes`, in their order), from its
    carrier calls (one dataset's: with individual_id, sex, population, superpopulation,
    genotype and copy_number). An individual carrying it twice counts once, with the larger
    allele count."""
    alleles_of: dict[str, int] = {}
    groups_of: dict[str, list[tuple[GroupLevel, str]]] = {}
    copies_of_sex: dict[str | None, int | None] = {}
    for call in carriers:
        individual = str(call["individual_id"])
        sex = call.get("sex")
        if sex not in copies_of_sex:
            copies_of_sex[sex] = ploidy(chrom, start, end, sex, assembly)
        copies = copies_of_sex[sex]
        count = (
            0
            if copies is None
            else allele_count(call.get("genotype"), call.get("copy_number"), variant_type, copies)
        )
        if individual in alleles_of:
            alleles_of[individual] = max(alleles_of[individual], count)
        else:
            alleles_of[individual] = count
            groups_of[individual] = group_keys(call)
    carried: dict[tuple[GroupLevel, str], tuple[int, int]] = {}
    for individual, groups in groups_of.items():
        for group in groups:
            individuals, alleles = carried.get(group, (0, 0))
            carried[group] = (individuals + 1, alleles + alleles_of[individual])
    return group_frequencies(carried, sizes, chrom=chrom, start=start, end=end, assembly=assembly)


def group_frequencies(
    carried: Mapping[tuple[GroupLevel, str], tuple[int, int]],
    sizes: Sequence[GroupSize],
    *,
    chrom: str,
    start: int,
    end: int,
    assembly: str,
) -> list[Frequency]:
    """The frequency in each group with data (`sizes`, in their order) from its carriers
    and their allele count (`carried`: (level, code) -> (carriers, allele count)), each
    counted once per individual with the larger of its calls' allele counts."""
    # Copies of the locus by sex: the same for every group.
    female, male, unknown = (
        ploidy(chrom, start, end, sex, assembly) or 0 for sex in ("female", "male", None)
    )
    found = []
    for size in sizes:
        if size.individuals <= 0:
            continue
        carriers, alleles = carried.get((size.level, size.code), (0, 0))
        unsexed = size.individuals - size.female - size.male
        found.append(
            Frequency(
                size.level,
                size.code,
                carriers=carriers,
                individuals=size.individuals,
                allele_count=alleles,
                allele_number=female * size.female + male * size.male + unknown * unsexed,
            )
        )
    return found


def group_sizes(
    with_data: Sequence[Mapping[str, Any]], registered: Sequence[Mapping[str, Any]]
) -> list[GroupSize]:
    """Sizes of every group from one dataset's individuals with data and its registered
    individuals (rows with sex, population, superpopulation: one individual each, or
    `individuals` of them sharing those attributes): all first, then superpopulations,
    then populations, each by code; groups without data included (individuals 0) when
    registered."""
    data: dict[tuple[GroupLevel, str], dict[str, int]] = {}
    for row in with_data:
        count = int(row.get("individuals", 1))
        for group in group_keys(row):
            tally = data.setdefault(group, {"individuals": 0, "female": 0, "male": 0})
            tally["individuals"] += count
            if row.get("sex") in ("female", "male"):
                tally[str(row["sex"])] += count
    listed: dict[tuple[GroupLevel, str], int] = {}
    parents: dict[str, str] = {}
    for row in registered:
        count = int(row.get("individuals", 1))
        for group in group_keys(row):
            listed[group] = listed.get(group, 0) + count
    for row in (*with_data, *registered):
        if row.get("population") and row.get("superpopulation"):
            parents.setdefault(str(row["population"]), str(row["superpopulation"]))
    order = list(GroupLevel)
    keys = sorted(set(data) | set(listed), key=lambda g: (order.index(g[0]), g[1]))
    if (GroupLevel.ALL, GroupLevel.ALL.value) not in keys:
        keys.insert(0, (GroupLevel.ALL, GroupLevel.ALL.value))
    return [
        GroupSize(
            level,
            code,
            individuals=data.get((level, code), {}).get("individuals", 0),
            female=data.get((level, code), {}).get("female", 0),
            male=data.get((level, code), {}).get("male", 0),
            registered=listed.get((level, code), 0),
            superpopulation=parents.get(code) if level is GroupLevel.POPULATION else None,
        )
        for level, code in keys
    ]
