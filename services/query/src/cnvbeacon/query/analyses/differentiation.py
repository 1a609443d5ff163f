"""Population differentiation of each CNVR: V_ST (Redon et al. 2006) and, for biallelic
CNVRs, F_ST.

Each sample has one copy-number value per CNVR: that of its longest call there, or its
baseline where it has none. V_ST = (V_T - V_S) / V_T, with V_T the variance of these values
over all samples with a population, and V_S the within-population variances averaged with
population-size weights (population variances, no sample-size correction).

The values are taken relative to each sample's baseline. On autosomes that shifts every
value by the same 2 copies and changes no variance; on X and Y it keeps the populations'
different sex ratios from counting as copy-number differences. On X and Y, samples of
unknown sex are left out, and on Y only males count.

F_ST (Nei's G_ST) is computed for deletions and duplications with at most two changed
states: a sample carries |change| copies of the variant allele (at most its ploidy, 2 on
autosomes, 1 for males on X and Y), allele frequencies are weighted by chromosome counts,
F_ST = (H_T - H_S) / H_T with H = 2p(1 - p).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.cohort import Cohort
from cnvbeacon.query.analyses.genome import Sex
from cnvbeacon.query.analyses.regions import DELETION, DUPLICATION, Regions

Floats = npt.NDArray[np.float64]
Int64s = npt.NDArray[np.int64]


def add_differentiation(cohort: Cohort, found: Regions) -> None:
    """Add vst_<kind> and fst_<kind> columns (NaN: undefined) to the region table, for the
    groupings superpopulation and population."""
    regions = found.regions
    n_regions = len(regions["start"])
    region, sample, change = _carrier_values(cohort, found)
    category, eligible, ploidy = _categories(cohort, regions)
    samples = cohort.samples
    biallelic = np.isin(regions["class"], (DELETION, DUPLICATION)) & (
        regions["changed_states"] <= 2
    )
    for kind, codes, names in (
        ("superpopulation", samples.superpopulation, samples.superpopulations),
        ("population", samples.population, samples.populations),
    ):
        groups = len(names)
        vst = np.full(n_regions, np.nan)
        fst = np.full(n_regions, np.nan)
        if groups >= 2 and n_regions:
            sizes = np.zeros((len(eligible), groups))
            chromosomes = np.zeros((len(eligible), groups))
            for c, (allowed, ploidies) in enumerate(zip(eligible, ploidy, strict=True)):
                member = allowed & (codes >= 0)
                sizes[c] = np.bincount(codes[member], minlength=groups)
                chromosomes[c] = np.bincount(
                    codes[member], weights=ploidies[member], minlength=groups
                )
            counted = eligible[category[region], sample] & (codes[sample] >= 0)
            r, g = region[counted], codes[sample[counted]].astype(np.int64)
            x = change[counted]
            first = _sums(r, g, x, n_regions, groups)
            second = _sums(r, g, x * x, n_regions, groups)
            vst = v_st(first, second, sizes[category])
            alleles = np.minimum(np.abs(np.rint(x)), ploidy[category[r], sample[counted]])
            fst = f_st(_sums(r, g, alleles, n_regions, groups), chromosomes[category])
            fst[~biallelic] = np.nan
        regions[f"vst_{kind}"] = vst
        regions[f"fst_{kind}"] = fst


def v_st(first: Floats, second: Floats, sizes: Floats) -> Floats:
    """V_ST per row from per-group sums of values and of squared values and group sizes
    (rows x groups); NaN where the total variance is 0 or fewer than 2 groups have samples."""
    total = sizes.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        v_total = second.sum(axis=1) / total - (first.sum(axis=1) / total) ** 2
        within = np.where(sizes > 0, second / sizes - (first / sizes) ** 2, 0.0)
        v_within = (sizes * within).sum(axis=1) / total
        result = (v_total - v_within) / v_total
    usable = (v_total > 1e-12) & ((sizes > 0).sum(axis=1) >= 2)
    return np.where(usable, result, np.nan)


def f_st(alleles: Floats, chromosomes: Floats) -> Floats:
    """Nei's G_ST per row from per-group allele counts and chromosome counts."""
    total = chromosomes.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frequency = np.where(chromosomes > 0, alleles / chromosomes, 0.0)
        weight = chromosomes / total[:, None]
        mean = (weight * frequency).sum(axis=1)
        h_total = 2 * mean * (1 - mean)
        h_within = (weight * 2 * frequency * (1 - frequency)).sum(axis=1)
        result = (h_total - h_within) / h_total
    usable = (h_total > 1e-12) & ((chromosomes > 0).sum(axis=1) >= 2)
    return np.where(usable, result, np.nan)


def _sums(region: Int64s, group: Int64s, value: Floats, regions: int, groups: int) -> Floats:
    flat = np.bincount(region * groups + group, weights=value, minlength=regions * groups)
    return flat.reshape(regions, groups).astype(np.float64)


def _carrier_values(cohort: Cohort, found: Regions) -> tuple[Int64s, Int64s, Floats]:
    """(region, sample, change from baseline) of each sample's longest call per region."""
    calls = cohort.calls
    if len(calls) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    order = np.lexsort((-calls.length, calls.sample, found.call_region))
    region = found.call_region[order]
    sample = calls.sample[order].astype(np.int64)
    first = np.ones(len(order), dtype=bool)
    first[1:] = (region[1:] != region[:-1]) | (sample[1:] != sample[:-1])
    change = calls.delta[order]
    known = first & ~np.isnan(change)
    return region[known], sample[known], change[known]


def _categories(
    cohort: Cohort, regions: dict[str, npt.NDArray[np.generic]]
) -> tuple[Int64s, npt.NDArray[np.bool_], Floats]:
    """Each region's category of (female, male) baselines, and per category which samples
    count and their ploidy."""
    chrom = regions["chrom"].astype(np.int16)
    start = regions["start"].astype(np.int64)
    female = cohort.genome.baselines(chrom, start, np.full(len(chrom), Sex.FEMALE, np.int8))
    male = cohort.genome.baselines(chrom, start, np.full(len(chrom), Sex.MALE, np.int8))
    sex_specific = (chrom == cohort.genome.x) | (chrom == cohort.genome.y)
    keys = np.stack([female, male, sex_specific.astype(np.float64)], axis=1)
    if len(keys) == 0:
        keys = np.array([[2.0, 2.0, 0.0]])
    kinds, category = np.unique(keys, axis=0, return_inverse=True)
    sex = cohort.samples.sex
    eligible = np.zeros((len(kinds), len(sex)), dtype=bool)
    ploidy = np.zeros((len(kinds), len(sex)))
    for index, (female_copies, male_copies, on_sex_chromosome) in enumerate(kinds.tolist()):
        ploidy[index] = np.where(sex == Sex.MALE, male_copies, female_copies)
        known_sex = sex != Sex.UNKNOWN
        eligible[index] = (known_sex | (on_sex_chromosome == 0)) & (ploidy[index] > 0)
    return category.reshape(-1).astype(np.int64), eligible, ploidy
