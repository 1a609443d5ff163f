"""Merging member Beacons' answers (pure): sums, tags, reports, unions, malformed answers."""

from __future__ import annotations

from typing import Any

import pytest

from cnvbeacon.gateway.beacon.aggregation import (
    MemberAnswer,
    MemberStatus,
    malformed,
    malformed_filtering_terms,
    merge_filtering_terms,
    merge_query_responses,
)


def answer(beacon_id: str, count: int | None, sets: list[str]) -> dict[str, Any]:
    summary: dict[str, Any] = {"exists": bool(count)}
    if count is not None:
        summary["numTotalResults"] = count
    return {
        "meta": {"beaconId": beacon_id},
        "responseSummary": summary,
        "response": {
            "resultSets": [
                {"id": s, "setType": "dataset", "exists": True, "resultsCount": 1, "results": []}
                for s in sets
            ]
        },
    }


def test_counts_are_summed_sets_tagged_and_failures_only_reported() -> None:
    own = answer("org.me", 0, [])
    members = [
        MemberAnswer("http://me/api", MemberStatus.OK, 1.0, own, name="org.me"),
        MemberAnswer("http://a/api", MemberStatus.OK, 2.0, answer("org.a", 3, ["x"])),
        MemberAnswer("http://b/api", MemberStatus.OK, 3.0, answer("org.b", 4, ["x", "y"])),
        MemberAnswer("http://c/api", MemberStatus.TIMEOUT, 5000.0, error="no answer in 5 s"),
        MemberAnswer("http://d/api", MemberStatus.ERROR, 9.0, error="HTTP 500"),
    ]
    merged = merge_query_responses(own, members)
    assert merged["responseSummary"] == {"exists": True, "numTotalResults": 7}
    assert [(s["id"], s["info"]["beaconId"]) for s in merged["response"]["resultSets"]] == [
        ("x", "org.a"),
        ("x", "org.b"),
        ("y", "org.b"),
    ]
    reports = merged["info"]["aggregation"]["beacons"]
    assert [(r["beaconId"], r["status"]) for r in reports] == [
        ("org.me", "ok"),
        ("org.a", "ok"),
        ("org.b", "ok"),
        ("http://c/api", "timeout"),
        ("http://d/api", "error"),
    ]
    assert own["responseSummary"] == {"exists": False, "numTotalResults": 0}, "own not changed"


def test_a_boolean_member_adds_to_exists_but_not_to_the_count() -> None:
    own = answer("org.me", 0, [])
    boolean = {"meta": {"beaconId": "org.bool"}, "responseSummary": {"exists": True}}
    merged = merge_query_responses(
        own,
        [
            MemberAnswer("me", MemberStatus.OK, 1, own),
            MemberAnswer("b", MemberStatus.OK, 1, boolean),
        ],
    )
    assert merged["responseSummary"] == {"exists": True, "numTotalResults": 0}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "not a JSON object"),
        ({"meta": {}}, "responseSummary.exists"),
        ({"responseSummary": {"exists": "yes"}}, "responseSummary.exists"),
        ({"responseSummary": {"exists": True, "numTotalResults": -1}}, "numTotalResults"),
        ({"responseSummary": {"exists": True}, "response": {"resultSets": {}}}, "resultSets"),
    ],
)
def test_malformed_answers_are_named(document: object, problem: str) -> None:
    found = malformed(document)
    assert found is not None
    assert problem in found
    assert malformed({"responseSummary": {"exists": False}}) is None


def test_filtering_terms_are_united_by_type_and_id() -> None:
    def terms(*ids: str) -> dict[str, Any]:
        return {
            "meta": {"beaconId": "x"},
            "response": {
                "filteringTerms": [{"type": "custom", "id": i} for i in ids],
                "resources": [{"id": "efo"}],
            },
        }

    own = terms("a", "b")
    merged = merge_filtering_terms(
        own,
        [
            MemberAnswer("me", MemberStatus.OK, 1, own),
            MemberAnswer("p", MemberStatus.OK, 1, terms("b", "c")),
            MemberAnswer("q", MemberStatus.ERROR, 1, error="HTTP 500"),
        ],
    )
    assert [t["id"] for t in merged["response"]["filteringTerms"]] == ["a", "b", "c"]
    assert merged["response"]["resources"] == [{"id": "efo"}]
    assert malformed_filtering_terms({"response": {}}) is not None
