"""Golden tests: HG00096's real DRAGEN calls, through the real ingest, query service and
gateway, against brute force over the VCF file itself (read without our parser) and the
1kGP sample table."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from aiohttp import ClientSession

from cnvbeacon.shared.reference import cytoband_region, load_1kgp_samples
from tests.gateway.conftest import CONTROLLED
from tests.gateway.schema_validation import validate
from tests.gateway.stacks import ONE_KGP, Stack, VcfRecord, vcf_records
from tests.support.services import wait_for

pytestmark = pytest.mark.integration

RECORDS = vcf_records()
GENOMIC_VARIATION = "models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json"
SAMPLES = load_1kgp_samples("1000 Genomes 30x on GRCh38")
Span = tuple[str, int, int]


def span(record: VcfRecord) -> Span:
    return (record.chrom.removeprefix("chr"), record.start, record.end)


def record_span(result: dict[str, Any]) -> Span:
    interval = result["variation"]["subject"]["interval"]
    chrom = result["variantInternalId"].split(":")[1]
    return (chrom, interval["start"]["value"], interval["end"]["value"])


def overlapping(chrom: str, start: int, end: int) -> list[VcfRecord]:
    return [r for r in RECORDS if r.chrom == chrom and r.start < end and r.end > start]


async def beacon(
    session: ClientSession, stack: Stack, params: dict[str, str], path: str = "/g_variants"
) -> dict[str, Any]:
    query = {"datasetIds": ONE_KGP, "requestedGranularity": "record", "limit": "1000", **params}
    async with session.get(stack.api + path, params=query) as response:
        body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    return body


def results(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for s in body["response"]["resultSets"] for r in s["results"]]


async def spans(session: ClientSession, stack: Stack, params: dict[str, str]) -> list[Span]:
    body = await beacon(session, stack, params)
    found = results(body)
    assert body["responseSummary"]["numTotalResults"] == len(found)
    for result in found:
        validate(result, GENOMIC_VARIATION)
    return sorted(record_span(r) for r in found)


def expected(records: list[VcfRecord]) -> list[Span]:
    return sorted(span(r) for r in records)


async def test_a_range_query_returns_a_known_homozygous_dragen_loss(stack: Stack) -> None:
    loss = next(r for r in RECORDS if r.alt == "<DEL>" and r.copy_number == 0)
    assert loss.genotype == "1/1"
    async with ClientSession() as session:
        body = await beacon(
            session,
            stack,
            {"referenceName": loss.chrom, "start": str(loss.start + 1), "end": str(loss.start + 2)},
        )
    (result,) = [r for r in results(body) if record_span(r) == span(loss)]
    validate(result, GENOMIC_VARIATION)
    chrom = loss.chrom.removeprefix("chr")
    assert result["variantInternalId"] == f"GRCh38:{chrom}:{loss.start}-{loss.end}:DEL"
    assert result["variation"]["type"] == "CopyNumberChange"
    assert result["variation"]["copy_change"] == "efo:0030069"  # complete genomic deletion
    (case,) = result["caseLevelData"]
    assert case["biosampleId"] == "HG00096"
    assert case["zygosity"] == {"id": "GENO:0000136", "label": "homozygous"}
    assert case["copyNumber"] == 0
    assert case["copyNumberChange"]["id"] == "EFO:0030069"
    assert {i["id"] for i in result["identifiers"]["variantAlternativeIds"]} == {loss.vcf_id}
    # 3,202 individuals are registered, HG00096 alone has data: it is every denominator,
    # and no other group has a frequency. A homozygous loss: both alleles of its one
    # individual (allele frequency 1), one carrier of one individual.
    frequencies = {f["population"]: f for f in result["frequencyInPopulations"][0]["frequencies"]}
    assert len(SAMPLES) == 3202
    assert set(frequencies) == {"all", "EUR", "GBR"}
    for frequency in frequencies.values():
        assert frequency["alleleFrequency"] == 1.0
        assert (frequency["alleleCount"], frequency["alleleNumber"]) == (2, 2)
        assert (frequency["carriers"], frequency["individuals"]) == (1, 1)
        assert frequency["carrierFrequency"] == 1.0


async def test_a_heterozygous_one_copy_loss_is_a_low_level_loss(stack: Stack) -> None:
    loss = next(r for r in RECORDS if r.alt == "<DEL>" and r.genotype == "0/1")
    assert loss.copy_number == 1
    async with ClientSession() as session:
        body = await beacon(
            session,
            stack,
            {"referenceName": loss.chrom, "start": str(loss.start), "end": str(loss.end)},
        )
    (result,) = [r for r in results(body) if record_span(r) == span(loss)]
    assert result["variation"]["copy_change"] == "efo:0030068"
    assert result["caseLevelData"][0]["zygosity"]["id"] == "GENO:0000135"


WINDOWS = [("chr1", 0, 30_000_000), ("chr2", 100_000_000, 180_000_000), ("chrX", 0, 156_030_895)]


@pytest.mark.parametrize(("chrom", "start", "end"), WINDOWS)
async def test_range_queries_select_what_brute_force_selects(
    stack: Stack, chrom: str, start: int, end: int
) -> None:
    want = expected(overlapping(chrom, start, end))
    assert want, "a window without calls tests nothing"
    accession = {"chr1": "NC_000001.11", "chr2": "NC_000002.12", "chrX": "NC_000023.11"}[chrom]
    async with ClientSession() as session:
        for name in (chrom, chrom.removeprefix("chr"), accession, f"refseq:{accession}"):
            params = {"referenceName": name, "start": str(start), "end": str(end)}
            assert await spans(session, stack, {**params, "assemblyId": "GRCh38"}) == want


async def test_bracket_queries_select_what_brute_force_selects(stack: Stack) -> None:
    async with ClientSession() as session:
        for record in RECORDS[::97]:
            s0, s1 = record.start - 20_000, record.start + 1
            e0, e1 = record.end, record.end + 50_000
            want = expected(
                [
                    r
                    for r in RECORDS
                    if r.chrom == record.chrom and s0 <= r.start < s1 and e0 <= r.end < e1
                ]
            )
            assert span(record) in want
            params = {"referenceName": record.chrom, "start": f"{s0},{s1}", "end": f"{e0},{e1}"}
            assert await spans(session, stack, params) == want
            # The upper bounds are exclusive: a bracket ending at the variant's end misses it.
            params["end"] = f"{e0 - 10},{record.end}"
            assert span(record) not in await spans(session, stack, params)


@pytest.mark.parametrize(
    ("minimum", "maximum", "variant_type"),
    [(10_000, None, None), (None, 5_000, None), (2_000, 20_000, "DEL"), (50_000, None, "DUP")],
)
async def test_length_limits_select_what_brute_force_selects(
    stack: Stack, minimum: int | None, maximum: int | None, variant_type: str | None
) -> None:
    alt = {"DEL": "<DEL>", "DUP": "<DUP>", None: None}[variant_type]
    want = expected(
        [
            r
            for r in overlapping("chr1", 0, 250_000_000)
            if (minimum is None or r.length >= minimum)
            and (maximum is None or r.length <= maximum)
            and (alt is None or r.alt == alt)
        ]
    )
    params = {"referenceName": "chr1", "start": "0", "end": "250000000"}
    if minimum is not None:
        params["variantMinLength"] = str(minimum)
    if maximum is not None:
        params["variantMaxLength"] = str(maximum)
    if variant_type is not None:
        params["variantType"] = variant_type
    async with ClientSession() as session:
        assert await spans(session, stack, params) == want


async def test_variant_types_and_efo_terms_with_their_children(stack: Stack) -> None:
    on_chr1 = overlapping("chr1", 0, 250_000_000)
    losses = [r for r in on_chr1 if r.alt == "<DEL>"]
    gains = [r for r in on_chr1 if r.alt == "<DUP>"]
    complete = [r for r in losses if r.copy_number == 0]
    assert losses
    assert gains
    assert complete
    cases = {
        "DEL": losses,
        "EFO:0030067": losses,
        "DUP": gains,
        "EFO:0030070": gains,
        "EFO:0030066": on_chr1,
        "CNV": on_chr1,
        "EFO:0030069": complete,
    }
    async with ClientSession() as session:
        for variant_type, want in cases.items():
            params = {"referenceName": "chr1", "variantType": variant_type}
            assert await spans(session, stack, params) == expected(want), variant_type
            as_filter = {"referenceName": "chr1", "filters": variant_type}
            if variant_type.startswith("EFO"):
                assert await spans(session, stack, as_filter) == expected(want)


async def test_gene_and_cytoband_queries(stack: Stack) -> None:
    band = cytoband_region("1p36.32", "GRCh38")
    async with ClientSession() as session:
        got = await spans(session, stack, {"cytoBand": "1p36.32"})
        assert got == expected(overlapping("chr1", band.start, band.end))
        assert got
        brca1 = await spans(session, stack, {"geneId": "BRCA1"})
        assert brca1 == expected(overlapping("chr17", 43_044_294, 43_170_245))


async def test_pages_skip_whole_pages_and_cover_the_result(stack: Stack) -> None:
    params = {"referenceName": "chr1", "start": "0", "end": "250000000"}
    want = expected(overlapping("chr1", 0, 250_000_000))
    pages: list[Span] = []
    async with ClientSession() as session:
        for skip in range(len(want) // 7 + 2):
            body = await beacon(session, stack, {**params, "limit": "7", "skip": str(skip)})
            assert body["responseSummary"]["numTotalResults"] == len(want)
            found = [record_span(r) for r in results(body)]
            assert len(found) == min(7, max(len(want) - 7 * skip, 0))
            pages += found
    assert pages == want  # genome order, each once


async def test_post_answers_as_get(stack: Stack) -> None:
    params = {"referenceName": "chr2", "start": "0", "end": "100000000", "variantType": "DEL"}
    body = {
        "meta": {"apiVersion": "v2.1.1"},
        "query": {
            "requestParameters": {
                "referenceName": "chr2",
                "start": [0],
                "end": [100_000_000],
                "variantType": "DEL",
                "datasetIds": [ONE_KGP],
            },
            "filters": [{"id": "NCIT:C20197"}],
            "pagination": {"skip": 0, "limit": 1000},
            "requestedGranularity": "record",
        },
    }
    async with ClientSession() as session:
        got = await beacon(session, stack, {**params, "filters": "NCIT:C20197"})
        async with session.post(f"{stack.api}/g_variants", json=body) as response:
            posted = await response.json()
    assert results(posted) == results(got)
    assert len(results(got)) == len(
        [r for r in overlapping("chr2", 0, 100_000_000) if r.alt == "<DEL>"]
    )


@pytest.mark.parametrize(
    ("filters", "all_of_them"),
    [
        ("NCIT:C20197", True),  # male: HG00096 is
        ("NCIT:C16576", False),
        ("sex=male", True),
        ("population:GBR", True),
        ("superpopulation:EUR", True),
        ("population=YRI", False),
        ("population!GBR", False),
        ("superpopulation!AFR", True),
        ("population:GBR,sex=female", False),
    ],
)
async def test_filters_on_the_carrier(stack: Stack, filters: str, all_of_them: bool) -> None:
    params = {"referenceName": "chr1", "filters": filters}
    async with ClientSession() as session:
        got = await spans(session, stack, params)
    assert got == (expected(overlapping("chr1", 0, 250_000_000)) if all_of_them else [])


async def test_result_sets_per_dataset_granularity_and_include(stack: Stack) -> None:
    hits = {"referenceName": "chr1", "start": "0", "end": "3000000", "datasetIds": ""}
    want = len(overlapping("chr1", 0, 3_000_000))
    async with ClientSession() as session:
        for include, listed in (
            ("ALL", [ONE_KGP, CONTROLLED]),
            ("HIT", [ONE_KGP, CONTROLLED]),
            ("MISS", []),
            ("NONE", []),
        ):
            body = await beacon(session, stack, {**hits, "includeResultsetResponses": include})
            assert [s["id"] for s in body["response"]["resultSets"]] == listed
            assert body["responseSummary"] == {"exists": True, "numTotalResults": 2 * want}
        body = await beacon(session, stack, {**hits, "includeResultsetResponses": "ALL"})
        open_set, controlled = body["response"]["resultSets"]
        assert open_set["resultsCount"] == len(open_set["results"]) == want
        assert controlled["resultsCount"] == want
        assert controlled["results"] == []
        assert controlled["info"]["returnedGranularity"] == "count"
        only_controlled = await beacon(session, stack, {**hits, "datasetIds": CONTROLLED})
        assert only_controlled["meta"]["returnedGranularity"] == "count"
        empty = {"referenceName": "chrY", "start": "0", "end": "100", "datasetIds": ""}
        body = await beacon(session, stack, {**empty, "includeResultsetResponses": "MISS"})
        assert [s["id"] for s in body["response"]["resultSets"]] == [ONE_KGP, CONTROLLED]
        assert body["responseSummary"] == {"exists": False, "numTotalResults": 0}


async def test_individuals_biosamples_and_cross_entity_paths(stack: Stack) -> None:
    by_population = Counter(s.population_code for s in SAMPLES)
    females = sum(1 for s in SAMPLES if s.sex == "female")
    dels = [r for r in RECORDS if r.alt == "<DEL>"]
    async with ClientSession() as session:
        gbr = await beacon(
            session, stack, {"filters": "population:GBR", "limit": "0"}, "/individuals"
        )
        assert gbr["responseSummary"]["numTotalResults"] == by_population["GBR"]
        assert {r["ethnicity"]["id"] for r in results(gbr)} == {"population:GBR"}
        female = await beacon(
            session, stack, {"filters": "sex=female", "assemblyId": "hg38"}, "/individuals"
        )
        assert female["responseSummary"]["numTotalResults"] == females
        cohort = await beacon(session, stack, {"limit": "1"}, "/cohorts/GBR/individuals")
        assert cohort["responseSummary"]["numTotalResults"] == by_population["GBR"]
        (person,) = results(await beacon(session, stack, {}, "/individuals/HG00096"))
        assert person["sex"] == {"id": "NCIT:C20197", "label": "male"}
        assert person["ethnicity"]["id"] == "population:GBR"
        own = await beacon(session, stack, {"limit": "5"}, "/individuals/HG00096/g_variants")
        assert own["responseSummary"]["numTotalResults"] == len(RECORDS)
        own_dels = await beacon(
            session, stack, {"variantType": "DEL", "limit": "0"}, "/biosamples/HG00096/g_variants"
        )
        assert own_dels["responseSummary"]["numTotalResults"] == len(dels)
        variant = results(own)[0]["variantInternalId"]
        carriers = await beacon(session, stack, {}, f"/g_variants/{variant}/biosamples")
        assert [b["id"] for b in results(carriers)] == ["HG00096"]
        carriers_of_elsewhere = await beacon(
            session, stack, {"filters": "sex=female"}, f"/g_variants/{variant}/individuals"
        )
        assert carriers_of_elsewhere["responseSummary"]["numTotalResults"] == 0
        with_calls = await beacon(session, stack, {}, "/analyses")
        assert [a["id"] for a in results(with_calls)] == ["HG00096.cnv"]
        carriers_in_range = await beacon(
            session,
            stack,
            {"referenceName": "chr1", "start": "0", "end": "3000000", "limit": "0"},
            "/individuals",
        )
        assert carriers_in_range["responseSummary"]["numTotalResults"] == 1


async def test_handovers_stream_the_exports_of_the_result(stack: Stack) -> None:
    chrom, start, end = "chr1", 0, 30_000_000
    want = overlapping(chrom, start, end)
    async with ClientSession() as session:
        body = await beacon(session, stack, {"referenceName": chrom, "start": "0", "end": str(end)})
        handovers = {h["handoverType"]["label"]: h["url"] for h in body["beaconHandovers"]}
        assert set(handovers) >= {"VCF", "BED", "TSV", "Progenetix segments (pgxseg)"}
        async with session.get(stack.local(handovers["BED"])) as response:
            assert response.status == 200
            track, *bed = (await response.text()).splitlines()
        assert track.startswith("track ")
        assert sorted(tuple(line.split("\t")[:3]) for line in bed) == sorted(
            (r.chrom, str(r.start), str(r.end)) for r in want
        )
        async with session.get(stack.local(handovers["VCF"])) as response:
            assert response.status == 200
            vcf = await response.text()
        assert vcf.startswith("##fileformat=VCF")
        assert len([line for line in vcf.splitlines() if not line.startswith("#")]) == len(want)
        assert handovers["cnvbeacon web UI"].startswith(f"{stack.public_url}/?")
        own = await beacon(
            session,
            stack,
            {"referenceName": chrom, "start": "0", "end": str(end)},
            "/individuals/HG00096/g_variants",
        )
        (bed_of_own,) = [h for h in own["beaconHandovers"] if h["handoverType"]["label"] == "BED"]
        assert "biosample_id=HG00096" in bed_of_own["url"]
        async with session.get(stack.local(bed_of_own["url"])) as response:
            assert len((await response.text()).splitlines()) == 1 + len(want)  # + track line


async def test_own_lookups_pass_through_and_hide_count_only_datasets(stack: Stack) -> None:
    on_chr1 = overlapping("chr1", 0, 250_000_000)
    async with ClientSession() as session:
        async with session.get(
            f"{stack.api}/query/calls", params={"chrom": "1", "limit": "5"}
        ) as response:
            calls = await response.json()
        assert response.status == 200
        # The count-only dataset holds the same calls: only the open dataset's are listed.
        assert calls["counts"]["calls"] == len(on_chr1)
        assert {c["dataset_id"] for c in calls["calls"]} == {ONE_KGP}
        async with session.get(f"{stack.api}/query/counts", params={"chrom": "1"}) as response:
            counts = await response.json()
        assert counts["counts"]["calls"] == 2 * len(on_chr1)
        async with session.get(
            f"{stack.api}/exports/calls", params={"chrom": "1", "format": "tsv"}
        ) as response:
            assert response.headers["Content-Type"].startswith("text/tab-separated-values")
            lines = (await response.text()).splitlines()
        assert len(lines) == 1 + len(on_chr1)


@pytest.mark.parametrize(
    ("text", "kind", "region"),
    [
        ("chr1:1,000,000-2,000,000", "region", ("1", 1_000_000, 2_000_000)),
        ("1:1000000-2000000", "region", ("1", 1_000_000, 2_000_000)),
        ("NC_000001.11:5-10", "region", ("1", 5, 10)),
        ("chrX", "chromosome", ("X", 0, 156_040_895)),
        ("BRCA1", "gene", ("17", 43_044_294, 43_170_245)),
        ("brca1", "gene", ("17", 43_044_294, 43_170_245)),
        ("GRCh38:1:2650427-2651463:DEL", "variant", ("1", 2_650_427, 2_651_463)),
    ],
)
async def test_resolve_search_box_texts(
    stack: Stack, text: str, kind: str, region: tuple[str, int, int]
) -> None:
    async with (
        ClientSession() as session,
        session.get(f"{stack.api}/resolve", params={"q": text}) as response,
    ):
        body = await response.json()
    assert response.status == 200, body
    assert body["kind"] == kind
    assert (body["chrom"], body["start"], body["end"]) == region


async def test_resolve_cytobands_and_helpful_errors_and_gene_suggestions(stack: Stack) -> None:
    band = cytoband_region("17q21.31", "GRCh38")
    async with ClientSession() as session:
        async with session.get(f"{stack.api}/resolve", params={"q": "17q21.31"}) as response:
            body = await response.json()
        assert (body["kind"], body["chrom"], body["start"], body["end"]) == (
            "cytoband",
            "17",
            band.start,
            band.end,
        )
        async with session.get(f"{stack.api}/resolve", params={"q": "BRC"}) as response:
            error = await response.json()
        assert response.status == 400
        assert "BRCA1" in error["error"]["errorMessage"]
        async with session.get(f"{stack.api}/genes/suggest", params={"prefix": "brca"}) as response:
            suggestions = await response.json()
        symbols = [g["symbol"] for g in suggestions["genes"]]
        assert symbols[:2] == ["BRCA1", "BRCA2"]
        assert suggestions["genes"][0]["chrom"] == "17"


async def test_analyses_and_their_svg_plots_pass_through(stack: Stack) -> None:
    async def computed() -> dict[str, Any] | None:
        async with session.get(f"{stack.api}/query/analyses/{ONE_KGP}") as response:
            body: dict[str, Any] = await response.json()
        assert response.status == 200, body
        return body if body.get("computed_at") else None

    async with ClientSession() as session:
        async with session.get(f"{stack.api}/query/analyses") as response:
            listed = await response.json()
        assert {d["dataset_id"] for d in listed["datasets"]} >= {ONE_KGP, CONTROLLED}
        await wait_for(computed, timeout=120, what="the analysis of the dataset")
        async with session.get(f"{stack.api}/query/analyses/{ONE_KGP}/plots/sizes.svg") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("image/svg+xml")
            assert (await response.text()).lstrip().startswith(("<svg", "<?xml"))
        async with session.get(
            f"{stack.api}/query/analyses/{ONE_KGP}/plots/nothing.svg"
        ) as response:
            error = await response.json()
        assert response.status == 404
        validate(error, "framework/json/responses/beaconErrorResponse.json")


async def test_genes_in_a_region_and_a_samples_calls(stack: Stack) -> None:
    async with ClientSession() as session:
        params = {"chrom": "chr17", "start": "43044294", "end": "43125483"}
        async with session.get(f"{stack.api}/genes", params=params) as response:
            body = await response.json()
        assert response.status == 200, body
        symbols = [g["symbol"] for g in body["genes"]]
        assert "BRCA1" in symbols
        assert all(g["chrom"] == "17" for g in body["genes"])
        assert [g["start"] for g in body["genes"]] == sorted(g["start"] for g in body["genes"])
        coding = {**params, "protein_coding": "true"}
        async with session.get(f"{stack.api}/genes", params=coding) as response:
            only_coding = (await response.json())["genes"]
        assert {g["gene_type"] for g in only_coding} == {"protein_coding"}
        too_wide = {"chrom": "1", "start": "0", "end": "30000000"}
        async with session.get(f"{stack.api}/genes", params=too_wide) as response:
            assert response.status == 400
            validate(await response.json(), "framework/json/responses/beaconErrorResponse.json")

        async with session.get(
            f"{stack.api}/query/biosamples/HG00096/calls", params={"limit": "1000"}
        ) as response:
            calls = await response.json()
        assert response.status == 200, calls
        assert calls["counts"]["calls"] == len(vcf_records())
        assert {c["biosample_id"] for c in calls["calls"]} == {"HG00096"}


async def test_a_dataset_with_data_for_few_of_its_individuals_says_so(stack: Stack) -> None:
    async with ClientSession() as session:
        body = await beacon(session, stack, {"datasetIds": ""}, path="/datasets")
    (dataset,) = [d for d in body["response"]["collections"] if d["id"] == ONE_KGP]
    info = dataset["info"]
    assert (info["individualsWithData"], info["registeredIndividuals"]) == (1, 3202)
    assert info["dataNote"] == (
        "1 of the 3202 registered individuals have data; frequencies count only those"
    )


async def test_a_limit_above_the_maximum_is_capped_and_said(stack: Stack) -> None:
    params = {"referenceName": "chr1", "start": "0", "end": "248956422", "limit": "5000"}
    async with ClientSession() as session:
        body = await beacon(session, stack, params)
    found = results(body)
    assert len(found) == len(overlapping("chr1", 0, 248_956_422))
    assert body["meta"]["receivedRequestSummary"]["pagination"]["limit"] == 5000
    (warning,) = body["info"]["warnings"]
    assert "limit 5000 is above this Beacon's maximum page size" in warning
