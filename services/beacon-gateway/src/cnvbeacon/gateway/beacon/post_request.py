"""Reading a POST request body (``beaconRequestBody``) into a :class:`BeaconQuery`.

Accepted shape: ``{"$schema"?, "meta": {"apiVersion", "requestedSchemas"?},
"query": {"requestParameters", "filters", "includeResultsetResponses",
"pagination": {"skip", "limit"}, "requestedGranularity", "testMode"}}``. ``meta`` may be
left out. ``requestParameters`` may hold the variant parameters directly (as the spec's
documentation shows) or under ``"g_variant"`` (as the default model's
``requestParameters.json`` groups them), and dataset ids as ``"datasetIds"`` or
``"datasets": {"datasetIds": [...]}`` (as the spec's request example). Unknown members
anywhere are rejected with a 400 error naming them. As in GET, numbers may also be given
as strings of digits, a single position as a number instead of a one-item list, and
filters as strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TypeAlias

from cnvbeacon.gateway.beacon.errors import BeaconRequestError, bad_request
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.query_builder import build_query, build_query_leniently
from cnvbeacon.gateway.beacon.raw_request import RawRequest
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.beacon.variant_parameters import canonical_variant_parameter

_Step: TypeAlias = Callable[[], None]

VARIANT_GROUP = "g_variant"
DATASETS_GROUP = "datasets"
_BODY_MEMBERS = frozenset({"$schema", "meta", "query"})
_META_MEMBERS = frozenset({"$schema", "apiVersion", "requestedSchemas"})
_PAGINATION_MEMBERS = frozenset({"skip", "limit"})
_QUERY_SCALARS = {
    "includeResultsetResponses": "include_resultset_responses",
    "requestedGranularity": "requested_granularity",
    "testMode": "test_mode",
}
_QUERY_MEMBERS = frozenset({"requestParameters", "filters", "pagination", *_QUERY_SCALARS})


def parse_post_request(
    body: object, catalogue: FilterCatalogue, policy: RequestPolicy
) -> BeaconQuery:
    """Validate a decoded JSON body; raises ``BeaconRequestError`` for the first fault."""
    return build_query(read_post_body(body, strict=True), catalogue, policy)


def parse_post_request_leniently(
    body: object, catalogue: FilterCatalogue, policy: RequestPolicy
) -> BeaconQuery:
    """What can be understood of a body, defaults elsewhere; never raises."""
    return build_query_leniently(read_post_body(body, strict=False), catalogue, policy)


def read_post_body(body: object, strict: bool) -> RawRequest:
    """Sort the body's members into a :class:`RawRequest`.

    When ``strict``, a malformed section or an unknown member raises; otherwise what
    cannot be read is skipped.
    """
    reader = _BodyReader(strict)
    reader.read(body)
    return reader.raw


class _BodyReader:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.raw = RawRequest()

    def read(self, body: object) -> None:
        document = self._object(body, "request body")
        self._attempt(lambda: _check_members(document, _BODY_MEMBERS, ""))
        if "meta" in document:
            self._attempt(lambda: self._read_meta(document["meta"]))
        if "query" in document:
            self._attempt(lambda: self._read_query(document["query"]))

    def _attempt(self, step: _Step) -> None:
        try:
            step()
        except BeaconRequestError:
            if self.strict:
                raise

    def _object(self, value: object, name: str) -> Mapping[str, object]:
        if isinstance(value, Mapping):
            return value
        if self.strict:
            raise bad_request(f"{name} must be a JSON object", name)
        return {}

    def _read_meta(self, value: object) -> None:
        meta = self._object(value, "meta")
        _check_members(meta, _META_MEMBERS, "meta.")
        self.raw.api_version = meta.get("apiVersion")
        schemas = meta.get("requestedSchemas", [])
        if not isinstance(schemas, list):
            raise bad_request("meta.requestedSchemas must be a list", "requestedSchemas")
        self.raw.requested_schemas.extend(schemas)

    def _read_query(self, value: object) -> None:
        query = self._object(value, "query")
        self._attempt(lambda: _check_members(query, _QUERY_MEMBERS, "query."))
        for member, attribute in _QUERY_SCALARS.items():
            if member in query:
                setattr(self.raw, attribute, query[member])
        if "pagination" in query:
            self._attempt(lambda: self._read_pagination(query["pagination"]))
        if "filters" in query:
            self._attempt(lambda: self._read_filters(query["filters"]))
        if "requestParameters" in query:
            self._attempt(lambda: self._read_request_parameters(query["requestParameters"]))

    def _read_pagination(self, value: object) -> None:
        pagination = self._object(value, "pagination")
        _check_members(pagination, _PAGINATION_MEMBERS, "query.pagination.")
        self.raw.skip = pagination.get("skip")
        self.raw.limit = pagination.get("limit")

    def _read_filters(self, value: object) -> None:
        if not isinstance(value, list):
            raise bad_request("query.filters must be a list", "filters")
        self.raw.filters.extend(value)

    def _read_request_parameters(self, value: object) -> None:
        parameters = self._object(value, "requestParameters")
        for name, item in parameters.items():
            self._attempt(partial(self._read_request_parameter, name, item))

    def _read_request_parameter(self, name: str, value: object) -> None:
        if name == "$schema":
            return
        if name == "datasetIds":
            self.raw.dataset_ids.append(value)
        elif name == DATASETS_GROUP:
            datasets = self._object(value, DATASETS_GROUP)
            _check_members(datasets, frozenset({"datasetIds"}), "requestParameters.datasets.")
            if "datasetIds" in datasets:
                self.raw.dataset_ids.append(datasets["datasetIds"])
        elif name == VARIANT_GROUP:
            group = self._object(value, VARIANT_GROUP)
            for member, item in group.items():
                self._attempt(partial(self._read_variant, member, item))
        else:
            self._read_variant(name, value)

    def _read_variant(self, name: str, value: object) -> None:
        canonical = canonical_variant_parameter(name)
        if canonical is None:
            raise bad_request(f"unknown request parameter {name!r}", name)
        if canonical in self.raw.variant_parameters:
            raise bad_request(f"request parameter {name!r} is given more than once", name)
        self.raw.variant_parameters[canonical] = value


def _check_members(document: Mapping[str, object], allowed: frozenset[str], prefix: str) -> None:
    unknown = sorted(name for name in document if name not in allowed)
    if unknown:
        raise bad_request(
            f"unknown member {prefix}{unknown[0]} (allowed: {', '.join(sorted(allowed))})",
            f"{prefix}{unknown[0]}",
        )
