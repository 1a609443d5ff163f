"""Frequencies, V_ST, F_ST, profiles and the genome summary, against hand-worked answers
and numpy's own variance."""

from __future__ import annotations

import numpy as np
import pytest

from cnvbeacon.query.analyses.cohort import Subset, select
from cnvbeacon.query.analyses.differentiation import add_differentiation, f_st, v_st
from cnvbeacon.query.analyses.frequencies import bin_frequencies, gene_frequencies
from cnvbeacon.query.analyses.genes import protein_coding_genes
from cnvbeacon.query.analyses.groups import sample_groups
from cnvbeacon.query.analyses.pipeline import Parameters, analyse
from cnvbeacon.query.analyses.profiles import sample_profiles
from cnvbeacon.query.analyses.regions import find_regions
from tests.query.analyses.builders import Person, cohort

PEOPLE = [
    Person("A1", "female", "GBR", "EUR"),
    Person("A2", "male", "GBR", "EUR"),
    Person("B1", "female", "YRI", "AFR"),
    Person("B2", "male", "YRI", "AFR"),
]


def group_ids(built: object) -> list[str]:
    return [g.id for g in sample_groups(built.samples)]  # type: ignore[attr-defined]


def test_bin_frequencies_count_each_sample_once_per_bin_and_direction() -> None:
    calls = [
        ("A1", "1", 999_000, 1_001_000, "DUP", 3),  # bins 0 and 1
        ("A1", "1", 999_500, 999_800, "DUP", 3),  # same sample, same bin: once
        ("B1", "1", 10, 20, "DEL", 1),  # bin 0 loss
        ("B2", "1", 1_500_000, 1_600_000, "DUP", 3),  # bin 1 gain
    ]
    built = cohort(PEOPLE, calls)
    table = bin_frequencies(built, 1_000_000)
    groups = group_ids(built)
    assert groups == ["all", "AFR", "EUR", "GBR", "YRI"]
    assert table["start"][:3].tolist() == [0, 1_000_000, 2_000_000]
    assert table["gain"][0].tolist() == [1, 0, 1, 1, 0]
    assert table["gain"][1].tolist() == [2, 1, 1, 1, 1]
    assert table["loss"][0].tolist() == [1, 1, 0, 0, 1]
    assert table["gain"][2:].sum() == 0
    assert table["loss"][1:].sum() == 0
    # Bins cover every chromosome to its end, the last one shorter.
    chr1 = table["chrom"] == 0
    assert table["end"][chr1][-1] == built.genome.lengths[0]
    assert len(table["start"]) == sum(-(-n // 1_000_000) for n in built.genome.lengths)


def test_gene_frequencies_by_gene() -> None:
    genes = protein_coding_genes(cohort(PEOPLE, []).genome)
    tp53 = int(np.flatnonzero(genes.symbol == "TP53")[0])
    calls = [
        ("A1", "17", 7_670_000, 7_671_000, "DEL", 1),
        ("B1", "17", 7_600_000, 7_700_000, "DEL", 0),
        ("B2", "17", 7_680_000, 7_680_500, "DUP", 3),
    ]
    table = gene_frequencies(cohort(PEOPLE, calls), genes)
    assert table["symbol"][tp53] == "TP53"
    assert table["loss"][tp53].tolist() == [2, 1, 1, 1, 1]
    assert table["gain"][tp53].tolist() == [1, 1, 0, 0, 1]


def differentiation(calls: list, people: list[Person] = PEOPLE) -> dict[str, list[float]]:
    built = cohort(people, calls)
    found = find_regions(built.calls, len(built.samples), 0.5)
    add_differentiation(built, found)
    return {k: v.tolist() for k, v in found.regions.items() if k.startswith(("vst", "fst"))}


def test_vst_of_a_loss_in_one_population_and_a_gain_in_the_other() -> None:
    # Changes: GBR -1, 0; YRI +1, 0. V_T = 0.5, V_S = 0.25, V_ST = 0.5.
    found = differentiation([("A1", "1", 0, 1000, "DEL", 1), ("B1", "1", 0, 1000, "DUP", 3)])
    assert found["vst_superpopulation"] == pytest.approx([0.5])
    assert found["vst_population"] == pytest.approx([0.5])
    assert np.isnan(found["fst_superpopulation"][0])  # not biallelic: losses and gains


def test_vst_and_fst_of_a_biallelic_deletion() -> None:
    found = differentiation([("A1", "1", 0, 1000, "DEL", 1), ("A2", "1", 0, 1000, "DEL", 0)])
    values = np.array([-1.0, -2.0, 0.0, 0.0])
    v_total = np.var(values)
    v_within = (2 * np.var(values[:2]) + 2 * np.var(values[2:])) / 4
    assert found["vst_superpopulation"] == pytest.approx([(v_total - v_within) / v_total])
    assert found["vst_superpopulation"][0] == pytest.approx(0.5625 / 0.6875)
    # Allele frequencies 3/4 (GBR) and 0 (YRI): H_T = 0.46875, H_S = 0.1875, F_ST = 0.6.
    assert found["fst_superpopulation"] == pytest.approx([0.6])


def test_vst_ignores_sex_on_x() -> None:
    # A male and a female without calls differ in copy number (1 and 2), not in change.
    people = [
        Person("A1", "female", "GBR", "EUR"),
        Person("A2", "female", "GBR", "EUR"),
        Person("B1", "male", "YRI", "AFR"),
        Person("B2", "male", "YRI", "AFR"),
    ]
    found = differentiation([("B1", "X", 5_000_000, 5_001_000, "DEL", 0)], people)
    values = np.array([0.0, 0.0, -1.0, 0.0])
    v_total = np.var(values)
    v_within = (2 * np.var(values[:2]) + 2 * np.var(values[2:])) / 4
    assert found["vst_superpopulation"] == pytest.approx([(v_total - v_within) / v_total])
    # Hemizygous male: one allele of his one X; females have two X each (6 chromosomes).
    # p(YRI) = 1/2, p(GBR) = 0, weights 2/6 and 4/6: H_T = 2(1/6)(5/6), H_S = (2/6)(1/2).
    h_total, h_within = 2 * (1 / 6) * (5 / 6), (2 / 6) * 0.5
    assert found["fst_superpopulation"] == pytest.approx([(h_total - h_within) / h_total])


def test_vst_is_undefined_without_variance_or_with_one_population() -> None:
    assert np.isnan(v_st(np.zeros((1, 2)), np.zeros((1, 2)), np.array([[2.0, 2.0]]))).all()
    one = [Person("A1", "female", "GBR", "EUR"), Person("A2", "female", "GBR", "EUR")]
    found = differentiation([("A1", "1", 0, 1000, "DEL", 1)], one)
    assert np.isnan(found["vst_population"]).all()


def test_vst_matches_numpy_on_random_values() -> None:
    rng = np.random.default_rng(3)
    groups = [rng.integers(-2, 3, size) for size in (5, 8, 13)]
    allvalues = np.concatenate(groups).astype(float)
    first = np.array([[g.sum() for g in groups]], dtype=float)
    second = np.array([[(g.astype(float) ** 2).sum() for g in groups]])
    sizes = np.array([[len(g) for g in groups]], dtype=float)
    v_within = sum(len(g) * np.var(g) for g in groups) / len(allvalues)
    expected = (np.var(allvalues) - v_within) / np.var(allvalues)
    assert v_st(first, second, sizes)[0] == pytest.approx(expected)
    frequencies = np.array([0.1, 0.5, 0.3])
    chromosomes = np.array([[10.0, 20.0, 30.0]])
    weights = chromosomes[0] / 60
    mean = (weights * frequencies).sum()
    h_s = (weights * 2 * frequencies * (1 - frequencies)).sum()
    assert f_st(frequencies * chromosomes, chromosomes)[0] == pytest.approx(
        (2 * mean * (1 - mean) - h_s) / (2 * mean * (1 - mean))
    )


def test_profiles_count_overlapping_calls_once() -> None:
    calls = [
        ("A1", "1", 0, 100, "DUP", 3),
        ("A1", "1", 50, 150, "DUP", 3),
        ("A1", "2", 1000, 1100, "DEL", 1),
        ("B2", "1", 0, 10, "DEL", 1),
    ]
    built = cohort(PEOPLE, calls)
    table = sample_profiles(built)
    assert table["sample"].tolist() == ["A1", "A2", "B1", "B2"]
    assert table["calls"].tolist() == [3, 0, 0, 1]
    assert table["bases_gained"].tolist() == [150, 0, 0, 0]
    assert table["bases_lost"].tolist() == [100, 0, 0, 10]
    assert table["bases_altered"].tolist() == [250, 0, 0, 10]
    assert table["fraction_altered"][0] == pytest.approx(250 / built.genome.length)
    assert table["population"].tolist() == ["GBR", "GBR", "YRI", "YRI"]


def test_genome_summary_in_redon_terms() -> None:
    calls = [
        ("A1", "1", 0, 1000, "DEL", 1),
        ("A2", "1", 500, 3000, "DEL", 1),
        ("B1", "2", 0, 4000, "DUP", 3),
        ("B1", "17", 7_670_000, 7_671_000, "DEL", 1),  # in TP53
    ]
    built = cohort(PEOPLE, calls)
    summary = analyse(built, Parameters()).summary
    assert summary["cnvrs"] == 3
    assert summary["bases_covered"] == 3000 + 4000 + 1000
    assert summary["percent_of_genome"] == pytest.approx(100 * 8000 / built.genome.length)
    chr2 = summary["chromosomes"][1]
    assert chr2["chrom"] == "2"
    assert chr2["percent"] == pytest.approx(100 * 4000 / built.genome.lengths[1])
    assert summary["sizes"]["deletion_calls"] == {"count": 3, "median": 1000.0, "mean": 1500.0}
    assert summary["sizes"]["duplication_calls"]["median"] == 4000.0
    assert summary["sizes"]["deletion_cnvrs"] == {"count": 2, "median": 2000.0, "mean": 2000.0}
    assert summary["calls_per_sample"] == {"mean": 1.0, "median": 1.0, "min": 0.0, "max": 2.0}
    assert summary["gene_overlap"]["deletion"] == {"cnvrs": 2, "with_genes": 1, "fraction": 0.5}
    assert summary["gene_overlap"]["duplication"]["fraction"] == 0.0
    assert summary["cnvr_classes"]["deletion"] == 2
    histogram = summary["size_histogram"]
    assert sum(histogram["deletion_calls"]) == 3


def test_subsets_keep_their_samples_and_pass_calls() -> None:
    calls = [
        ("A1", "1", 0, 100, "DEL", 1),
        ("B1", "1", 0, 100, "DEL", 1),
        ("B2", "1", 0, 100, "DEL", 1),
    ]
    built = cohort(PEOPLE, calls, failing=frozenset({2}))
    africans = select(built, Subset(superpopulations=frozenset({"AFR"})))
    assert africans.samples.ids == ("B1", "B2")
    assert africans.calls.sample.tolist() == [0, 1]
    passing = select(built, Subset(pass_only=True))
    assert len(passing.samples) == 4
    assert len(passing.calls) == 2
    males = select(built, Subset(sex="male", pass_only=True))
    assert males.samples.ids == ("A2", "B2")
    assert len(males.calls) == 0
    table = bin_frequencies(africans, 1_000_000)
    assert table["loss"][0].tolist() == [2, 2, 2]
