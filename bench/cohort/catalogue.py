"""The shared CNV loci of a synthetic cohort, with per-population haplotype frequencies.

A locus is a deletion, a duplication, or multi-allelic (haplotypes with 0, 1, or 2+ copies).
Every haplotype of a sample independently carries the locus's CNV with the frequency of the
sample's population, so genotypes follow Hardy-Weinberg within populations. Frequencies:

* known loci (``KNOWN_LOCI``): real genes from ``cnvbeacon.shared.reference.genes`` with
  rounded literature-like frequencies per superpopulation, and a few invented loci with
  deliberately population-specific frequencies (named "invented-...");
* common loci: a global frequency from Beta(0.4, 1.4), rare loci: log-uniform from one
  haplotype in the 1kGP cohort (1/6,404) to 2 %; superpopulation frequencies drawn around the
  global one by the Balding-Nichols model (F = 0.05), population frequencies around their
  superpopulation's (F = 0.01). That gives real-looking frequency maps and V_ST.

Locus sizes, directions, chromosomes and duplication copy numbers are drawn from the
reference file (see reference_profile.py); the counts of common and rare loci are chosen
so that a sample carries about 75 % and 10 % of its calls there (the rest are private).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from bench.cohort import genome
from bench.cohort.reference_profile import ReferenceProfile
from bench.cohort.samples import populations
from cnvbeacon.shared.reference import gene_loci

DELETION, DUPLICATION, MULTIALLELIC = 0, 1, 2
KIND_NAMES = ("deletion", "duplication", "multiallelic")

COMMON_SHARE = 0.75  # expected share of a sample's calls at common loci
RARE_SHARE = 0.10  # ... at rare shared loci; the rest are private to the sample
COMMON_FREQUENCY_BETA = (0.4, 1.4)
RARE_FREQUENCY_RANGE = (1 / 6404, 0.02)
MULTIALLELIC_SHARE = 0.03  # of common loci
MULTIALLELIC_DELETION_SHARE = 0.35  # of a multi-allelic locus's non-reference haplotypes
SUPERPOPULATION_F = 0.05  # Balding-Nichols F of superpopulations around the global frequency
POPULATION_F = 0.01  # ... of populations around their superpopulation
# sd of log10(length) around the reference length drawn; small, because smoothing a
# falling length density moves calls across the 10 kb PASS threshold upwards.
LENGTH_JITTER_LOG10 = 0.04
# A chromosome's loss fraction is the reference's, shrunk towards the overall one as if
# this many more calls had the overall fraction (chrY has 8 calls, 7 of them gains).
LOSS_FRACTION_PRIOR_CALLS = 5
SUPERPOPULATIONS = ("AFR", "AMR", "EAS", "EUR", "SAS")
# Copies a duplicated haplotype adds: 1 or 2 with these weights, else (CN - 2) of a real
# diploid gain of CN >= 5. Chosen so that carriers (hets and homs, by Hardy-Weinberg) give a
# gain copy-number mix close to the reference's (CN 3: 33 %, 4: 36 %, 5+: 31 %).
DUPLICATION_EXTRA_COPY_WEIGHTS = (0.6, 0.25)
# Multi-allelic loci: a duplicated haplotype adds 1 + Geometric copies, one with this chance.
MULTIALLELIC_ONE_EXTRA_COPY = 0.6


@dataclass(frozen=True)
class KnownLocus:
    name: str
    kind: int
    # Superpopulation -> (deletion, duplication) haplotype frequency.
    frequencies: dict[str, tuple[float, float]]
    genes: tuple[str, ...] = ()
    flank: int = 0  # bases added on both sides of the genes' span
    region: tuple[str, int, int] | None = None  # invented loci: chromosome, start, end
    extra_copies: int = 1  # duplications: copies a duplicated haplotype adds

    def span(self) -> tuple[str, int, int]:
        if self.region is not None:
            return self.region
        loci = [locus for gene in self.genes for locus in gene_loci(gene, genome.ASSEMBLY)]
        if not loci or len({locus.chrom for locus in loci}) != 1:
            raise ValueError(f"known locus {self.name}: genes {self.genes} not on one chromosome")
        start = min(locus.start for locus in loci) - self.flank
        return loci[0].chrom, start, max(locus.end for locus in loci) + self.flank


def _deletion(
    afr: float, amr: float, eas: float, eur: float, sas: float
) -> dict[str, tuple[float, float]]:
    values = (afr, amr, eas, eur, sas)
    return {
        superpopulation: (value, 0.0)
        for superpopulation, value in zip(SUPERPOPULATIONS, values, strict=True)
    }


def _duplication(
    afr: float, amr: float, eas: float, eur: float, sas: float
) -> dict[str, tuple[float, float]]:
    values = (afr, amr, eas, eur, sas)
    return {
        superpopulation: (0.0, value)
        for superpopulation, value in zip(SUPERPOPULATIONS, values, strict=True)
    }


# Frequencies are rounded, approximate literature values (deletion-allele frequencies by
# continental group) for realistic-looking signal, not reference data.
KNOWN_LOCI: tuple[KnownLocus, ...] = (
    # The ~117 kb UGT2B17 deletion: common everywhere, nearly fixed in East Asians.
    KnownLocus(
        "UGT2B17-deletion", DELETION, _deletion(0.22, 0.45, 0.85, 0.30, 0.45), ("UGT2B17",), 40_000
    ),
    # LCE3C_LCE3B-del (~32 kb), psoriasis risk allele.
    KnownLocus(
        "LCE3B-LCE3C-deletion",
        DELETION,
        _deletion(0.35, 0.60, 0.60, 0.64, 0.55),
        ("LCE3C", "LCE3B"),
        9_000,
    ),
    # GSTM1*0, the whole-gene deletion (null genotype ~50 % of Europeans and East Asians).
    KnownLocus(
        "GSTM1-deletion", DELETION, _deletion(0.47, 0.62, 0.72, 0.71, 0.59), ("GSTM1",), 2_000
    ),
    # RHD deletion: RhD-negative ~15 % of Europeans, rare in East Asians.
    KnownLocus("RHD-deletion", DELETION, _deletion(0.20, 0.26, 0.07, 0.39, 0.24), ("RHD",), 1_000),
    # APOBEC3B deletion (~29.5 kb): common in East Asians and Amerindians, rare in Africans.
    KnownLocus(
        "APOBEC3B-deletion", DELETION, _deletion(0.01, 0.30, 0.37, 0.06, 0.12), ("APOBEC3B",), 9_000
    ),
    # Salivary amylase: copy number varies widely (haplotypes with 0 to several extra copies).
    KnownLocus(
        "AMY1-multiallelic",
        MULTIALLELIC,
        {
            "AFR": (0.03, 0.45),
            "AMR": (0.03, 0.50),
            "EAS": (0.02, 0.60),
            "EUR": (0.04, 0.50),
            "SAS": (0.03, 0.50),
        },
        ("AMY1A", "AMY1C"),
    ),
    KnownLocus(
        "invented-AFR-duplication",
        DUPLICATION,
        _duplication(0.40, 0.06, 0.01, 0.02, 0.02),
        region=("3", 171_400_000, 171_455_000),
    ),
    KnownLocus(
        "invented-EUR-deletion",
        DELETION,
        _deletion(0.03, 0.20, 0.02, 0.45, 0.10),
        region=("9", 24_300_000, 24_312_000),
    ),
    KnownLocus(
        "invented-SAS-deletion",
        DELETION,
        _deletion(0.005, 0.01, 0.02, 0.005, 0.30),
        region=("12", 88_000_000, 88_009_000),
    ),
    KnownLocus(
        "invented-EAS-duplication",
        DUPLICATION,
        _duplication(0.01, 0.05, 0.35, 0.01, 0.04),
        region=("7", 30_500_000, 30_640_000),
        extra_copies=2,
    ),
    KnownLocus(
        "invented-multiallelic",
        MULTIALLELIC,
        dict.fromkeys(SUPERPOPULATIONS, (0.15, 0.25)),
        region=("16", 5_000_000, 5_080_000),
    ),
    KnownLocus(
        "invented-X-deletion",
        DELETION,
        _deletion(0.25, 0.10, 0.05, 0.12, 0.08),
        region=("X", 120_000_000, 120_015_000),
    ),
)


class ExpectedCalls(NamedTuple):
    """Expected catalogue calls of one sample: all, losses, and zero-copy losses."""

    calls: float
    losses: float
    zero_copy: float


@dataclass(frozen=True)
class Catalogue:
    locus_ids: tuple[str, ...]
    chrom: npt.NDArray[np.int64]  # index into genome.CHROMOSOMES
    start: npt.NDArray[np.int64]  # 0-based
    end: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    # Copies a duplicated haplotype adds (0 for multi-allelic loci: drawn per haplotype).
    extra_copies: npt.NDArray[np.int64]
    populations: tuple[str, ...]
    population_superpopulation: tuple[str, ...]
    # [population, locus] frequencies of deletion and duplication haplotypes.
    deletion_frequency: npt.NDArray[np.float64]
    duplication_frequency: npt.NDArray[np.float64]
    # [superpopulation, locus], as drawn before the populations (for loci.tsv).
    superpopulation_deletion: npt.NDArray[np.float64]
    superpopulation_duplication: npt.NDArray[np.float64]

    @property
    def size(self) -> int:
        return int(self.chrom.size)

    @cached_property
    def region_kind(self) -> npt.NDArray[np.int64]:
        return genome.sex_chromosome_kind(self.chrom, self.start, self.end)

    @cached_property
    def multiallelic(self) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self.kind == MULTIALLELIC)

    def population_index(self, population: str) -> int:
        return self.populations.index(population)

    def expected(self, population: int, *, male: bool) -> ExpectedCalls:
        deletion = self.deletion_frequency[population]
        duplication = self.duplication_frequency[population]
        reference = 1.0 - deletion - duplication
        ploidy = genome.ploidy(self.region_kind, male=male)
        # A multi-allelic sample with one deleted and one single-copy-duplicated haplotype
        # has 2 copies: no call.
        neutral_pair = np.where(
            self.kind == MULTIALLELIC,
            2 * deletion * duplication * MULTIALLELIC_ONE_EXTRA_COPY,
            0.0,
        )
        diploid = ploidy == 2
        haploid = ploidy == 1
        calls = np.where(
            diploid, 1.0 - reference**2 - neutral_pair, np.where(haploid, 1.0 - reference, 0.0)
        )
        losses = np.where(
            diploid, deletion**2 + 2 * deletion * reference, np.where(haploid, deletion, 0.0)
        )
        zero_copy = np.where(diploid, deletion**2, np.where(haploid, deletion, 0.0))
        return ExpectedCalls(float(calls.sum()), float(losses.sum()), float(zero_copy.sum()))


def chromosome_weights(profile: ReferenceProfile) -> npt.NDArray[np.float64]:
    """Half the reference's share of calls per chromosome, half the placeable-length share."""
    counts = np.array(
        [profile.chromosome_counts.get(c, 0) for c in genome.CHROMOSOMES], dtype=np.float64
    )
    placeable = genome.grch38().placeable.astype(np.float64)
    weights: npt.NDArray[np.float64] = 0.5 * counts / counts.sum()
    weights += 0.5 * placeable / placeable.sum()
    return weights


def loss_fractions(profile: ReferenceProfile) -> npt.NDArray[np.float64]:
    overall = profile.losses / profile.calls_per_sample
    fractions = []
    for chrom in genome.CHROMOSOMES:
        losses, calls = profile.loss_fraction_on(chrom)
        prior = LOSS_FRACTION_PRIOR_CALLS
        fractions.append((losses + prior * overall) / (calls + prior))
    return np.array(fractions)


def _expected_carrier_rate_beta(a: float, b: float) -> float:
    """E[2p - p^2] for p ~ Beta(a, b): the chance a diploid sample carries a locus."""
    mean = a / (a + b)
    second = mean * (a + 1) / (a + b + 1)
    return 2 * mean - second


def _expected_carrier_rate_log_uniform(low: float, high: float) -> float:
    log_range = math.log(high / low)
    mean = (high - low) / log_range
    second = (high**2 - low**2) / (2 * log_range)
    return 2 * mean - second


def _balding_nichols(
    rng: np.random.Generator, frequency: npt.NDArray[np.float64], f: float, count: int
) -> npt.NDArray[np.float64]:
    """``count`` subpopulation frequencies around each ancestral frequency, shape [count, n]."""
    p = np.clip(frequency, 1e-6, 1 - 1e-6)
    scale = (1 - f) / f
    return rng.beta(p * scale, (1 - p) * scale, size=(count, p.size))


def build_catalogue(profile: ReferenceProfile, seed: int) -> Catalogue:
    rng = np.random.default_rng([seed, 0xCA7A])
    target = profile.calls_per_sample
    common = round(COMMON_SHARE * target / _expected_carrier_rate_beta(*COMMON_FREQUENCY_BETA))
    rare = round(RARE_SHARE * target / _expected_carrier_rate_log_uniform(*RARE_FREQUENCY_RANGE))
    count = common + rare
    rare_low, rare_high = RARE_FREQUENCY_RANGE
    frequency = np.concatenate(
        [
            rng.beta(*COMMON_FREQUENCY_BETA, size=common),
            np.exp(rng.uniform(math.log(rare_low), math.log(rare_high), size=rare)),
        ]
    )
    weights = chromosome_weights(profile)
    probabilities = weights / weights.sum()
    chrom_guess = rng.choice(len(genome.CHROMOSOMES), size=count, p=probabilities)
    is_loss = rng.random(count) < loss_fractions(profile)[chrom_guess]
    kind = np.where(is_loss, DELETION, DUPLICATION)
    kind[:common][rng.random(common) < MULTIALLELIC_SHARE] = MULTIALLELIC
    lengths = _locus_lengths(rng, profile, kind)
    # Place each locus on the chromosome drawn above (its direction came from that one).
    chrom = np.empty(count, dtype=np.int64)
    start = np.empty(count, dtype=np.int64)
    layout = genome.grch38()
    for index in range(len(genome.CHROMOSOMES)):
        on = np.flatnonzero(chrom_guess == index)
        only_here = np.zeros(len(genome.CHROMOSOMES))
        only_here[index] = 1.0
        chrom[on], start[on] = layout.place(rng, lengths[on], only_here)
    extra = np.where(kind == DUPLICATION, _duplication_extra_copies(rng, profile, count), 0)
    deletion_share = np.select(
        [kind == DELETION, kind == MULTIALLELIC], [1.0, MULTIALLELIC_DELETION_SHARE], 0.0
    )
    superpopulation_total = _balding_nichols(
        rng, frequency, SUPERPOPULATION_F, len(SUPERPOPULATIONS)
    )
    known = _known_loci_arrays()
    return _with_populations(
        rng,
        locus_ids=(*(k.name for k in KNOWN_LOCI), *(f"SYNLOC{n:06d}" for n in range(1, count + 1))),
        chrom=np.concatenate([known.chrom, chrom]),
        start=np.concatenate([known.start, start]),
        end=np.concatenate([known.end, start + lengths]),
        kind=np.concatenate([known.kind, kind]),
        extra_copies=np.concatenate([known.extra_copies, np.maximum(extra, 0)]),
        superpopulation_deletion=np.concatenate(
            [known.deletion, superpopulation_total * deletion_share], axis=1
        ),
        superpopulation_duplication=np.concatenate(
            [known.duplication, superpopulation_total * (1 - deletion_share)], axis=1
        ),
    )


def _duplication_extra_copies(
    rng: np.random.Generator, profile: ReferenceProfile, count: int
) -> npt.NDArray[np.int64]:
    one, two = DUPLICATION_EXTRA_COPY_WEIGHTS
    gains = profile.diploid_gain_copy_numbers
    tail = gains[gains >= 5] - 2
    draws = rng.random(count)
    return np.where(
        draws < one, 1, np.where(draws < one + two, 2, rng.choice(tail, size=count))
    ).astype(np.int64)


def _locus_lengths(
    rng: np.random.Generator, profile: ReferenceProfile, kind: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    loss_lengths = profile.lengths(loss=True)
    gain_lengths = profile.lengths(loss=False)
    drawn = np.where(
        kind == DELETION,
        rng.choice(loss_lengths, size=kind.size),
        rng.choice(gain_lengths, size=kind.size),
    ).astype(np.float64)
    jittered = drawn * 10 ** rng.normal(0.0, LENGTH_JITTER_LOG10, size=kind.size)
    shortest = min(int(loss_lengths.min()), int(gain_lengths.min()))
    longest = max(int(loss_lengths.max()), int(gain_lengths.max()))
    return np.clip(np.round(jittered), shortest, longest).astype(np.int64)


class _KnownArrays(NamedTuple):
    chrom: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    extra_copies: npt.NDArray[np.int64]
    deletion: npt.NDArray[np.float64]  # [superpopulation, locus]
    duplication: npt.NDArray[np.float64]


def _known_loci_arrays() -> _KnownArrays:
    spans = [locus.span() for locus in KNOWN_LOCI]
    return _KnownArrays(
        chrom=np.array([genome.CHROMOSOMES.index(chrom) for chrom, _, _ in spans], dtype=np.int64),
        start=np.array([start for _, start, _ in spans], dtype=np.int64),
        end=np.array([end for _, _, end in spans], dtype=np.int64),
        kind=np.array([locus.kind for locus in KNOWN_LOCI], dtype=np.int64),
        extra_copies=np.array(
            [locus.extra_copies if locus.kind == DUPLICATION else 0 for locus in KNOWN_LOCI],
            dtype=np.int64,
        ),
        deletion=np.array(
            [[locus.frequencies[s][0] for locus in KNOWN_LOCI] for s in SUPERPOPULATIONS]
        ),
        duplication=np.array(
            [[locus.frequencies[s][1] for locus in KNOWN_LOCI] for s in SUPERPOPULATIONS]
        ),
    )


def _with_populations(
    rng: np.random.Generator,
    *,
    locus_ids: tuple[str, ...],
    chrom: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    kind: npt.NDArray[np.int64],
    extra_copies: npt.NDArray[np.int64],
    superpopulation_deletion: npt.NDArray[np.float64],
    superpopulation_duplication: npt.NDArray[np.float64],
) -> Catalogue:
    """Population frequencies drawn around their superpopulation's (Balding-Nichols)."""
    known = populations()
    deletion = np.empty((len(known), kind.size))
    duplication = np.empty((len(known), kind.size))
    for index, (_, superpopulation) in enumerate(known):
        row = SUPERPOPULATIONS.index(superpopulation)
        for source, target in (
            (superpopulation_deletion, deletion),
            (superpopulation_duplication, duplication),
        ):
            drawn = _balding_nichols(rng, source[row], POPULATION_F, 1)[0]
            target[index] = np.where(source[row] > 0, drawn, 0.0)
    total = deletion + duplication
    scale = np.where(total > 0.999, 0.999 / np.maximum(total, 1e-12), 1.0)
    return Catalogue(
        locus_ids=locus_ids,
        chrom=chrom,
        start=start,
        end=end,
        kind=kind,
        extra_copies=extra_copies,
        populations=tuple(population for population, _ in known),
        population_superpopulation=tuple(superpopulation for _, superpopulation in known),
        deletion_frequency=deletion * scale,
        duplication_frequency=duplication * scale,
        superpopulation_deletion=superpopulation_deletion,
        superpopulation_duplication=superpopulation_duplication,
    )
