"""The Beacon v2 endpoints under /api. Handlers are thin: parse with the beacon package,
search through :mod:`searches` (one dataset at a time, all datasets at once), build the
response with the beacon package, and in aggregator mode merge it with the peers' answers.

Every entry type answers ``/<path>``, ``/<path>/{id}``, ``/<path>/filtering_terms`` and the
cross-entity paths of :data:`CROSS_ENTITY_ENDPOINTS`, GET and POST, through one generic
handler per (returned entry type, entry type named in the path).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from cnvbeacon.gateway import keys
from cnvbeacon.gateway.beacon.aggregation import (
    MemberAnswer,
    MemberStatus,
    malformed,
    malformed_filtering_terms,
    merge_filtering_terms,
    merge_query_responses,
)
from cnvbeacon.gateway.beacon.beacon_map import (
    CROSS_ENTITY_ENDPOINTS,
    FILTERING_TERMS_PATH,
    build_map_response,
)
from cnvbeacon.gateway.beacon.cohorts import build_cohort
from cnvbeacon.gateway.beacon.configuration import (
    build_configuration_response,
    build_entry_types_response,
)
from cnvbeacon.gateway.beacon.datasets import build_dataset
from cnvbeacon.gateway.beacon.entry_types import DATASET, ENTRY_TYPES, GENOMIC_VARIANT, EntryType
from cnvbeacon.gateway.beacon.errors import BeaconRequestError, bad_request
from cnvbeacon.gateway.beacon.filter_catalogue import FilterField
from cnvbeacon.gateway.beacon.filtering_terms import build_filtering_terms_response
from cnvbeacon.gateway.beacon.get_request import parse_get_request, parse_get_request_leniently
from cnvbeacon.gateway.beacon.handovers import Handover
from cnvbeacon.gateway.beacon.info import build_info_response, build_service_info
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.populations import KNOWN_ANCESTRY
from cnvbeacon.gateway.beacon.post_request import (
    parse_post_request,
    parse_post_request_leniently,
)
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.responses import (
    build_boolean_response,
    build_collections_response,
    build_count_response,
    build_error_response,
    build_query_response,
    build_request_error_response,
)
from cnvbeacon.gateway.beacon.result_sets import ResultSet
from cnvbeacon.gateway.beacon.spec import Granularity, coarser_granularity
from cnvbeacon.gateway.federation import AnswerCheck, ask_peers, is_forwarded, own_answer
from cnvbeacon.gateway.handover_links import variant_handovers
from cnvbeacon.gateway.lookup_params import lookup_parameters, query_assembly
from cnvbeacon.gateway.metadata import DatasetInfo
from cnvbeacon.gateway.scopes import EVERYTHING, Scope, resolve
from cnvbeacon.gateway.searches import SEARCHES, Backend, EntrySearch, Page
from cnvbeacon.gateway.upstream import UpstreamError
from cnvbeacon.shared.frequencies import GroupLevel

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LocalAnswer = Callable[[], Awaitable[JsonObject]]
_GRANULARITY_ORDER = (Granularity.BOOLEAN, Granularity.COUNT, Granularity.RECORD)


def beacon_json(document: JsonObject, status: int = 200) -> web.Response:
    return web.json_response(
        document, status=status, dumps=lambda o: json.dumps(o, separators=(",", ":"))
    )


async def _lenient_query(request: web.Request) -> BeaconQuery:
    """What could be understood of a request, for the error response's meta."""
    catalogue, policy = request.app[keys.CATALOGUE], request.app[keys.POLICY]
    if request.method == "POST":
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        return parse_post_request_leniently(body, catalogue, policy)
    return parse_get_request_leniently(request.query, catalogue, policy)


@web.middleware
async def beacon_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every 4xx/5xx under /api carries a schema-valid Beacon error response."""
    if not request.path.startswith("/api"):
        return await handler(request)
    identity = request.app[keys.IDENTITY]
    try:
        return await handler(request)
    except BeaconRequestError as error:
        response = build_request_error_response(identity, await _lenient_query(request), error)
        return beacon_json(response, error.status)
    except UpstreamError as error:
        # A service that did not answer in time is a 504; every other failure of ours a 503.
        status = error.status if error.status < 500 or error.status == 504 else 503
        message = error.message
        if error.parameter and error.parameter not in message:
            message = f"{message} (parameter {error.parameter!r})"
        response = build_error_response(identity, await _lenient_query(request), status, message)
        return beacon_json(response, status)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        message = error.reason if error.status != 404 else f"no such endpoint: {request.path}"
        response = build_error_response(
            identity, await _lenient_query(request), error.status, message
        )
        answer = beacon_json(response, error.status)
        if "Allow" in error.headers:  # a 405 says which methods the path takes
            answer.headers["Allow"] = error.headers["Allow"]
        return answer
    except Exception:
        log.exception("unexpected error")
        response = build_error_response(
            identity, await _lenient_query(request), 500, "internal error; it has been logged"
        )
        return beacon_json(response, 500)


async def parse_request(request: web.Request) -> BeaconQuery:
    catalogue, policy = request.app[keys.CATALOGUE], request.app[keys.POLICY]
    if request.method == "POST":
        try:
            body = json.loads(await request.read())
        except ValueError as error:
            raise bad_request(f"the request body is not valid JSON: {error}") from None
        return parse_post_request(body, catalogue, policy)
    return parse_get_request(request.query, catalogue, policy)


def public_api(app: web.Application) -> str:
    return f"{app[keys.SETTINGS].public_url.rstrip('/')}/api"


# --------------------------------------------------------------------------- federation


async def federated(
    request: web.Request,
    local: LocalAnswer,
    empty: Callable[[], JsonObject],
    merge: Callable[[JsonObject, Sequence[MemberAnswer]], JsonObject] = merge_query_responses,
    check: AnswerCheck = malformed,
) -> JsonObject:
    """Our answer, merged with the peers' in aggregator mode (not for forwarded requests).

    Our own part is one member among the others: if our services fail it is reported like
    a failing peer; an entry none of the members has is a 404.
    """
    settings = request.app[keys.SETTINGS]
    if not settings.peers or is_forwarded(request):
        return await local()
    started = time.perf_counter()
    own_url = public_api(request.app)
    not_found: BeaconRequestError | None = None

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    budget = settings.aggregation_budget_s

    async def ours() -> MemberAnswer:
        nonlocal not_found
        try:
            async with asyncio.timeout(budget):
                document = await local()
        except TimeoutError:
            return MemberAnswer(
                own_url,
                MemberStatus.TIMEOUT,
                elapsed(),
                error=f"no answer within the {budget:g} s budget",
                name=settings.beacon_id,
            )
        except BeaconRequestError as error:
            if error.status != 404:
                raise
            not_found = error
            return own_answer(own_url, settings.beacon_id, None, elapsed())
        except UpstreamError as error:
            if error.status < 500:
                raise
            return MemberAnswer(
                own_url, MemberStatus.ERROR, elapsed(), error=error.message, name=settings.beacon_id
            )
        return own_answer(own_url, settings.beacon_id, document, elapsed())

    own, peers = await asyncio.gather(
        ours(),
        ask_peers(
            request.app[keys.PEER_SESSION],
            settings.peers,
            request,
            settings.beacon_id,
            min(settings.peer_timeout_s, budget),
            check,
        ),
    )
    members = [own, *peers]
    if not_found is not None and not any(m.summary.get("exists") for m in members):
        # No member that answered has it (those that failed are not asked again).
        raise not_found
    base = own.document if own.document is not None else empty()
    return merge(base, members)


# --------------------------------------------------------------------------- framework


async def info(request: web.Request) -> web.Response:
    return beacon_json(build_info_response(request.app[keys.IDENTITY]))


async def service_info(request: web.Request) -> web.Response:
    return beacon_json(build_service_info(request.app[keys.IDENTITY]))


async def configuration(request: web.Request) -> web.Response:
    app = request.app
    return beacon_json(build_configuration_response(app[keys.IDENTITY], app[keys.SECURITY]))


async def beacon_map(request: web.Request) -> web.Response:
    return beacon_json(build_map_response(request.app[keys.IDENTITY], public_api(request.app)))


async def entry_types(request: web.Request) -> web.Response:
    return beacon_json(build_entry_types_response(request.app[keys.IDENTITY]))


def filtering_terms_handler(entry_type: EntryType | None) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        app = request.app
        terms = app[keys.CATALOGUE].filtering_terms(entry_type)
        document = build_filtering_terms_response(app[keys.IDENTITY], terms)

        async def local() -> JsonObject:
            return document

        return beacon_json(
            await federated(
                request, local, lambda: document, merge_filtering_terms, malformed_filtering_terms
            )
        )

    return handle


# --------------------------------------------------------------------------- entries


async def _datasets(request: web.Request, query: BeaconQuery, scope: Scope) -> list[DatasetInfo]:
    """The datasets a query searches: those it names (400 for unknown ones), else all; those
    of the path's scope and of the query's assembly only."""
    known = await request.app[keys.METADATA].datasets()
    unknown = sorted(set(query.dataset_ids) - set(known))
    if unknown:
        raise bad_request(
            f"unknown dataset {unknown[0]!r}; known: {', '.join(known) or 'none'}", "datasetIds"
        )
    assembly = query_assembly(query)
    return [
        known[d]
        for d in (query.dataset_ids or known)
        if scope.allows(d) and (assembly is None or known[d].assembly == assembly)
    ]


def response_granularity(requested: Granularity, allowed: Sequence[Granularity]) -> Granularity:
    """The requested granularity, capped at the finest any searched dataset allows."""
    if not allowed:
        return requested
    return coarser_granularity(requested, max(allowed, key=_GRANULARITY_ORDER.index))


def _handovers(
    request: web.Request, search: EntrySearch, dataset_ids: Sequence[str]
) -> list[Handover]:
    """Exports and web-UI links of a variant query's result in these datasets: for queries
    with a region (exports need one), with the path's biosamples if it names some."""
    lookup, scope = search.lookup, search.scope
    if not dataset_ids or lookup is None or not lookup.has_region or scope.variant_id:
        return []
    params = {**lookup.params(), "datasets": ",".join(dataset_ids)}
    if scope.biosamples is not None:
        biosamples = {b for d in dataset_ids for b in scope.biosamples.get(d, ())}
        params["biosample_id"] = ",".join(sorted(biosamples))
    return variant_handovers(request.app[keys.SETTINGS].public_url, params)


async def _answer_entries(
    request: web.Request, query: BeaconQuery, target: EntryType, scope: Scope
) -> JsonObject:
    app = request.app
    security = app[keys.SECURITY]
    backend = Backend(app[keys.QUERY], app[keys.METADATA], public_api(app))
    datasets = await _datasets(request, query, scope)
    caps = {d.id: security.granularity_for(d.id) for d in datasets}
    granularity = response_granularity(query.requested_granularity, list(caps.values()))
    search = EntrySearch(query, scope, lookup_parameters(query, scope.attributes))
    page = Page(query.pagination.offset, query.pagination.page_size)
    with_handovers = target is GENOMIC_VARIANT and granularity is Granularity.RECORD

    async def one(dataset: DatasetInfo) -> ResultSet:
        cap = caps[dataset.id]
        records = granularity is Granularity.RECORD and cap is Granularity.RECORD
        count, results = 0, list[JsonObject]()
        if search.lookup is not None:
            count, results = await SEARCHES[target](
                backend, search, dataset, page if records else None
            )
        shared = records and count and with_handovers
        return ResultSet(
            id=dataset.id,
            count=count,
            results=results,
            granularity=cap,
            handovers=_handovers(request, search, [dataset.id]) if shared else [],
        )

    result_sets = await asyncio.gather(*(one(d) for d in datasets))
    shown = [s.id for s in result_sets if s.exists and s.granularity is Granularity.RECORD]
    handovers = _handovers(request, search, shown) if with_handovers else []
    return build_query_response(
        app[keys.IDENTITY], query, target, granularity, result_sets, handovers
    )


# --------------------------------------------------------------------------- collections


async def _dataset_collection(request: web.Request, scope: Scope) -> list[JsonObject]:
    body = await request.app[keys.QUERY].get_json("/datasets")
    records = []
    for view in body["datasets"]:
        if not scope.allows(view["id"]):
            continue
        record = build_dataset({**view, "_id": view["id"]})
        registered = view.get("registered_individuals") or 0
        with_data = (view.get("counts") or {}).get("individuals") or 0
        record["info"] |= {
            "counts": view.get("counts"),
            "registeredIndividuals": registered,
            "individualsWithData": with_data,
            "granularity": request.app[keys.SECURITY].granularity_for(view["id"]).value,
        }
        if registered > 2 * with_data:
            # Most registered individuals have no calls loaded: say what frequencies count.
            record["info"]["dataNote"] = (
                f"{with_data} of the {registered} registered individuals have data; "
                "frequencies count only those"
            )
        records.append(record)
    return records


async def _cohort_collection(
    request: web.Request, query: BeaconQuery, scope: Scope
) -> list[JsonObject]:
    metadata = request.app[keys.METADATA]
    datasets = await _datasets(request, query, EVERYTHING)
    sizes: dict[str, int] = {}  # registered individuals of each group code
    for dataset_sizes in await asyncio.gather(*(metadata.group_sizes(d.id) for d in datasets)):
        for size in dataset_sizes:
            if size.level is not GroupLevel.ALL:
                sizes[size.code] = sizes.get(size.code, 0) + size.registered
    wanted: set[str] | None = None
    for field in (FilterField.POPULATION, FilterField.SUPERPOPULATION):
        if field in scope.attributes:
            wanted = set(scope.attributes[field])
    records = []
    for level in (GroupLevel.SUPERPOPULATION, GroupLevel.POPULATION):
        for (group_level, code), group in KNOWN_ANCESTRY.items():
            if group_level is not level or not sizes.get(code) or (wanted and code not in wanted):
                continue
            records.append(
                build_cohort(
                    {
                        "id": code,
                        "name": f"{group.label} ({level.value} {code})",
                        "level": level,
                        "code": code,
                        "label": group.label,
                        "size": sizes[code],
                    }
                )
            )
    return records


async def _answer_collection(
    request: web.Request, query: BeaconQuery, target: EntryType, scope: Scope
) -> JsonObject:
    if query.variant is not None:
        raise bad_request(
            f"{target.path} take no variant parameters: query /{target.path}/{{id}}/g_variants",
            "referenceName",
        )
    if target is DATASET:
        collections = await _dataset_collection(request, scope)
        if query.dataset_ids:
            collections = [c for c in collections if c["id"] in query.dataset_ids]
    else:
        collections = await _cohort_collection(request, query, scope)
    identity, total = request.app[keys.IDENTITY], len(collections)
    if query.requested_granularity is Granularity.BOOLEAN:
        return build_boolean_response(identity, query, target, total)
    if query.requested_granularity is Granularity.COUNT:
        return build_count_response(identity, query, target, total)
    page = query.pagination
    shown = collections[page.offset : page.offset + page.page_size]
    return build_collections_response(identity, query, target, shown, total)


def _empty(request: web.Request, query: BeaconQuery, target: EntryType) -> JsonObject:
    """The shape of an answer with nothing found, for merging peers' answers into."""
    identity = request.app[keys.IDENTITY]
    if target.is_collection:
        if query.requested_granularity is Granularity.RECORD:
            return build_collections_response(identity, query, target, [], 0)
        return build_count_response(identity, query, target, 0)
    return build_query_response(identity, query, target, query.requested_granularity, [])


def entry_handler(target: EntryType, anchor: EntryType | None) -> Handler:
    """The handler of ``/<target>`` (anchor None), ``/<target>/{id}`` (anchor target) or
    ``/<anchor>/{id}/<target>``."""

    async def handle(request: web.Request) -> web.Response:
        query = await parse_request(request)

        async def local() -> JsonObject:
            scope = EVERYTHING
            if anchor is not None:
                scope = await resolve(
                    anchor,
                    request.match_info["id"],
                    request.app[keys.QUERY],
                    request.app[keys.METADATA],
                )
            if target.is_collection:
                return await _answer_collection(request, query, target, scope)
            return await _answer_entries(request, query, target, scope)

        return beacon_json(await federated(request, local, lambda: _empty(request, query, target)))

    return handle


def entry_paths() -> list[tuple[str, EntryType, EntryType | None]]:
    """(path, returned entry type, entry type named by {id}) of every entry endpoint."""
    paths: list[tuple[str, EntryType, EntryType | None]] = []
    for entry_type in ENTRY_TYPES:
        root = f"/api/{entry_type.path}"
        paths += [(root, entry_type, None), (f"{root}/{{id}}", entry_type, entry_type)]
        paths += [
            (f"{root}/{{id}}/{returned.path}", returned, entry_type)
            for returned in CROSS_ENTITY_ENDPOINTS.get(entry_type, ())
        ]
    return paths


def add_routes(app: web.Application) -> None:
    for path in ("/api", "/api/", "/api/info"):
        app.router.add_get(path, info)
    app.router.add_get("/api/service-info", service_info)
    app.router.add_get("/api/configuration", configuration)
    app.router.add_get("/api/map", beacon_map)
    app.router.add_get("/api/entry_types", entry_types)
    app.router.add_get("/api/filtering_terms", filtering_terms_handler(None))
    for entry_type in ENTRY_TYPES:
        # Before /{id}: the router tries routes in the order they are added.
        app.router.add_get(
            f"/api/{entry_type.path}/{FILTERING_TERMS_PATH}", filtering_terms_handler(entry_type)
        )
    for path, returned, anchor in entry_paths():
        handler = entry_handler(returned, anchor)
        app.router.add_get(path, handler)
        app.router.add_post(path, handler)
