"""One synthetic sample's CNV calls: catalogue genotypes, private calls, DRAGEN-like fields.

Per sample, deterministic for (seed, sample id):

1. Catalogue loci: two haplotypes drawn at each locus with the population's frequencies
   (one on X outside the PARs and on Y for males; none on Y for females). A call is made
   where the copy number differs from the ploidy; breakpoints are jittered per carrier
   (sd 2 % of the length, 100 bp to 2 kb), as read-depth callers place them.
2. Private calls: Poisson-many, placed anywhere, with lengths drawn from the reference.
   Their mean, loss share and zero-copy share are calibrated per population and sex so
   that the expected totals match the reference file (times a per-superpopulation factor
   and a per-sample factor), whatever the catalogue contributes.
3. Calls are sorted; a call overlapping an earlier one in the same sample is dropped.
4. QUAL, bins per kb (BC), PE counts and the FILTER verdict of long calls come from a real
   call of the same kind (zero-copy loss, one-copy loss, gain) and length decade; SM is the
   expected copy ratio times the real calls' SM noise. FILTER follows DRAGEN's thresholds
   from the header: cnvLength below 10 kb, else cnvQual below QUAL 10, else the template's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from bench.cohort import genome
from bench.cohort.catalogue import (
    MULTIALLELIC_ONE_EXTRA_COPY,
    SUPERPOPULATIONS,
    Catalogue,
    build_catalogue,
    chromosome_weights,
)
from bench.cohort.reference_profile import (
    DECADES,
    GAIN,
    LOSS_CN0,
    LOSS_CN1,
    TEMPLATE_KINDS,
    ReferenceProfile,
    length_decade,
)
from bench.cohort.samples import CohortSample

# Mean calls per sample relative to the reference (a European sample): African genomes carry
# more variant sites (assumed +15 %, as in short-read SV call sets; an assumption).
SUPERPOPULATION_CALL_FACTOR = {"AFR": 1.15}
SAMPLE_CALL_FACTOR_SD = 0.08  # log-normal sd of a sample's call count around its population's
PRIVATE_SHARE_FLOOR = 0.05  # private calls are at least this share of the expected total
PRIVATE_LENGTH_JITTER_LOG10 = 0.04
BREAKPOINT_JITTER = (0.02, 100, 2000)  # sd: fraction of the length, clipped to [min, max] bp

GENOTYPES = ("0/1", "1/1", "./1", "1")
HETEROZYGOUS, HOMOZYGOUS, GAIN_DIPLOID, HAPLOID = range(4)
FILTERS = ("PASS", "cnvLength", "cnvQual", "cnvBinSupportRatio")
PRIVATE = -1  # the locus of a private call


@dataclass(frozen=True)
class SampleCalls:
    """A sample's calls in file order; one array element per VCF record."""

    chrom: npt.NDArray[np.int64]  # index into genome.CHROMOSOMES
    start: npt.NDArray[np.int64]  # 0-based; VCF POS (the padding base)
    end: npt.NDArray[np.int64]  # VCF END
    is_loss: npt.NDArray[np.bool_]
    copy_number: npt.NDArray[np.int64]
    genotype: npt.NDArray[np.int64]  # index into GENOTYPES
    copy_ratio: npt.NDArray[np.float64]
    bins: npt.NDArray[np.int64]
    template: npt.NDArray[np.int64]  # the reference call lending QUAL, PE and FILTER verdict
    quality: npt.NDArray[np.int64]
    filter: npt.NDArray[np.int64]  # index into FILTERS
    locus: npt.NDArray[np.int64]  # catalogue index, or PRIVATE

    def __len__(self) -> int:
        return int(self.chrom.size)

    @property
    def length(self) -> npt.NDArray[np.int64]:
        return self.end - self.start


@dataclass(frozen=True)
class PrivateCalibration:
    mean_calls: float
    loss_share: float
    zero_copy_share: float  # of diploid private losses


class CohortModel:
    """Everything shared by the samples of one cohort (built once per process)."""

    def __init__(self, profile: ReferenceProfile, seed: int) -> None:
        self.profile = profile
        self.seed = seed
        self.catalogue: Catalogue = build_catalogue(profile, seed)
        self.genome = genome.grch38()
        weights = chromosome_weights(profile)
        self.weights_male = weights
        self.weights_female = np.where(np.arange(weights.size) == genome.Y_INDEX, 0.0, weights)
        self._calibrations: dict[tuple[int, bool], PrivateCalibration] = {}

    @cached_property
    def shortest_call(self) -> int:
        profile = self.profile
        return int(min(profile.lengths(loss=True).min(), profile.lengths(loss=False).min()))

    @cached_property
    def loss_noise(self) -> npt.NDArray[np.float64]:
        return self.profile.copy_ratio_noise(loss=True)

    @cached_property
    def gain_noise(self) -> npt.NDArray[np.float64]:
        return self.profile.copy_ratio_noise(loss=False)

    def calibration(self, population: int, *, male: bool) -> PrivateCalibration:
        key = (population, male)
        if key not in self._calibrations:
            self._calibrations[key] = self._calibrate(population, male)
        return self._calibrations[key]

    def _calibrate(self, population: int, male: bool) -> PrivateCalibration:
        profile = self.profile
        superpopulation = self.catalogue.population_superpopulation[population]
        factor = superpopulation_call_factor(superpopulation)
        expected = self.catalogue.expected(population, male=male)
        target_calls = profile.calls_per_sample * factor
        mean = max(target_calls - expected.calls, PRIVATE_SHARE_FLOOR * target_calls)
        loss_share = float(np.clip((profile.losses * factor - expected.losses) / mean, 0, 1))
        private_losses = mean * loss_share
        zero_share = 0.0
        if private_losses > 0:
            missing = profile.zero_copy_losses * factor - expected.zero_copy
            zero_share = float(np.clip(missing / private_losses, 0, 1))
        return PrivateCalibration(mean, loss_share, zero_share)


def sample_seed(seed: int, sample_id: str) -> list[int]:
    digest = hashlib.sha256(sample_id.encode()).digest()
    return [seed, 0x5A3B1E, int.from_bytes(digest[:8], "big")]


def generate_sample_calls(model: CohortModel, sample: CohortSample) -> SampleCalls:
    rng = np.random.default_rng(sample_seed(model.seed, sample.sample_id))
    male = sample.sex == "male"
    population = model.catalogue.population_index(sample.population)
    catalogue_calls = _catalogue_calls(rng, model.catalogue, population, male, model.shortest_call)
    calibration = model.calibration(population, male=male)
    factor = float(np.exp(rng.normal(0.0, SAMPLE_CALL_FACTOR_SD)))
    target = model.profile.calls_per_sample * superpopulation_call_factor(sample.superpopulation)
    # The per-sample factor scales the whole sample; private calls absorb it.
    private_mean = max(calibration.mean_calls + (factor - 1.0) * target, 0.0)
    private = _private_calls(rng, model, calibration, int(rng.poisson(private_mean)), male)
    placed = _sorted_without_overlaps(_concatenate(catalogue_calls, private))
    return _with_dragen_fields(rng, model, placed)


@dataclass(frozen=True)
class _Placed:
    chrom: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    copy_number: npt.NDArray[np.int64]
    ploidy: npt.NDArray[np.int64]
    locus: npt.NDArray[np.int64]


def _catalogue_calls(
    rng: np.random.Generator, catalogue: Catalogue, population: int, male: bool, shortest: int
) -> _Placed:
    deletion = catalogue.deletion_frequency[population]
    duplication = catalogue.duplication_frequency[population]
    draws = rng.random((2, catalogue.size))
    extra = np.broadcast_to(catalogue.extra_copies, (2, catalogue.size)).copy()
    multiallelic = catalogue.multiallelic
    extra[:, multiallelic] = rng.geometric(MULTIALLELIC_ONE_EXTRA_COPY, size=(2, multiallelic.size))
    haplotype_copies = np.where(
        draws < deletion, 0, np.where(draws < deletion + duplication, 1 + extra, 1)
    )
    ploidy = genome.ploidy(catalogue.region_kind, male=male)
    copies = haplotype_copies[0] + np.where(ploidy == 2, haplotype_copies[1], 0)
    called = np.flatnonzero((ploidy > 0) & (copies != ploidy))
    start, end = _jittered(rng, catalogue.start[called], catalogue.end[called], shortest)
    return _Placed(
        chrom=catalogue.chrom[called],
        start=start,
        end=end,
        copy_number=copies[called],
        ploidy=ploidy[called],
        locus=called.astype(np.int64),
    )


def _jittered(
    rng: np.random.Generator,
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    shortest: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Breakpoints moved independently; calls stay at least ``shortest`` long."""
    fraction, smallest, largest = BREAKPOINT_JITTER
    sd = np.clip(fraction * (end - start), smallest, largest)
    shifts = np.clip(rng.normal(0.0, 1.0, size=(2, start.size)), -3, 3) * sd
    new_start = start + np.round(shifts[0]).astype(np.int64)
    new_end = np.maximum(end + np.round(shifts[1]).astype(np.int64), new_start + shortest)
    return new_start, new_end


def _private_calls(
    rng: np.random.Generator,
    model: CohortModel,
    calibration: PrivateCalibration,
    count: int,
    male: bool,
) -> _Placed:
    profile = model.profile
    is_loss = rng.random(count) < calibration.loss_share
    drawn = np.where(
        is_loss,
        rng.choice(profile.lengths(loss=True), size=count),
        rng.choice(profile.lengths(loss=False), size=count),
    ) * 10 ** rng.normal(0.0, PRIVATE_LENGTH_JITTER_LOG10, size=count)
    lengths = np.maximum(np.round(drawn), model.shortest_call).astype(np.int64)
    weights = model.weights_male if male else model.weights_female
    chrom, start = model.genome.place(rng, lengths, weights)
    end = start + lengths
    ploidy = genome.ploidy(genome.sex_chromosome_kind(chrom, start, end), male=male)
    zero_copy = rng.random(count) < calibration.zero_copy_share
    loss_copies = np.where((ploidy == 1) | zero_copy, 0, 1)
    diploid_gain = rng.choice(profile.diploid_gain_copy_numbers, size=count)
    # A duplication on a haploid chromosome adds as many copies as on one diploid haplotype.
    gain_copies = np.where(ploidy == 1, diploid_gain - 1, diploid_gain)
    return _Placed(
        chrom=chrom,
        start=start,
        end=end,
        copy_number=np.where(is_loss, loss_copies, gain_copies),
        ploidy=ploidy,
        locus=np.full(count, PRIVATE, dtype=np.int64),
    )


def _concatenate(first: _Placed, second: _Placed) -> _Placed:
    return _Placed(
        *(
            np.concatenate([getattr(first, name), getattr(second, name)])
            for name in ("chrom", "start", "end", "copy_number", "ploidy", "locus")
        )
    )


def _sorted_without_overlaps(calls: _Placed) -> _Placed:
    order = np.lexsort((calls.end, calls.start, calls.chrom))
    chrom, start, end = calls.chrom[order], calls.start[order], calls.end[order]
    # One coordinate over the whole genome, so a running maximum of ends works across
    # chromosome boundaries; a call starting before an earlier call's end is dropped.
    offset = chrom * (1 << 32)
    ends = np.maximum.accumulate(offset + end)
    keep = np.ones(order.size, dtype=bool)
    keep[1:] = offset[1:] + start[1:] >= ends[:-1]
    kept = order[keep]
    return _Placed(
        calls.chrom[kept],
        calls.start[kept],
        calls.end[kept],
        calls.copy_number[kept],
        calls.ploidy[kept],
        calls.locus[kept],
    )


def _with_dragen_fields(
    rng: np.random.Generator, model: CohortModel, calls: _Placed
) -> SampleCalls:
    profile = model.profile
    templates = profile.templates
    count = calls.chrom.size
    is_loss = calls.copy_number < calls.ploidy
    length = calls.end - calls.start
    kind = np.where(is_loss, np.where(calls.copy_number == 0, LOSS_CN0, LOSS_CN1), GAIN)
    decade = length_decade(length)
    template = np.empty(count, dtype=np.int64)
    for template_kind in TEMPLATE_KINDS:
        for template_decade in DECADES:
            chosen = np.flatnonzero((kind == template_kind) & (decade == template_decade))
            if chosen.size:
                pool = templates.pools[(template_kind, template_decade)]
                template[chosen] = rng.choice(pool, size=chosen.size)
    quality = templates.quality[template]
    long_call_filter = np.array(
        [FILTERS.index(verdict) for verdict in templates.long_call_filter], dtype=np.int64
    )[template]
    filters = np.where(
        length < profile.length_filter_below,
        FILTERS.index("cnvLength"),
        np.where(
            quality < profile.quality_filter_below, FILTERS.index("cnvQual"), long_call_filter
        ),
    )
    noise = np.where(
        is_loss,
        rng.choice(model.loss_noise, size=count),
        rng.choice(model.gain_noise, size=count),
    )
    copy_ratio = np.where(
        calls.copy_number == 0,
        rng.choice(profile.zero_copy_ratios, size=count),
        calls.copy_number / np.maximum(calls.ploidy, 1) * noise,
    )
    genotype = np.where(
        calls.ploidy == 1,
        HAPLOID,
        np.where(is_loss, np.where(calls.copy_number == 0, HOMOZYGOUS, HETEROZYGOUS), GAIN_DIPLOID),
    )
    bins = np.maximum(1, np.round(templates.bins_per_kb[template] * length / 1000)).astype(np.int64)
    return SampleCalls(
        chrom=calls.chrom,
        start=calls.start,
        end=calls.end,
        is_loss=is_loss,
        copy_number=calls.copy_number,
        genotype=genotype,
        copy_ratio=copy_ratio,
        bins=bins,
        template=template,
        quality=quality,
        filter=filters,
        locus=calls.locus,
    )


def superpopulation_call_factor(superpopulation: str) -> float:
    if superpopulation not in SUPERPOPULATIONS:
        raise ValueError(f"unknown superpopulation {superpopulation}")
    return SUPERPOPULATION_CALL_FACTOR.get(superpopulation, 1.0)
