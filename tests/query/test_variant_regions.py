"""Variant regions against brute force on random calls: the partition into regions (CNVRs
by transitive overlap, then events by reciprocal overlap with a founding interval), each
region's summary, and its frequencies counted individual by individual."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from cnvbeacon.query.analyses.cohort import Calls
from cnvbeacon.query.read_model.reads import REGION_CALL_FIELDS
from cnvbeacon.query.variant_regions import RegionOrder, cluster, ordered_regions, region_views
from cnvbeacon.shared.frequencies import GroupSize, group_sizes
from tests.query.analyses.test_region_events import reference_events

POPULATIONS = {"GBR": "EUR", "FIN": "EUR", "YRI": "AFR", "CHB": "EAS"}
ASSEMBLY = "GRCh38"


def random_calls(seed: int) -> tuple[pa.Table, dict[str, list[dict[str, Any]]]]:
    """Calls of two datasets on chromosomes 1 and X (jittered around a few loci), sorted as
    reads.region_calls sorts them, and each dataset's individuals with data."""
    rng = np.random.default_rng(seed)
    individuals: dict[str, list[dict[str, Any]]] = {}
    rows = []
    for dataset in ("a", "b"):
        people = []
        for number in range(30):
            population = str(rng.choice(list(POPULATIONS)))
            people.append(
                {
                    "individual_id": f"I{number}",
                    "sex": str(rng.choice(["female", "male", "unknown"])),
                    "population": population,
                    "superpopulation": POPULATIONS[population],
                }
            )
        individuals[dataset] = people
        for chrom in ("1", "X"):
            loci = rng.integers(3_000_000, 9_000_000, size=6)
            lengths = (10 ** rng.uniform(3, 5, size=6)).astype(np.int64)
            for _ in range(150):
                locus = int(rng.integers(0, 6))
                jitter = rng.normal(0, 0.15 * lengths[locus], size=2).astype(np.int64)
                start = int(loci[locus] + jitter[0])
                end = start + max(50, int(lengths[locus] + jitter[1]))
                person = people[int(rng.integers(0, 30))]
                loss = bool(rng.random() < 0.6)
                copy_number = (
                    None
                    if rng.random() < 0.1
                    else float(rng.choice([0, 1]) if loss else 3 + rng.integers(0, 3))
                )
                rows.append(
                    {
                        "dataset_id": dataset,
                        "chrom": chrom,
                        "start": start,
                        "end": end,
                        "variant_type": "DEL" if loss else "DUP",
                        "copy_number": copy_number,
                        "genotype": str(rng.choice(["0/1", "1/1", "./1", "1"])),
                        **person,
                    }
                )
    rows.sort(key=lambda r: (r["dataset_id"], r["chrom"] != "1", r["start"], r["end"]))
    return pa.Table.from_pylist([{f: r[f] for f in REGION_CALL_FIELDS} for r in rows]), individuals


def brute_force_regions(calls: list[dict[str, Any]], min_overlap: float) -> list[list[int]]:
    """Rows of each region: CNVRs as connected components of the overlap graph, then events
    by the reference rule; sorted for comparison."""
    n = len(calls)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            a, b = calls[i], calls[j]
            same = (a["dataset_id"], a["chrom"]) == (b["dataset_id"], b["chrom"])
            if same and a["start"] < b["end"] and b["start"] < a["end"]:
                parent[root(i)] = root(j)
    roots = sorted(
        {root(i) for i in range(n)}, key=lambda r: min(i for i in range(n) if root(i) == r)
    )
    cnvr = np.array([roots.index(root(i)) for i in range(n)], dtype=np.int64)

    zeros = np.zeros(n)
    intervals = Calls(
        zeros.astype(np.int16),
        np.array([c["start"] for c in calls], dtype=np.int64),
        np.array([c["end"] for c in calls], dtype=np.int64),
        zeros.astype(np.int32),
        zeros.astype(np.int8),
        zeros,
        zeros,
        zeros.astype(bool),
    )
    events = reference_events(intervals, cnvr, min_overlap)
    members: dict[int, list[int]] = defaultdict(list)
    for row, event in enumerate(events):
        members[event].append(row)
    return sorted(members.values())


def sizes_of(individuals: dict[str, list[dict[str, Any]]]) -> dict[str, list[GroupSize]]:
    return {dataset: group_sizes(people, people) for dataset, people in individuals.items()}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("min_overlap", [0.5, 0.8])
def test_regions_partition_the_calls_as_brute_force_does(seed: int, min_overlap: float) -> None:
    table, _ = random_calls(seed)
    clusters = cluster(table, min_overlap)
    found = sorted(
        sorted(clusters.members[clusters.bounds[r] : clusters.bounds[r + 1]].tolist())
        for r in range(len(clusters))
    )
    assert found == brute_force_regions(table.to_pylist(), min_overlap)


@pytest.mark.parametrize("seed", range(3))
def test_each_region_summary_and_frequencies_equal_a_count_by_individual(seed: int) -> None:
    table, individuals = random_calls(seed)
    calls = table.to_pylist()
    clusters = cluster(table, 0.5)
    sizes = sizes_of(individuals)
    rows = clusters.ordered(RegionOrder.POSITION).tolist()
    views = region_views([(clusters, row) for row in rows], sizes, ASSEMBLY)
    assert [(v["dataset_id"], v["chrom"] != "1", v["start"], v["end"]) for v in views] == sorted(
        (v["dataset_id"], v["chrom"] != "1", v["start"], v["end"]) for v in views
    )
    for row, view in zip(rows, views, strict=True):
        mine = [calls[i] for i in clusters.members[clusters.bounds[row] : clusters.bounds[row + 1]]]
        assert view["calls"] == len(mine)
        assert view["span_start"] == min(c["start"] for c in mine)
        assert view["span_end"] == max(c["end"] for c in mine)
        assert view["carriers"] == len({c["individual_id"] for c in mine})
        lengths = [c["end"] - c["start"] for c in mine]
        assert (view["min_length"], view["max_length"]) == (min(lengths), max(lengths))
        types = {c["variant_type"] for c in mine}
        states = {round(c["copy_number"]) for c in mine if c["copy_number"] is not None}
        expected_class = (
            "multi-allelic"
            if len(states) >= 3
            else {frozenset({"DEL"}): "deletion", frozenset({"DUP"}): "duplication"}.get(
                frozenset(types), "deletion+duplication"
            )
        )
        assert view["class"] == expected_class
        people = {p["individual_id"]: p for p in individuals[view["dataset_id"]]}
        x_haploid = view["chrom"] == "X"
        for group in view["groups"]:
            members = [
                p
                for p in people.values()
                if group["level"] == "all" or p[group["level"]] == group["code"]
            ]
            assert group["individuals"] == len(members)
            ids = {p["individual_id"] for p in members}
            for direction, variant_type in (("loss", "DEL"), ("gain", "DUP")):
                carried = [
                    c
                    for c in mine
                    if c["variant_type"] == variant_type and c["individual_id"] in ids
                ]
                carriers = {c["individual_id"] for c in carried}
                got = group[direction]
                assert got["carriers"] == len(carriers)
                assert got["carrier_frequency"] == pytest.approx(len(carriers) / len(members))
                if x_haploid:
                    number = sum({"female": 2, "male": 1}.get(p["sex"], 0) for p in members)
                else:
                    number = 2 * len(members)
                assert got["allele_number"] == number
                alleles = 0
                for person in carriers:
                    sex = people[person]["sex"]
                    copies = (
                        (2 if sex == "female" else 1 if sex == "male" else 0) if x_haploid else 2
                    )
                    if copies == 0:
                        continue
                    best = 0
                    for c in carried:
                        if c["individual_id"] != person:
                            continue
                        count = sum(a not in ("0", ".") for a in c["genotype"].split("/"))
                        best = max(best, min(count, copies))
                    alleles += best
                assert got["allele_count"] == alleles
            copy_numbers = group["copy_numbers"]
            assert (
                sum(copy_numbers.values())
                == group["carriers"]
                == len({c["individual_id"] for c in mine if c["individual_id"] in ids})
            )


def test_ordering_by_carriers_puts_the_most_carried_first() -> None:
    table, _ = random_calls(7)
    clusters = cluster(table, 0.5)
    carriers = clusters.carriers[clusters.ordered(RegionOrder.CARRIERS)].tolist()
    assert carriers == sorted(carriers, reverse=True)
    assert sorted(clusters.ordered(RegionOrder.CARRIERS).tolist()) == list(range(len(clusters)))


def test_no_calls_no_regions() -> None:
    table, _ = random_calls(0)
    clusters = cluster(table.slice(0, 0), 0.5)
    assert len(clusters) == 0
    assert clusters.ordered(RegionOrder.POSITION).tolist() == []


def test_regions_of_several_datasets_order_as_one() -> None:
    """Clustered per dataset and ordered together: by carriers across the datasets."""
    table, _ = random_calls(3)
    datasets = table.column("dataset_id").to_pylist()
    parts = [
        cluster(table.filter(pa.array([d == name for d in datasets])), 0.5) for name in ("a", "b")
    ]
    whole = cluster(table, 0.5)
    together = ordered_regions(parts, RegionOrder.CARRIERS)
    assert len(together) == len(whole)
    carriers = [int(part.carriers[row]) for part, row in together]
    assert carriers == sorted(carriers, reverse=True)
    assert sorted(carriers) == sorted(whole.carriers.tolist())
    by_position = ordered_regions(parts, RegionOrder.POSITION)
    assert [p.dataset_id[r] for p, r in by_position] == sorted(
        p.dataset_id[r] for p, r in by_position
    )
