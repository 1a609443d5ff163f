"""The ``meta`` sections of responses, and the summary of the request they echo."""

from __future__ import annotations

from collections.abc import Sequence

from cnvbeacon.gateway.beacon.filters import filter_summary
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.spec import Granularity

VARIANT_PARAMETERS_GROUP = "g_variant"
DATASETS_PARAMETERS_GROUP = "datasets"


def build_informational_meta(
    identity: BeaconIdentity, returned_schemas: Sequence[JsonObject] = ()
) -> JsonObject:
    """``meta`` of the informational endpoints (info, configuration, map ...)."""
    return {
        "beaconId": identity.id,
        "apiVersion": identity.api_version,
        "returnedSchemas": list(returned_schemas),
    }


def build_request_parameters_summary(query: BeaconQuery) -> JsonObject:
    """The request parameters as understood, grouped as the framework schema requires.

    The framework's ``requestParameters.json`` only allows objects as values, so the
    variant parameters are echoed under ``"g_variant"`` (the key the default model's
    ``genomicVariations/requestParameters.json`` uses) and the dataset ids as
    ``"datasets": {"datasetIds": [...]}`` (as in the spec's request example).
    """
    summary: JsonObject = {}
    if query.variant is not None:
        summary[VARIANT_PARAMETERS_GROUP] = query.variant.to_request_parameters()
    if query.dataset_ids:
        summary[DATASETS_PARAMETERS_GROUP] = {"datasetIds": list(query.dataset_ids)}
    return summary


def build_received_request_summary(query: BeaconQuery, identity: BeaconIdentity) -> JsonObject:
    """``receivedRequestSummary``: the request as the Beacon interpreted it.

    ``apiVersion`` is the client's, or ours when it sent none; ``filters`` are strings
    (see :func:`filter_summary`), as the schema types them.
    """
    return {
        "apiVersion": query.api_version or identity.api_version,
        "requestedSchemas": [schema.to_json() for schema in query.requested_schemas],
        "pagination": query.pagination.to_json(),
        "requestedGranularity": query.requested_granularity.value,
        "filters": [filter_summary(f) for f in query.filters],
        "requestParameters": build_request_parameters_summary(query),
        "includeResultsetResponses": query.include_resultset_responses.value,
        "testMode": query.test_mode,
    }


def build_response_meta(
    identity: BeaconIdentity,
    query: BeaconQuery,
    returned_granularity: Granularity,
    returned_schemas: Sequence[JsonObject],
) -> JsonObject:
    """``meta`` of query responses (boolean, count, result sets, collections, errors)."""
    return {
        "beaconId": identity.id,
        "apiVersion": identity.api_version,
        "returnedGranularity": returned_granularity.value,
        "receivedRequestSummary": build_received_request_summary(query, identity),
        "returnedSchemas": list(returned_schemas),
        "testMode": query.test_mode,
    }
