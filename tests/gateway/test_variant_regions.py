"""Variant regions through the whole stack: a generated cohort of 1kGP samples (both sexes,
several superpopulations) submitted file by file, its individuals registered; each region
the public API gives for chromosomes 1 and X equals brute force over the VCF files: the
same calls (clustered here pair by pair), the same carriers, carrier and allele frequencies
in all, every superpopulation and every population, and the same copy numbers. Its exports
parse (BED9, a sites-only VCF with the declared INFO, TSV)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam
import pytest
import pytest_asyncio
from aiohttp import ClientSession

from bench.cohort.generate import Cohort, CohortSpec, generate_cohort
from cnvbeacon.shared.reference.chromosomes import in_pseudoautosomal_region
from tests.gateway.stacks import Stack, VcfRecord, load_cohort, running_stack, vcf_records
from tests.support.services import sync_read_model

pytestmark = pytest.mark.integration
DATASET = "cohort"
SAMPLES = 16
ASSEMBLY = "GRCh38"
MIN_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class Call:
    sample: str
    chrom: str
    start: int
    end: int
    variant_type: str
    genotype: str
    copy_number: int | None


@dataclass(frozen=True, slots=True)
class Loaded:
    stack: Stack
    calls: list[Call]
    people: dict[str, dict[str, Any]]  # sample id -> registered individual


def _call(sample: str, record: VcfRecord) -> Call:
    return Call(
        sample,
        record.chrom.removeprefix("chr"),
        record.start,
        record.end,
        "DEL" if record.alt == "<DEL>" else "DUP",
        record.genotype,
        record.copy_number,
    )


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    directory = Path(tmp_path_factory.mktemp("regions-cohort"))
    return generate_cohort(CohortSpec(samples=SAMPLES, seed=31, directory=directory)).cohort


@pytest_asyncio.fixture(scope="module")
async def loaded(mongodb_url: str, amqp_url: str, cohort: Cohort) -> AsyncIterator[Loaded]:
    async with running_stack(mongodb_url, amqp_url, datasets={}) as stack:
        async with ClientSession() as session:
            await load_cohort(session, stack.ingest, cohort, DATASET)
            await sync_read_model(session, stack.query)
            samples = {row["sample"] for row in cohort.manifest_rows()}
            async with session.get(
                f"{stack.query}/individuals", params={"datasets": DATASET, "limit": "5000"}
            ) as response:
                registry = (await response.json())["individuals"]
        people = {
            sample: person
            for person in registry
            for sample in person["biosample_ids"]
            if sample in samples
        }
        assert set(people) == samples
        calls = [
            _call(row["sample"], r)
            for row in cohort.manifest_rows()
            for r in vcf_records(cohort.directory / row["file"])
            if r.alt in ("<DEL>", "<DUP>")
        ]
        yield Loaded(stack, calls, people)


def brute_force_regions(calls: list[Call]) -> dict[tuple[int, int], list[Call]]:
    """Regions of one chromosome's calls by founding interval: CNVRs as components of the
    overlap graph; in each, distinct intervals by support, length, start join the seed
    they overlap best (reciprocally, at least MIN_OVERLAP; ties: the earliest) or found
    one."""
    n = len(calls)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if calls[i].start < calls[j].end and calls[j].start < calls[i].end:
                parent[root(i)] = root(j)
    found: dict[tuple[int, int], list[Call]] = {}
    for component in {root(i) for i in range(n)}:
        members = [c for i, c in enumerate(calls) if root(i) == component]
        support: dict[tuple[int, int], int] = {}
        for c in members:
            support[(c.start, c.end)] = support.get((c.start, c.end), 0) + 1
        seeds: list[tuple[int, int]] = []
        event_of: dict[tuple[int, int], tuple[int, int]] = {}
        for start, end in sorted(support, key=lambda k: (-support[k], -(k[1] - k[0]), k[0])):
            best, best_overlap = None, MIN_OVERLAP
            for seed in seeds:
                shared = min(end, seed[1]) - max(start, seed[0])
                overlap = max(shared, 0) / max(end - start, seed[1] - seed[0])
                if overlap >= best_overlap and (best is None or overlap > best_overlap):
                    best, best_overlap = seed, overlap
            if best is None:
                best = (start, end)
                seeds.append(best)
            event_of[(start, end)] = best
        for c in members:
            found.setdefault(event_of[(c.start, c.end)], []).append(c)
    return found


def _ploidy(chrom: str, start: int, end: int, sex: str) -> int | None:
    if chrom != "X" or in_pseudoautosomal_region(chrom, start, end, ASSEMBLY):
        return 2
    return {"female": 2, "male": 1}.get(sex)


def _alleles(genotype: str) -> int:
    return sum(a not in ("0", ".") for a in genotype.replace("|", "/").split("/"))


def expected_groups(
    loaded: Loaded, founder: tuple[int, int], chrom: str, members: list[Call]
) -> dict[tuple[str, str], dict[str, Any]]:
    people = loaded.people

    def groups(sample: str) -> list[tuple[str, str]]:
        person = people[sample]
        return [
            ("all", "all"),
            ("superpopulation", person["superpopulation"]),
            ("population", person["population"]),
        ]

    expected: dict[tuple[str, str], dict[str, Any]] = {}
    for sample in people:
        for key in groups(sample):
            group = expected.setdefault(
                key,
                {
                    "individuals": 0,
                    "carriers": set(),
                    "loss": {"carriers": set(), "allele_count": 0, "allele_number": 0},
                    "gain": {"carriers": set(), "allele_count": 0, "allele_number": 0},
                },
            )
            group["individuals"] += 1
            copies = _ploidy(chrom, *founder, people[sample]["sex"])
            for direction, variant_type in (("loss", "DEL"), ("gain", "DUP")):
                mine = [c for c in members if c.sample == sample and c.variant_type == variant_type]
                counts = group[direction]
                counts["allele_number"] += copies or 0
                if mine:
                    counts["carriers"].add(sample)
                    group["carriers"].add(sample)
                    if copies:
                        counts["allele_count"] += max(
                            min(_alleles(c.genotype), copies) for c in mine
                        )
            if any(c.sample == sample for c in members):
                group["carriers"].add(sample)
    return expected


async def _get(url: str, params: dict[str, str]) -> tuple[int, Any]:
    async with ClientSession() as session, session.get(url, params=params) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def _all_regions(stack: Stack, chrom: str) -> list[dict[str, Any]]:
    regions: list[dict[str, Any]] = []
    while True:
        status, body = await _get(
            f"{stack.api}/query/variant_regions",
            {"datasets": DATASET, "chrom": chrom, "skip": str(len(regions)), "limit": "200"},
        )
        assert status == 200, body
        regions += body["regions"]
        if len(regions) >= body["counts"]["regions"]:
            return regions


@pytest.mark.parametrize("chrom", ["1", "X"])
async def test_regions_equal_brute_force_over_the_vcfs(loaded: Loaded, chrom: str) -> None:
    calls = [c for c in loaded.calls if c.chrom == chrom]
    expected = brute_force_regions(calls)
    regions = await _all_regions(loaded.stack, chrom)
    # Regions that join several samples' calls (DRAGEN-like jittered breakpoints).
    assert sum(r["carriers"] > 1 for r in regions) >= 5
    assert {(r["start"], r["end"]) for r in regions} == set(expected)
    sexes_seen: set[str] = set()
    for region in regions:
        members = expected[(region["start"], region["end"])]
        assert region["calls"] == len(members)
        assert region["carriers"] == len({c.sample for c in members})
        assert region["span_start"] == min(c.start for c in members)
        assert region["span_end"] == max(c.end for c in members)
        want = expected_groups(loaded, (region["start"], region["end"]), chrom, members)
        got = {(g["level"], g["code"]): g for g in region["groups"]}
        assert set(got) == set(want)
        for key, group in got.items():
            truth = want[key]
            assert group["individuals"] == truth["individuals"], key
            assert group["carriers"] == len(truth["carriers"]), key
            for direction in ("loss", "gain"):
                counts, exact = group[direction], truth[direction]
                assert counts["carriers"] == len(exact["carriers"]), (key, direction)
                assert counts["carrier_frequency"] == pytest.approx(
                    len(exact["carriers"]) / truth["individuals"]
                )
                assert counts["allele_count"] == exact["allele_count"], (key, direction)
                assert counts["allele_number"] == exact["allele_number"], (key, direction)
                if exact["allele_number"]:
                    assert counts["allele_frequency"] == pytest.approx(
                        exact["allele_count"] / exact["allele_number"]
                    )
        sexes_seen |= {loaded.people[c.sample]["sex"] for c in members}
    assert {"female", "male"} <= sexes_seen
    assert len({p["superpopulation"] for p in loaded.people.values()}) >= 3


async def test_ordered_by_carriers_the_most_carried_region_comes_first(loaded: Loaded) -> None:
    status, body = await _get(
        f"{loaded.stack.api}/query/variant_regions",
        {"datasets": DATASET, "chrom": "1", "order": "carriers", "limit": "20"},
    )
    assert status == 200, body
    carriers = [r["carriers"] for r in body["regions"]]
    assert carriers == sorted(carriers, reverse=True)
    assert body["query"]["order"] == "carriers"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"chrom": "1", "population": "GBR"}, "population"),
        ({"chrom": "1", "biosample_id": "HG00096"}, "biosample_id"),
        ({"chrom": "1", "min_overlap": "0"}, "min_overlap"),
        ({"chrom": "1", "order": "size"}, "order"),
        ({}, "chrom"),
    ],
)
async def test_bad_requests_are_beacon_errors_naming_the_parameter(
    loaded: Loaded, params: dict[str, str], parameter: str
) -> None:
    status, body = await _get(
        f"{loaded.stack.api}/query/variant_regions", {"datasets": DATASET, **params}
    )
    assert status == 400, body
    assert body["error"]["errorCode"] == 400
    assert parameter in body["error"]["errorMessage"]


async def test_the_exports_parse(loaded: Loaded, tmp_path: Path) -> None:
    regions = await _all_regions(loaded.stack, "X")
    export = f"{loaded.stack.api}/exports/variant_regions"
    query = {"datasets": DATASET, "chrom": "X"}
    status, bed = await _get(export, {**query, "format": "bed"})
    assert status == 200, bed
    track, *lines = bed.splitlines()
    assert track.startswith("track ")
    assert 'itemRgb="On"' in track
    assert "SYNTHETIC" in track
    assert len(lines) == len(regions)
    for line, region in zip(
        lines, sorted(regions, key=lambda r: (r["start"], r["end"])), strict=True
    ):
        fields = line.split("\t")
        assert len(fields) == 9
        assert fields[:3] == ["chrX", str(region["span_start"]), str(region["span_end"])]
        assert fields[3] == f"{region['class']}:{region['carriers']}"
        assert fields[6:8] == [str(region["start"]), str(region["end"])]
        assert len(fields[8].split(",")) == 3
    status, vcf = await _get(export, {**query, "format": "vcf"})
    assert status == 200, vcf
    path = tmp_path / "regions.vcf"
    path.write_text(vcf)
    by_id = {r["id"]: r for r in regions}
    records = 0
    with pysam.VariantFile(str(path)) as variants:
        assert {"AC", "AN", "AF", "NCARRIERS", "CLASS"} <= set(variants.header.info)
        assert "synthetic" in str(variants.header).lower()
        for record in variants:
            records += 1
            region_id, svtype = record.id.rsplit(":", 1)
            region = by_id[region_id]
            direction = "loss" if svtype == "DEL" else "gain"
            everyone = next(g for g in region["groups"] if g["level"] == "all")[direction]
            assert record.info["AC"][0] == everyone["allele_count"]
            assert record.info["AN"] == everyone["allele_number"]
            assert record.info["NCARRIERS"] == everyone["carriers"]
            for group in region["groups"]:
                if group["level"] == "superpopulation":
                    assert record.info[f"AC_{group['code']}"][0] == group[direction]["allele_count"]
    carried = sum(
        1
        for r in regions
        for d in ("loss", "gain")
        if next(g for g in r["groups"] if g["level"] == "all")[d]["carriers"]
    )
    assert records == carried
    status, tsv = await _get(export, {**query, "format": "tsv"})
    assert status == 200, tsv
    rows = [
        line.split("\t")
        for line in io.StringIO(tsv).read().splitlines()
        if not line.startswith("#")
    ]
    header, *body = rows
    assert header[:3] == ["id", "dataset_id", "chrom"]
    assert "EUR_loss_allele_frequency" in header
    assert len(body) == len(regions)
