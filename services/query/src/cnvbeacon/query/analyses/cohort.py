"""A dataset's calls and samples as numpy columns: the input of every analysis.

The denominator of every frequency is the cohort's samples: the biosamples with at least
one stored call (a sample is only known to have been analysed through its calls). Sex and
populations come from the dataset's registered individuals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genome import SEX_BY_NAME, Genome, Sex, genome

Int64s = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Int16s = npt.NDArray[np.int16]
Int8s = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

LOSS: Final = -1
GAIN: Final = 1
UNKNOWN_DIRECTION: Final = 0
NO_GROUP: Final = -1


@dataclass(frozen=True, slots=True)
class Samples:
    """One row per sample; populations and superpopulations as codes (NO_GROUP: none)."""

    ids: tuple[str, ...]
    sex: Int8s
    population: Int16s
    superpopulation: Int16s
    populations: tuple[str, ...]
    superpopulations: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Calls:
    """One row per call, sorted by (chromosome, start, end). Copy number NaN: not given.
    delta is the copy number minus the sample's baseline there (NaN where unknown)."""

    chrom: Int16s  # index into Genome.chromosomes
    start: Int64s
    end: Int64s
    sample: Int32s
    direction: Int8s  # LOSS, GAIN or UNKNOWN_DIRECTION
    copy_number: Floats
    delta: Floats
    is_pass: Bools

    def __len__(self) -> int:
        return len(self.start)

    @property
    def length(self) -> Int64s:
        return self.end - self.start

    def take(self, rows: npt.NDArray[np.intp] | Bools) -> Calls:
        return Calls(
            self.chrom[rows],
            self.start[rows],
            self.end[rows],
            self.sample[rows],
            self.direction[rows],
            self.copy_number[rows],
            self.delta[rows],
            self.is_pass[rows],
        )


@dataclass(frozen=True, slots=True)
class Cohort:
    genome: Genome
    samples: Samples
    calls: Calls


@dataclass(frozen=True, slots=True)
class Subset:
    """Which samples and calls an analysis covers; empty fields select everything."""

    populations: frozenset[str] = frozenset()
    superpopulations: frozenset[str] = frozenset()
    sex: str | None = None
    pass_only: bool = False

    @property
    def is_everything(self) -> bool:
        return self == Subset()

    def key(self) -> str:
        parts = []
        if self.populations:
            parts.append("population=" + ",".join(sorted(self.populations)))
        if self.superpopulations:
            parts.append("superpopulation=" + ",".join(sorted(self.superpopulations)))
        if self.sex is not None:
            parts.append(f"sex={self.sex}")
        if self.pass_only:
            parts.append("pass_only")
        return ";".join(parts) or "all"

    def describe(self) -> dict[str, object]:
        return {
            "population": sorted(self.populations),
            "superpopulation": sorted(self.superpopulations),
            "sex": self.sex,
            "pass_only": self.pass_only,
        }


def select(cohort: Cohort, subset: Subset) -> Cohort:
    """The cohort restricted to a subset: its samples (renumbered) and their calls."""
    if subset.is_everything:
        return cohort
    samples = cohort.samples
    keep = np.ones(len(samples), dtype=bool)
    if subset.populations:
        keep &= _among(samples.population, samples.populations, subset.populations)
    if subset.superpopulations:
        keep &= _among(samples.superpopulation, samples.superpopulations, subset.superpopulations)
    if subset.sex is not None:
        keep &= samples.sex == SEX_BY_NAME[subset.sex]
    kept = np.flatnonzero(keep)
    renumber = np.full(len(samples), -1, dtype=np.int32)
    renumber[kept] = np.arange(len(kept), dtype=np.int32)
    calls = cohort.calls
    rows = keep[calls.sample]
    if subset.pass_only:
        rows &= calls.is_pass
    chosen = calls.take(rows)
    chosen = replace(chosen, sample=renumber[chosen.sample])
    populations, population = _recode(samples.population[kept], samples.populations)
    superpopulations, superpopulation = _recode(
        samples.superpopulation[kept], samples.superpopulations
    )
    selected = Samples(
        tuple(samples.ids[i] for i in kept.tolist()),
        samples.sex[kept],
        population,
        superpopulation,
        populations,
        superpopulations,
    )
    return Cohort(cohort.genome, selected, chosen)


def _recode(codes: Int16s, names: tuple[str, ...]) -> tuple[tuple[str, ...], Int16s]:
    """Only the groups that still have samples, renumbered."""
    present = sorted(set(codes[codes >= 0].tolist()))
    renumber = np.full(len(names) + 1, NO_GROUP, dtype=np.int16)
    renumber[present] = np.arange(len(present), dtype=np.int16)
    return tuple(names[c] for c in present), renumber[codes]


def _among(codes: Int16s, vocabulary: tuple[str, ...], wanted: frozenset[str]) -> Bools:
    allowed = [code for code, name in enumerate(vocabulary) if name in wanted]
    return np.isin(codes, np.array(allowed, dtype=np.int16))


# --------------------------------------------------------------------------- building


@dataclass(frozen=True, slots=True)
class SampleAttributes:
    sex: str | None
    population: str | None
    superpopulation: str | None


def build_cohort(
    assembly: str,
    columns: Table,
    sample_ids: list[str],
    attributes: dict[str, SampleAttributes],
) -> Cohort:
    """A cohort from raw call columns: chrom (index into the analysed chromosomes), start,
    end, sample (index into sample_ids), variant (-1 DEL, +1 DUP, 0 CNV), copy_number (NaN
    when not given) and is_pass, in any order."""
    the_genome = genome(assembly)
    samples = _samples(sample_ids, attributes)
    # Calls reaching past the end of their chromosome (a caller's rounding) are clipped.
    lengths = np.array(the_genome.lengths, dtype=np.int64)[columns["chrom"].astype(np.intp)]
    inside = columns["start"] < lengths
    columns = {name: column[inside] for name, column in columns.items()}
    columns["end"] = np.minimum(columns["end"], lengths[inside])
    order = np.lexsort((columns["end"], columns["start"], columns["chrom"]))
    chrom = columns["chrom"][order].astype(np.int16)
    start = columns["start"][order].astype(np.int64)
    sample = columns["sample"][order].astype(np.int32)
    given = columns["copy_number"][order].astype(np.float64)
    baseline = the_genome.baselines(chrom, start, samples.sex[sample])
    direction = columns["variant"][order].astype(np.int8)
    # A call of unknown direction ("CNV") with a copy number is a gain or a loss after all.
    undirected = direction == UNKNOWN_DIRECTION
    with np.errstate(invalid="ignore"):
        relative = np.sign(given - baseline)
    direction[undirected] = np.nan_to_num(relative[undirected], nan=0).astype(np.int8)
    # Where the caller gave no copy number, a loss or gain is taken to be one copy.
    assumed = np.isnan(given) & (direction != UNKNOWN_DIRECTION)
    copy_number = np.where(assumed, baseline + direction, given)
    calls = Calls(
        chrom=chrom,
        start=start,
        end=columns["end"][order].astype(np.int64),
        sample=sample,
        direction=direction,
        copy_number=copy_number,
        delta=copy_number - baseline,
        is_pass=columns["is_pass"][order].astype(bool),
    )
    return Cohort(the_genome, samples, calls)


def _samples(sample_ids: list[str], attributes: dict[str, SampleAttributes]) -> Samples:
    found = [attributes.get(s, SampleAttributes(None, None, None)) for s in sample_ids]
    populations = tuple(sorted({a.population for a in found if a.population}))
    superpopulations = tuple(sorted({a.superpopulation for a in found if a.superpopulation}))
    population_code = {name: code for code, name in enumerate(populations)}
    superpopulation_code = {name: code for code, name in enumerate(superpopulations)}
    return Samples(
        ids=tuple(sample_ids),
        sex=np.array([SEX_BY_NAME.get(a.sex or "", Sex.UNKNOWN) for a in found], dtype=np.int8),
        population=np.array(
            [population_code.get(a.population or "", NO_GROUP) for a in found], dtype=np.int16
        ),
        superpopulation=np.array(
            [superpopulation_code.get(a.superpopulation or "", NO_GROUP) for a in found],
            dtype=np.int16,
        ),
        populations=populations,
        superpopulations=superpopulations,
    )
