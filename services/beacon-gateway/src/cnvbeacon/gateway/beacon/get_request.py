"""Reading a GET request's query parameters into a :class:`BeaconQuery`.

List parameters (``filters``, ``datasetIds``, ``start``, ``end``) are comma-separated and
may also be repeated; every other parameter may be given once. ``includeDescendantTerms``
(true or false) applies to every filter of the request, as the spec's GET form has it;
``apiVersion`` is the POST meta's. Parameter names are the
spec's (see :mod:`cnvbeacon.gateway.beacon.variant_parameters` for the variant ones);
anything else is rejected with a 400 error naming it. A known parameter with an empty
value counts as not given, as HTML forms send every field, filled or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeAlias

from cnvbeacon.gateway.beacon.errors import BeaconRequestError, bad_request
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.query_builder import build_query, build_query_leniently
from cnvbeacon.gateway.beacon.raw_request import RawRequest
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.beacon.variant_parameters import canonical_variant_parameter

# A mapping (e.g. aiohttp's ``request.query``, whose ``items()`` yields repeated keys) or
# the (name, value) pairs themselves.
QueryParameters: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]

_SCALAR_PARAMETERS = {
    "skip": "skip",
    "limit": "limit",
    "requestedGranularity": "requested_granularity",
    "includeResultsetResponses": "include_resultset_responses",
    "testMode": "test_mode",
}
_LIST_PARAMETERS = frozenset({"filters", "datasetIds", "requestedSchema"})
_INCLUDE_DESCENDANTS = "includeDescendantTerms"
_BOOLEANS = {"true": True, "false": False}
_REPEATABLE_VARIANT_PARAMETERS = frozenset({"start", "end"})


def parse_get_request(
    parameters: QueryParameters, catalogue: FilterCatalogue, policy: RequestPolicy
) -> BeaconQuery:
    """Validate GET parameters; raises ``BeaconRequestError`` for the first fault."""
    return build_query(read_get_parameters(parameters, strict=True), catalogue, policy)


def parse_get_request_leniently(
    parameters: QueryParameters, catalogue: FilterCatalogue, policy: RequestPolicy
) -> BeaconQuery:
    """What can be understood of GET parameters, defaults elsewhere; never raises."""
    return build_query_leniently(read_get_parameters(parameters, strict=False), catalogue, policy)


def read_get_parameters(parameters: QueryParameters, strict: bool) -> RawRequest:
    """Sort the parameters into a :class:`RawRequest`.

    When ``strict``, unknown, unsupported and repeated single-valued parameters raise;
    otherwise they are ignored (the first value of a repeated one is kept).
    """
    raw = RawRequest()
    pairs = list(parameters.items() if isinstance(parameters, Mapping) else parameters)
    include: bool | None = None
    for name, value in pairs:
        try:
            if name == _INCLUDE_DESCENDANTS:
                include = _include_descendants(value, include)
            else:
                _read_parameter(raw, name, value)
        except BeaconRequestError:
            if strict:
                raise
    if include is not None:
        raw.filters = [
            {"id": item, _INCLUDE_DESCENDANTS: include} if isinstance(item, str) else item
            for item in raw.filters
        ]
    return raw


def _include_descendants(value: str, previous: bool | None) -> bool | None:
    text = value.strip().lower()
    if not text:
        return previous
    if previous is not None:
        raise _repeated(_INCLUDE_DESCENDANTS)
    if text not in _BOOLEANS:
        raise bad_request(
            f"{_INCLUDE_DESCENDANTS} must be true or false, got {value!r}", _INCLUDE_DESCENDANTS
        )
    return _BOOLEANS[text]


def _read_parameter(raw: RawRequest, name: str, value: str) -> None:
    if not value.strip():
        _check_known(name)
    elif name == "filters":
        raw.filters.extend(item.strip() for item in value.split(","))
    elif name == "datasetIds":
        raw.dataset_ids.append(value)
    elif name == "requestedSchema":
        raw.requested_schemas.append(value)
    elif name == "apiVersion":
        if raw.api_version is not None:
            raise _repeated(name)
        raw.api_version = value
    elif name in _SCALAR_PARAMETERS:
        attribute = _SCALAR_PARAMETERS[name]
        if getattr(raw, attribute) is not None:
            raise _repeated(name)
        setattr(raw, attribute, value)
    else:
        _read_variant_parameter(raw, name, value)


def _check_known(name: str) -> None:
    known = name in _LIST_PARAMETERS or name in _SCALAR_PARAMETERS or name == "apiVersion"
    if not known and canonical_variant_parameter(name) is None:
        raise _unknown(name)


def _unknown(name: str) -> BeaconRequestError:
    return bad_request(f"unknown parameter {name!r}", name)


def _read_variant_parameter(raw: RawRequest, name: str, value: str) -> None:
    canonical = canonical_variant_parameter(name)
    if canonical is None:
        raise _unknown(name)
    previous = raw.variant_parameters.get(canonical)
    if previous is None:
        raw.variant_parameters[canonical] = value
    elif canonical in _REPEATABLE_VARIANT_PARAMETERS:
        raw.variant_parameters[canonical] = f"{previous},{value}"
    else:
        raise _repeated(name)


def _repeated(name: str) -> BeaconRequestError:
    return bad_request(f"parameter {name!r} is given more than once", name)
