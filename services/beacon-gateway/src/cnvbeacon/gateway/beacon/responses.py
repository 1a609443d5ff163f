"""Envelopes of query responses whose results were computed elsewhere.

A Beacon answers ``exists`` from counts: a response exists when ``numTotalResults > 0``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnvbeacon.gateway.beacon.entry_types import EntryType
from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.beacon.handovers import Handover, handovers_to_json
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.response_meta import build_response_meta
from cnvbeacon.gateway.beacon.result_sets import (
    ResultSet,
    build_resultsets_response,
    build_summary,
    listed_result_sets,
)
from cnvbeacon.gateway.beacon.spec import Granularity


def _check_count(num_total_results: int) -> None:
    if num_total_results < 0:
        raise ValueError(f"a result count cannot be negative, got {num_total_results}")


def with_warnings(query: BeaconQuery, info: JsonObject | None) -> JsonObject | None:
    """The response's info with what the request asked that was applied otherwise."""
    page = query.pagination
    if not page.capped:
        return info
    warning = (
        f"limit {page.limit} is above this Beacon's maximum page size: pages of "
        f"{page.page_size} records are returned"
    )
    return {**(info or {}), "warnings": [*(info or {}).get("warnings", []), warning]}


def _with_extras(
    response: JsonObject, handovers: Sequence[Handover], info: JsonObject | None
) -> JsonObject:
    if handovers:
        response["beaconHandovers"] = handovers_to_json(handovers)
    if info is not None:
        response["info"] = info
    return response


def build_boolean_response(
    identity: BeaconIdentity,
    query: BeaconQuery,
    entry_type: EntryType,
    num_total_results: int,
    handovers: Sequence[Handover] = (),
    info: JsonObject | None = None,
) -> JsonObject:
    """beaconBooleanResponse: only whether anything matched."""
    _check_count(num_total_results)
    meta = build_response_meta(identity, query, Granularity.BOOLEAN, [entry_type.returned_schema()])
    response = {"meta": meta, "responseSummary": {"exists": num_total_results > 0}}
    return _with_extras(response, handovers, info)


def build_count_response(
    identity: BeaconIdentity,
    query: BeaconQuery,
    entry_type: EntryType,
    num_total_results: int,
    handovers: Sequence[Handover] = (),
    info: JsonObject | None = None,
) -> JsonObject:
    """beaconCountResponse: whether anything matched, and how many."""
    _check_count(num_total_results)
    meta = build_response_meta(identity, query, Granularity.COUNT, [entry_type.returned_schema()])
    summary = {"exists": num_total_results > 0, "numTotalResults": num_total_results}
    return _with_extras({"meta": meta, "responseSummary": summary}, handovers, info)


def build_collections_response(
    identity: BeaconIdentity,
    query: BeaconQuery,
    entry_type: EntryType,
    collections: Sequence[JsonObject],
    num_total_results: int,
    handovers: Sequence[Handover] = (),
    info: JsonObject | None = None,
) -> JsonObject:
    """beaconCollectionsResponse for ``/datasets`` and ``/cohorts`` (one page of records)."""
    _check_count(num_total_results)
    if len(collections) > num_total_results:
        raise ValueError(
            f"{len(collections)} collections returned but only {num_total_results} in total"
        )
    meta = build_response_meta(identity, query, Granularity.RECORD, [entry_type.returned_schema()])
    response = {
        "meta": meta,
        "responseSummary": {"exists": num_total_results > 0, "numTotalResults": num_total_results},
        "response": {"collections": list(collections)},
    }
    return _with_extras(response, handovers, info)


def build_error_response(
    identity: BeaconIdentity, query: BeaconQuery, error_code: int, error_message: str
) -> JsonObject:
    """beaconErrorResponse with the full ``meta``.

    ``query`` is what was understood of the request: when it could not be parsed, pass
    the lenient parse (``parse_get_request_leniently`` / ``parse_post_request_leniently``),
    which keeps the valid parts and defaults the rest. Nothing is returned, so the
    returned granularity is ``boolean`` and no schema is named.
    """
    return {
        "meta": build_response_meta(identity, query, Granularity.BOOLEAN, []),
        "error": {"errorCode": error_code, "errorMessage": error_message},
    }


def build_request_error_response(
    identity: BeaconIdentity, query: BeaconQuery, error: BeaconRequestError
) -> JsonObject:
    """The error response for a rejected request; the message names the parameter."""
    message = error.message
    if error.parameter is not None and error.parameter not in message:
        message = f"{message} (parameter {error.parameter!r})"
    return build_error_response(identity, query, error.status, message)


def build_query_response(
    identity: BeaconIdentity,
    query: BeaconQuery,
    entry_type: EntryType,
    granularity: Granularity,
    result_sets: Sequence[ResultSet],
    handovers: Sequence[Handover] = (),
    info: JsonObject | None = None,
) -> JsonObject:
    """The response to an entry-type query over per-dataset result sets, at a granularity.

    * boolean: ``exists`` only;
    * count: ``exists`` and ``numTotalResults``, and (an extension the count schema allows)
      ``response.resultSets`` with each listed dataset's count and no records, so that one
      result set per dataset is there at count granularity too;
    * record: the result sets with their records (see :func:`build_resultsets_response`).
    """
    info = with_warnings(query, info)
    if granularity is Granularity.RECORD:
        return build_resultsets_response(identity, query, entry_type, result_sets, handovers, info)
    meta = build_response_meta(identity, query, granularity, [entry_type.returned_schema()])
    summary = build_summary(result_sets)
    if granularity is Granularity.BOOLEAN:
        document: JsonObject = {"meta": meta, "responseSummary": {"exists": summary["exists"]}}
    else:
        document = {
            "meta": meta,
            "responseSummary": summary,
            "response": {"resultSets": listed_result_sets(query, result_sets)},
        }
    return _with_extras(document, handovers, info)
