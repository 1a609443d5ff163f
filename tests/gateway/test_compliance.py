"""Offline Beacon v2.1.1 compliance: every framework response, every endpoint /map lists (GET
and POST, each granularity), every error, and every returned record (against its entity's
default schema: the envelope schemas do not check records), with the official schemas and
no network. Negative controls show the validation can fail."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from aiohttp import ClientSession

from tests.gateway.schema_validation import ValidationError, validate
from tests.gateway.stacks import ONE_KGP, Stack, vcf_records

pytestmark = pytest.mark.integration

RESPONSES = "framework/json/responses"
MODEL = "models/json/beacon-v2-default-model"
RECORD_SCHEMAS = {
    "genomicVariant": f"{MODEL}/genomicVariations/defaultSchema.json",
    "individual": f"{MODEL}/individuals/defaultSchema.json",
    "biosample": f"{MODEL}/biosamples/defaultSchema.json",
    "analysis": f"{MODEL}/analyses/defaultSchema.json",
    "run": f"{MODEL}/runs/defaultSchema.json",
    "dataset": f"{MODEL}/datasets/defaultSchema.json",
    "cohort": f"{MODEL}/cohorts/defaultSchema.json",
}
ENVELOPES = {
    "boolean": f"{RESPONSES}/beaconBooleanResponse.json",
    "count": f"{RESPONSES}/beaconCountResponse.json",
    "record": f"{RESPONSES}/beaconResultsetsResponse.json",
}
COLLECTIONS = f"{RESPONSES}/beaconCollectionsResponse.json"
ERROR = f"{RESPONSES}/beaconErrorResponse.json"
# A range holding HG00096's first DRAGEN call, so that variant queries find records.
RANGE = {"referenceName": "chr1", "start": "2650000", "end": "2700000"}


def known_ids() -> dict[str, str]:
    """An id of each entry type that exists in the stack's data."""
    first = vcf_records()[0]
    direction = "DEL" if first.alt == "<DEL>" else "DUP"
    return {
        "genomicVariant": f"GRCh38:{first.chrom.removeprefix('chr')}:{first.start}-{first.end}"
        f":{direction}",
        "individual": "HG00096",
        "biosample": "HG00096",
        "analysis": "HG00096.cnv",
        "run": "HG00096.run",
        "dataset": ONE_KGP,
        "cohort": "GBR",
    }


async def fetch(
    session: ClientSession,
    url: str,
    params: Mapping[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    if body is not None:
        async with session.post(url, json=body) as response:
            return response.status, await response.json()
    async with session.get(url, params=params) as response:
        return response.status, await response.json()


def records_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    response = document.get("response", {})
    if "collections" in response:
        return list(response["collections"])
    return [record for s in response.get("resultSets", []) for record in s["results"]]


def check_query_response(document: dict[str, Any], entry_type: str) -> list[dict[str, Any]]:
    """Validate an entry-type response (envelope by its granularity, records by entity) and
    return its records."""
    granularity = document["meta"]["returnedGranularity"]
    collection = entry_type in ("dataset", "cohort")
    validate(
        document, COLLECTIONS if collection and granularity == "record" else ENVELOPES[granularity]
    )
    schemas = document["meta"]["returnedSchemas"]
    assert [s["entityType"] for s in schemas] == [entry_type]
    records = records_of(document)
    for record in records:
        validate(record, RECORD_SCHEMAS[entry_type])
    if granularity != "record":
        assert records == []
    return records


async def test_framework_endpoints_validate(stack: Stack) -> None:
    async with ClientSession() as session:
        for path, schema in (
            ("", "beaconInfoResponse.json"),
            ("/", "beaconInfoResponse.json"),
            ("/info", "beaconInfoResponse.json"),
            ("/service-info", "ga4gh-service-info-1-0-0-schema.json"),
            ("/configuration", "beaconConfigurationResponse.json"),
            ("/map", "beaconMapResponse.json"),
            ("/entry_types", "beaconEntryTypesResponse.json"),
            ("/filtering_terms", "beaconFilteringTermsResponse.json"),
        ):
            status, document = await fetch(session, stack.api + path)
            assert status == 200, (path, document)
            validate(document, f"{RESPONSES}/{schema}")
        _, configuration = await fetch(session, f"{stack.api}/configuration")
        _, entry_types = await fetch(session, f"{stack.api}/entry_types")
        assert set(entry_types["response"]["entryTypes"]) == set(RECORD_SCHEMAS)
        assert configuration["response"]["securityAttributes"]["defaultGranularityPerDataset"] == {
            "controlled": "count"
        }


async def test_every_endpoint_of_the_map_answers_valid_responses(stack: Stack) -> None:
    ids = known_ids()
    records_seen: dict[str, int] = dict.fromkeys(RECORD_SCHEMAS, 0)
    urls_answered = 0
    async with ClientSession() as session:
        _, beacon_map = await fetch(session, f"{stack.api}/map")
        for endpoint_set in beacon_map["response"]["endpointSets"].values():
            entry_type = endpoint_set["entryType"]
            root = stack.local(endpoint_set["rootUrl"])
            single = stack.local(endpoint_set["singleEntryUrl"]).replace("{id}", ids[entry_type])
            status, terms = await fetch(session, stack.local(endpoint_set["filteringTermsUrl"]))
            assert status == 200
            validate(terms, f"{RESPONSES}/beaconFilteringTermsResponse.json")
            openapi_status, _ = await fetch(
                session, stack.local(endpoint_set["openAPIEndpointsDefinition"])
            )
            assert openapi_status == 200
            for granularity in ("boolean", "count", "record"):
                status, document = await fetch(
                    session, root, {"requestedGranularity": granularity, "limit": "3"}
                )
                assert status == 200, (root, document)
                assert document["meta"]["returnedGranularity"] == granularity
                records_seen[entry_type] += len(check_query_response(document, entry_type))
            post = {"query": {"requestedGranularity": "record", "pagination": {"limit": 2}}}
            status, document = await fetch(session, root, body=post)
            assert status == 200, (root, document)
            records_seen[entry_type] += len(check_query_response(document, entry_type))
            status, document = await fetch(session, single, {"requestedGranularity": "record"})
            assert status == 200, (single, document)
            found = check_query_response(document, entry_type)
            assert found, f"{single} found nothing"
            records_seen[entry_type] += len(found)
            urls_answered += 5
            for endpoint in endpoint_set["endpoints"].values():
                url = stack.local(endpoint["url"]).replace("{id}", ids[entry_type])
                returned = endpoint["returnedEntryType"]
                status, document = await fetch(session, url, {"requestedGranularity": "count"})
                assert status == 200, (url, document)
                check_query_response(document, returned)
                status, document = await fetch(session, url, body=post)
                assert status == 200, (url, document)
                records_seen[returned] += len(check_query_response(document, returned))
                urls_answered += 1
    assert all(records_seen.values()), records_seen
    assert urls_answered == 7 * 5 + 30


async def test_variant_queries_validate_at_every_granularity(stack: Stack) -> None:
    async with ClientSession() as session:
        for granularity in ("boolean", "count", "record"):
            params = {
                **RANGE,
                "requestedGranularity": granularity,
                "includeResultsetResponses": "ALL",
            }
            status, document = await fetch(session, f"{stack.api}/g_variants", params)
            assert status == 200
            records = check_query_response(document, "genomicVariant")
            assert document["responseSummary"]["exists"] is True
            if granularity != "boolean":
                assert document["responseSummary"]["numTotalResults"] > 0
                assert [s["id"] for s in document["response"]["resultSets"]] == [
                    ONE_KGP,
                    "controlled",
                ]
            if granularity == "record":
                assert records
                assert document["beaconHandovers"]


BAD_REQUESTS: list[tuple[str, dict[str, str], int, str]] = [
    ("/g_variants", {"referenceName": "chr99", "start": "1", "end": "10"}, 400, "chr99"),
    ("/g_variants", {"referenceName": "1", "start": "10", "end": "5"}, 400, "start"),
    ("/g_variants", {"referenceName": "1", "start": "-1", "end": "5"}, 400, "start"),
    ("/g_variants", {"referenceName": "1", "start": "1,2,3", "end": "5"}, 400, "start"),
    ("/g_variants", {"referenceName": "1", "start": "1", "end": "5", "bogus": "1"}, 400, "bogus"),
    ("/g_variants", {"filters": "NCIT:C0000000"}, 400, "NCIT:C0000000"),
    ("/g_variants", {"filters": "sex=robot"}, 400, "robot"),
    ("/g_variants", {"variantType": "SNP"}, 400, "SNP"),
    ("/g_variants", {"requestedGranularity": "everything"}, 400, "requestedGranularity"),
    ("/g_variants", {"datasetIds": "nope"}, 400, "nope"),
    ("/g_variants", {"assemblyId": "hg17"}, 400, "hg17"),
    ("/g_variants", {"referenceBases": "A"}, 400, "referenceBases"),
    ("/g_variants", {"limit": "-3"}, 400, "limit"),
    ("/g_variants", {"geneId": "NOSUCHGENE1"}, 400, "NOSUCHGENE1"),
    ("/g_variants/GRCh38:1:1-2:DEL", {}, 404, "GRCh38:1:1-2:DEL"),
    ("/g_variants/not-a-variant-id", {}, 400, "not-a-variant-id"),
    ("/individuals/NOBODY", {}, 404, "NOBODY"),
    ("/biosamples/NOBODY/g_variants", {}, 404, "NOBODY"),
    ("/analyses/HG00096", {}, 404, "HG00096"),
    ("/runs/NOBODY.run", {}, 404, "NOBODY.run"),
    ("/datasets/nope", {}, 404, "nope"),
    ("/cohorts/XYZ/individuals", {}, 404, "XYZ"),
    ("/datasets", {"referenceName": "1", "start": "1", "end": "2"}, 400, "referenceName"),
    ("/no_such_endpoint", {}, 404, "no_such_endpoint"),
    ("/resolve", {"q": "chr1:500-100"}, 400, "start"),
    ("/resolve", {"q": "nonsense!"}, 400, "nonsense"),
    ("/exports/variants", {"chrom": "1", "format": "xls"}, 400, "format"),
    ("/query/calls", {"chrom": "1", "datasets": "controlled"}, 403, "controlled"),
]


@pytest.mark.parametrize(("path", "params", "status", "fragment"), BAD_REQUESTS)
async def test_errors_are_schema_valid_beacon_errors(
    stack: Stack, path: str, params: dict[str, str], status: int, fragment: str
) -> None:
    async with ClientSession() as session:
        answered, document = await fetch(session, stack.api + path, params)
    assert answered == status, document
    validate(document, ERROR)
    assert document["error"]["errorCode"] == status
    assert fragment in document["error"]["errorMessage"]
    meta = document["meta"]
    assert meta["returnedGranularity"] == "boolean"
    validate(
        meta["receivedRequestSummary"], f"{RESPONSES}/sections/beaconReceivedRequestSummary.json"
    )


async def test_bad_post_bodies_and_methods_are_beacon_errors(stack: Stack) -> None:
    async with ClientSession() as session:
        async with session.post(f"{stack.api}/g_variants", data=b"{not json") as response:
            assert response.status == 400
            validate(await response.json(), ERROR)
        bodies: list[tuple[dict[str, Any], str]] = [
            ({"query": {"requestParameters": {"start": [1], "end": [5]}}}, "referenceName"),
            ({"query": {"pagination": {"skip": -1}}}, "skip"),
            (
                {"query": {"filters": [{"id": "EFO:0030067", "includeDescendantTerms": False}]}},
                "EFO:0030067",
            ),
            ({"query": {"unknownMember": 1}}, "unknownMember"),
        ]
        for body, fragment in bodies:
            status, document = await fetch(session, f"{stack.api}/g_variants", body=body)
            assert status == 400, (body, document)
            validate(document, ERROR)
            assert fragment in document["error"]["errorMessage"]
        async with session.delete(f"{stack.api}/g_variants") as response:
            assert response.status == 405
            validate(await response.json(), ERROR)
        async with session.post(f"{stack.api}/info", json={}) as response:
            assert response.status == 405
            validate(await response.json(), ERROR)


Breakage = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Breakage:
    def breaks(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return breaks


def _delete(path: list[Any]) -> Breakage:
    def breaks(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return breaks


async def test_negative_controls_the_validation_can_fail(stack: Stack) -> None:
    """Real responses and records, each broken in one way the schemas forbid."""
    async with ClientSession() as session:
        _, records = await fetch(
            session, f"{stack.api}/g_variants", {**RANGE, "requestedGranularity": "record"}
        )
        _, counted = await fetch(
            session, f"{stack.api}/g_variants", {**RANGE, "requestedGranularity": "count"}
        )
        _, individuals = await fetch(
            session, f"{stack.api}/individuals", {"requestedGranularity": "record", "limit": "1"}
        )
        _, error = await fetch(session, f"{stack.api}/individuals/NOBODY")
        _, info = await fetch(session, f"{stack.api}/info")
    variant = records["response"]["resultSets"][0]["results"][0]
    individual = individuals["response"]["resultSets"][0]["results"][0]
    cases: list[tuple[dict[str, Any], str, Breakage]] = [
        (counted, ENVELOPES["count"], _set(["responseSummary", "numTotalResults"], "3")),
        (counted, ENVELOPES["count"], _delete(["meta", "receivedRequestSummary"])),
        (records, ENVELOPES["record"], _delete(["response", "resultSets", 0, "resultsCount"])),
        (records, ENVELOPES["record"], _set(["meta", "returnedGranularity"], "everything")),
        (variant, RECORD_SCHEMAS["genomicVariant"], _delete(["variation"])),
        (variant, RECORD_SCHEMAS["genomicVariant"], _set(["variation", "copy_change"], "loss")),
        (variant, RECORD_SCHEMAS["genomicVariant"], _set(["caseLevelData", 0, "zygosity"], "hom")),
        (individual, RECORD_SCHEMAS["individual"], _delete(["sex"])),
        (error, ERROR, _delete(["error", "errorCode"])),
        (info, f"{RESPONSES}/beaconInfoResponse.json", _delete(["meta", "beaconId"])),
    ]
    for document, schema, breaks in cases:
        validate(document, schema)
        broken = copy.deepcopy(document)
        breaks(broken)
        with pytest.raises(ValidationError):
            validate(broken, schema)
