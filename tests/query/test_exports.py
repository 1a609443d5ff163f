"""Streaming exports: every format holds exactly the lookup's result, with each format's
coordinates (VCF checked by htslib through pysam)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import AsyncIterator
from pathlib import Path

import bioframe
import pysam
import pytest
import pytest_asyncio
from aiohttp import ClientSession

from cnvbeacon.shared.colours import GAIN, LOSS, call_colour, rgb
from cnvbeacon.shared.frequencies import allele_count
from tests.query.cohort import (
    Query,
    StoredCohort,
    brute_force,
    cohort_services,
    expected_variants,
)

pytestmark = pytest.mark.integration

QUERY = Query("1", 0, 30_000_000)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cohort(mongodb_url: str) -> AsyncIterator[StoredCohort]:
    async with cohort_services(mongodb_url, seed=5, count=1200) as stored:
        yield stored


def copies(copy_number: float | None) -> str:
    if copy_number is None:
        return "CN."
    return f"CN{int(copy_number)}" if float(copy_number).is_integer() else f"CN{copy_number}"


async def export(url: str, path: str, output: str, **extra: str) -> tuple[str, dict[str, str]]:
    params = {**QUERY.params(), "format": output, **extra}
    async with ClientSession() as session, session.get(f"{url}{path}", params=params) as r:
        assert r.status == 200, await r.text()
        return await r.text(), dict(r.headers)


@pytest.mark.parametrize("output", ["jsonl", "tsv", "bed", "vcf", "pgxseg"])
async def test_exports_are_streamed_in_chunks(cohort: StoredCohort, output: str) -> None:
    _, headers = await export(cohort.url, "/calls", output)
    assert headers["Transfer-Encoding"] == "chunked"
    assert "attachment" in headers["Content-Disposition"]


async def test_jsonl_tsv_bed_hold_the_calls(cohort: StoredCohort) -> None:
    matching = brute_force(cohort.calls, QUERY)
    assert len(matching) > 100
    text, _ = await export(cohort.url, "/calls", "jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    assert [(r["id"], r["start"], r["end"]) for r in rows] == [
        (c["_id"], c["start"], c["end"]) for c in matching
    ]
    text, _ = await export(cohort.url, "/calls", "tsv")
    header, *lines = text.splitlines()
    columns = header.split("\t")
    tsv = [dict(zip(columns, line.split("\t"), strict=True)) for line in lines]
    assert [(r["id"], int(r["start"]), int(r["end"])) for r in tsv] == [
        (c["_id"], c["start"], c["end"]) for c in matching
    ]
    text, _ = await export(cohort.url, "/calls", "bed")
    track, *lines = text.splitlines()
    assert track.startswith('track name="cnvbeacon calls: ')
    assert 'itemRgb="On"' in track
    bed = [line.split("\t") for line in lines]
    assert [f[:9] for f in bed] == [
        [
            f"chr{c['chrom']}",
            str(c["start"]),
            str(c["end"]),
            f"{c['variant_type']}:{copies(c['copy_number'])}:{c['biosample_id']}",
            "0",
            ".",
            str(c["start"]),
            str(c["end"]),
            rgb(call_colour(c["variant_type"], c["copy_number"])),
        ]
        for c in matching
    ]
    assert {f[8] for f in bed} >= {rgb(LOSS), rgb(GAIN)}
    loaded = bioframe.read_table(io.StringIO(text), schema="bed9", skiprows=1)
    assert len(loaded) == len(matching)
    assert list(loaded["end"]) == [c["end"] for c in matching]


async def test_variant_exports_hold_the_distinct_variants(cohort: StoredCohort) -> None:
    variants = expected_variants(brute_force(cohort.calls, QUERY))
    text, _ = await export(cohort.replica_url, "/variants", "tsv")
    _, *lines = text.splitlines()
    assert [(line.split("\t")[0], int(line.split("\t")[8])) for line in lines] == [
        (variant_id, len(calls)) for variant_id, calls in variants
    ]
    text, _ = await export(cohort.replica_url, "/variants", "bed")
    track, *lines = text.splitlines()
    assert track.startswith('track name="cnvbeacon variants: ')
    assert [line.split("\t")[3] for line in lines] == [v for v, _ in variants]


async def test_vcf_is_valid_with_padding_base_positions(
    cohort: StoredCohort, tmp_path: Path
) -> None:
    matching = brute_force(cohort.calls, QUERY)
    variants = expected_variants(matching)
    by_id = {c["_id"]: c for c in matching}
    with_data = len({(c["dataset_id"], c["individual_id"]) for c in cohort.calls})
    people_of: dict[str, set[tuple[str, str]]] = {}
    for c in cohort.calls:
        if c["superpopulation"]:
            people_of.setdefault(c["superpopulation"], set()).add(
                (c["dataset_id"], c["individual_id"])
            )
    assert len(people_of) > 1
    for url, path in ((cohort.url, "/calls"), (cohort.replica_url, "/variants")):
        text, _ = await export(url, path, "vcf")
        file = tmp_path / f"export{path.replace('/', '-')}.vcf"
        file.write_text(text)
        with pysam.VariantFile(str(file)) as vcf:
            assert vcf.header.version == "VCFv4.2"
            samples = list(vcf.header.samples)
            assert samples == sorted({f"{c['dataset_id']}:{c['biosample_id']}" for c in matching})
            records = list(vcf)
        assert [r.id for r in records] == [v for v, _ in variants]
        for record, (_, call_ids) in zip(records, variants, strict=True):
            call = by_id[call_ids[0]]
            # POS is the padding base: 1-based POS = 0-based start; END = end.
            assert (record.chrom, record.pos, record.stop) == (
                f"chr{call['chrom']}",
                call["start"],
                call["end"],
            )
            assert record.alts == (f"<{call['variant_type']}>",)
            sign = -1 if call["variant_type"] == "DEL" else 1
            assert record.info["SVLEN"] == sign * (call["end"] - call["start"])
            assert record.info["NCALLS"] == len(call_ids)
            alleles: dict[tuple[str, str], int] = {}
            for i in call_ids:
                carrier = by_id[i]
                count = allele_count(
                    carrier["genotype"], carrier["copy_number"], carrier["variant_type"], 2
                )
                person = (carrier["dataset_id"], carrier["individual_id"])
                alleles[person] = max(alleles.get(person, 0), count)
            assert record.info["AC"] == (sum(alleles.values()),)
            assert record.info["AN"] == 2 * with_data  # chromosome 1: two copies each
            assert record.info["AF"][0] == pytest.approx(
                sum(alleles.values()) / (2 * with_data), rel=1e-5
            )  # a VCF Float is 32-bit
            for code, members in people_of.items():
                carried = sum(n for person, n in alleles.items() if person in members)
                assert record.info[f"AC_{code}"] == (carried,)
                assert record.info[f"AN_{code}"] == 2 * len(members)
            carriers = {f"{by_id[i]['dataset_id']}:{by_id[i]['biosample_id']}" for i in call_ids}
            for sample in samples:
                copy_number = record.samples[sample]["CN"]
                if sample in carriers:
                    carrier = next(
                        by_id[i]
                        for i in sorted(call_ids)
                        if f"{by_id[i]['dataset_id']}:{by_id[i]['biosample_id']}" == sample
                    )
                    assert copy_number == carrier["copy_number"]
                else:
                    assert copy_number is None
                    assert record.samples[sample]["GT"] == (0, 0)  # called, not carried


async def test_pgxseg_lines_are_calls_with_their_states(cohort: StoredCohort) -> None:
    matching = brute_force(cohort.calls, QUERY)
    text, _ = await export(cohort.url, "/calls", "pgxseg")
    lines = text.splitlines()
    assert lines[0].startswith("#meta=>")
    carriers = sorted({(c["dataset_id"], c["biosample_id"]) for c in matching})
    assert f"biosample_count={len(carriers)}" in lines[0]
    sample_lines = lines[1 : 1 + len(carriers)]
    population = {(c["dataset_id"], c["biosample_id"]): c["population"] for c in matching}
    assert [line.split(";")[:3] for line in sample_lines] == [
        [f"#sample=>biosample_id={b}", f"dataset_id={d}", f"group_id={population[d, b] or 'NA'}"]
        for d, b in carriers
    ]
    lines = [lines[0], *lines[1 + len(carriers) :]]
    assert lines[1].split("\t") == [
        "biosample_id",
        "reference_name",
        "start",
        "end",
        "log2",
        "variant_type",
        "reference_sequence",
        "sequence",
        "variant_state_id",
        "variant_state_label",
    ]
    rows = [line.split("\t") for line in lines[2:]]
    assert len(rows) == len(matching)
    for row, call in zip(rows, matching, strict=True):
        assert row[:4] == [call["biosample_id"], "1", str(call["start"]), str(call["end"])]
        assert row[5] == call["variant_type"]
        assert row[8] == call["efo_id"]
        ratio = call["copy_ratio"]
        if ratio is None:
            assert row[4] == "."
        else:
            clamped = min(max(math.log2(ratio) if ratio > 0 else -3.0, -3.0), 3.0)
            assert row[4] == f"{clamped:.4f}"
    assert any(row[4] == "-3.0000" for row in rows) or all(
        (c["copy_ratio"] or 1) > 0.125 for c in matching
    )
