"""Pages: the web UI's real page loads, replayed against the gateway.

Each page of the web UI (services/beacon-gateway/.../web/static/js) fires a fixed set of
requests to the public API on its first load: some at once (independent panels,
``Promise.all``), some only after another answered (a search resolves its text first; a
variant page reads the variant, then its carriers). :data:`PAGES` writes them down, one
declarative table, with the JS functions each request mirrors;
tests/bench/test_pages.py checks the table against the JS sources, so keep the two in sync.

A page load fires its requests as the browser does (aiohttp, at most
:data:`BROWSER_CONNECTIONS` connections like a browser on HTTP/1.1, a fresh client cache per
page as on a first load), reads every body whole and checks it (JSON, or SVG for the
plots); its time is until the last of its requests (dependent ones included) has answered.
Not replayed: the HTML document and the static scripts and styles (the same for every page,
revalidated by the browser with If-Modified-Since), and what only a user's action fires
(typing, sorting, paging, downloads).

Page kinds: search pages for genes (the cohort generator's known loci, then genes on its
common loci), random regions (10 kb - 5 Mb), cytobands, whole chromosomes (chr1, chrX),
sample pages (random cohort samples), variant pages (ids from the search answers of this
run) and the analyses page's views. Replayed one page at a time and by 4 page loaders at
once over the same list, ``--pages`` pages per kind (interleaved, so a replay cut by
``--pages-budget`` keeps every kind), twice:

* idle: after the ingest, the query service's read model holding the cohort;
* during ingest: while a batch of ``--pages-ingest-files`` freshly generated samples of a
  second dataset is ingesting through the queue (one batch per replay; a replay stops when
  its batch has finished, and says how many of the batch's jobs finished during it).

The analyses views need the dataset's analysis, which the analyses section computes after
this one: their idle replay is deferred until after it (bench/context.py ``defer``).
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
import random
import re
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from yarl import URL

from bench.cohort.catalogue import KNOWN_LOCI, SUPERPOPULATIONS
from bench.cohort.generate import (
    LOCI,
    SAMPLE_COLUMNS,
    VCF_DIRECTORY,
    sample_table_row,
    vcf_name,
    write_samples,
)
from bench.cohort.reference_profile import REFERENCE_VCF
from bench.cohort.samples import CohortSample, cohort_samples, real_samples
from bench.context import BenchContext, Deferred
from bench.figures import Better, Figure, Status
from bench.ingest_client import IngestClient, manifest_text
from bench.measure import percentile
from bench.sections.ingest import MANIFEST_HEADER
from bench.sections.query import wait_until_visible
from bench.windows import random_windows
from cnvbeacon.shared.reference import bands, chromosomes, genes_overlapping

SECTION = "pages"
ASSEMBLY = "GRCh38"
CONCURRENCIES = (1, 4)
BROWSER_CONNECTIONS = 6  # a browser's connections per host on HTTP/1.1
REQUEST_TIMEOUT_S = 120.0
SEED_OFFSET = 7  # this section's random choices: seed + 7
LARGEST_REGION = 5_000_000
LABEL_IDLE = "idle"
LABEL_INGEST = "during ingest"

# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Answer:
    body: Any  # the JSON, or the SVG text


Bindings = Mapping[str, str]
Binder = Callable[[Answer, Bindings], Bindings]


@dataclass(frozen=True)
class Fetch:
    """One GET the browser fires; ``then`` are fired together once it has answered.

    ``path`` and the parameter values are templates over the page's bindings ({gene},
    {chrom}, ...); path values are URL-quoted (encodeURIComponent), and a parameter whose
    value renders empty is left out (api.js apiUrl). ``bind`` adds bindings from the answer
    for ``then``; ``only_if`` names a binding that must be non-empty for the request to be
    fired at all; ``for_each`` names a comma-separated binding: one request per item
    ({item}), all at once. ``mirrors``: "file.js function" that fires it.
    """

    path: str
    params: tuple[tuple[str, str], ...] = ()
    mirrors: str = ""
    svg: bool = False  # an <img> (a server-drawn plot), not JSON
    bind: Binder | None = None
    only_if: str | None = None
    for_each: str | None = None
    then: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Together:
    """Requests fired at once whose answers are awaited together (Promise.all): ``then``
    is fired once all of them have answered."""

    fetches: tuple[Fetch, ...]
    then: tuple[Node, ...] = ()

    def __post_init__(self) -> None:
        if any(fetch.then for fetch in self.fetches):
            raise ValueError("what follows requests fired together goes into Together.then")


Node = Fetch | Together


@dataclass(frozen=True)
class PageSpec:
    url: str  # the browser's address (a template), for the record
    fetches: tuple[Node, ...]  # fired at once when the page is mounted
    mirrors: str


class UnexpectedAnswerError(ValueError):
    """An answer the page cannot go on with (the browser shows an error box)."""


LOSS, GAIN = "EFO:0030067", "EFO:0030070"  # vocabulary.js
TYPE_TERMS = {"DEL": LOSS, "DUP": GAIN, "CNV": "EFO:0030066"}  # variant-page.js
MAX_GENE_WINDOW = 20_000_000  # reference.js
PLOT_CONTEXT = 0.25  # region-panel.js CONTEXT


def js_round(value: float) -> int:
    """Math.round: halves go up."""
    return math.floor(value + 0.5)


def plot_window(kind: str, start: int, end: int) -> tuple[int, int]:
    """region-panel.js plotWindow: a gene (or genes) or band with a quarter of its length (at least
    2 kb) on each side; anything else as it is (the replayed searches all overlap)."""
    if kind not in ("gene", "genes", "cytoband"):
        return start, end
    pad = max(js_round((end - start) * PLOT_CONTEXT), 2000)
    return max(start - pad, 0), end + pad


def resolved_search(answer: Answer, bindings: Bindings) -> Bindings:
    """search-page.js showResult -> search-state.js lookupParams, and the plot's window."""
    body = answer.body
    kind = str(body["kind"])
    if kind == "variant":
        raise UnexpectedAnswerError("the search resolved to a variant id (a page of its own)")
    start, end = int(body["start"]), int(body["end"])
    view_start, view_end = plot_window(kind, start, end)
    return {
        "chrom": str(body["chrom"]),
        "start": str(start),
        "end": str(end),
        "assembly": str(body["assembly"]),
        "view_start": str(view_start),
        "view_end": str(view_end),
    }


def clamped_plot_window(answer: Answer, bindings: Bindings) -> Bindings:
    """region-panel.js content: the window ends at the chromosome's end (chromosomeLength's
    answer); genes only for windows up to MAX_GENE_WINDOW (genesOf)."""
    view_end = min(int(bindings["view_end"]), int(answer.body["end"]))
    narrow = view_end - int(bindings["view_start"]) <= MAX_GENE_WINDOW
    return {"view_end": str(view_end), "gene_track": "yes" if narrow else ""}


def more_variants(answer: Answer, bindings: Bindings) -> Bindings:
    """variants-panel.js variantsContent: more variants than the first 1,000 -> a table
    paged by the server, which reads its first page."""
    body = answer.body
    more = int(body["counts"]["variants"]) > len(body["variants"])
    return {"more_variants": "yes" if more else ""}


def sample_chromosomes(answer: Answer, bindings: Bindings) -> Bindings:
    """sample-page.js callsSection: the chromosomes of the sample's calls (each one's
    length is asked for) and the assembly of its first call."""
    calls = answer.body["calls"]
    names = dict.fromkeys(str(call["chrom"]) for call in calls)
    assembly = str(calls[0]["assembly"]) if calls else ASSEMBLY
    return {"chromosomes": ",".join(names), "assembly": assembly}


def analysis_ready(answer: Answer, bindings: Bindings) -> Bindings:
    """analyses-page.js waitForAnalysis: the views load once the analysis exists (until
    then the browser polls every 3 s)."""
    if answer.body.get("computed_from_version") is None:
        raise UnexpectedAnswerError(f"no analysis of the dataset yet ({answer.body.get('state')})")
    return {}


RECORD = ("requestedGranularity", "record")
LOOKUP = (("chrom", "{chrom}"), ("start", "{start}"), ("end", "{end}"), ("assembly", "{assembly}"))
PLOT_FIELDS = (  # region-panel.js PLOT_FIELDS
    "dataset_id,biosample_id,assembly,chrom,start,end,variant_type,copy_number,is_pass"
)
PLOT_LOOKUP = (
    ("chrom", "{chrom}"),
    ("start", "{view_start}"),
    ("end", "{view_end}"),
    ("assembly", "{assembly}"),
)
DATASETS = Fetch("/api/datasets", (RECORD, ("limit", "1000")), "reference.js datasets")
COHORTS = Fetch("/api/cohorts", (RECORD, ("limit", "1000")), "reference.js cohorts")
ANALYSES = "/api/query/analyses/{dataset}"

# search-page.js searchPage.mount: the form (search-form.js createSearchForm) asks for the
# cohorts and datasets; showResult resolves the text, then fills its five panels at once
# (Promise.all of fill: counts, region plot, frequencies, variant regions, variants; the
# downloads panel fires nothing). The frequency panel's cohorts() and datasets() are the form's
# (reference.js remembered: one request each).
SEARCH = PageSpec(
    url="/?q={q}",
    mirrors="search-page.js searchPage.mount, showResult",
    fetches=(
        replace(COHORTS, mirrors="search-form.js createSearchForm -> reference.js cohorts"),
        replace(DATASETS, mirrors="search-form.js createSearchForm -> reference.js datasets"),
        Fetch(
            "/api/resolve",
            (("q", "{q}"),),
            "search-page.js showResult",
            bind=resolved_search,
            then=(
                Fetch("/api/query/counts", LOOKUP, "counts-panel.js countsContent"),
                # The region plot: the chromosome's length, then its calls (up to 5,000) and
                # the genes of the window, at once.
                Fetch(
                    "/api/resolve",
                    (("q", "chr{chrom}"), ("assembly", "{assembly}")),
                    "region-panel.js regionPanelParts -> reference.js chromosomeLength",
                    bind=clamped_plot_window,
                    then=(
                        Fetch(
                            "/api/query/calls",
                            (*PLOT_LOOKUP, ("fields", PLOT_FIELDS), ("limit", "5000")),
                            "region-panel.js regionPanelParts (content)",
                        ),
                        Fetch(
                            "/api/genes",
                            (*PLOT_LOOKUP, ("protein_coding", "true")),
                            "region-panel.js genesOf -> reference.js regionGenes",
                            only_if="gene_track",
                        ),
                    ),
                ),
                # The frequency panel: the group sizes, and the carriers of a loss and of a
                # gain per group.
                Fetch(
                    "/api/query/populations",
                    (),
                    "frequency-panel.js frequencyContent -> reference.js populations",
                ),
                Fetch(
                    "/api/query/carrier_groups",
                    (*LOOKUP, ("variant_type", LOSS)),
                    "frequency-panel.js frequencyContent (loss)",
                ),
                Fetch(
                    "/api/query/carrier_groups",
                    (*LOOKUP, ("variant_type", GAIN)),
                    "frequency-panel.js frequencyContent (gain)",
                ),
                # The variant regions: their first page by carriers (data-table.js shows
                # it without asking again).
                Fetch(
                    "/api/query/variant_regions",
                    (*LOOKUP, ("order", "carriers"), ("limit", "10")),
                    "variant-regions-panel.js variantRegionsContent",
                ),
                Fetch(
                    "/api/query/variants",
                    (*LOOKUP, ("limit", "1000")),
                    "variants-panel.js variantsContent",
                    bind=more_variants,
                    then=(
                        Fetch(
                            "/api/query/variants",
                            (*LOOKUP, ("skip", "0"), ("limit", "25")),
                            "variants-panel.js variantsContent -> data-table.js createTable",
                            only_if="more_variants",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# sample-page.js samplePage (entryPage -> renderSample): the biosample, its individual, the
# datasets (whether any is synthetic) and its calls (sampleCalls: up to 5,000 a page, every
# cohort sample's calls in one) at once,
# then callsSection: every chromosome's length at once (reference.js chromosomeLength).
SAMPLE_CALL_FIELDS = (  # sample-page.js CALL_FIELDS
    "id,assembly,chrom,start,end,variant_type,efo_id,copy_number,zygosity_id,genes"
)
SAMPLE = PageSpec(
    url="/samples/{sample}",
    mirrors="sample-page.js renderSample, callsSection, sampleCalls",
    fetches=(
        Together(
            (
                Fetch("/api/biosamples/{sample}", (RECORD,), "sample-page.js beaconRecord"),
                Fetch(
                    "/api/biosamples/{sample}/individuals", (RECORD,), "sample-page.js beaconRecord"
                ),
                replace(DATASETS, mirrors="sample-page.js renderSample -> reference.js datasets"),
                Fetch(
                    "/api/query/biosamples/{sample}/calls",
                    (("fields", SAMPLE_CALL_FIELDS), ("skip", "0"), ("limit", "5000")),
                    "sample-page.js sampleCalls",
                    bind=sample_chromosomes,
                ),
            ),
            then=(
                Fetch(
                    "/api/resolve",
                    (("q", "chr{item}"), ("assembly", "{assembly}")),
                    "sample-page.js callsSection -> reference.js chromosomeLength",
                    for_each="chromosomes",
                ),
            ),
        ),
    ),
)

# variant-page.js variantPage.mount -> render: the datasets (whether any is synthetic) and the
# Beacon record at once, then the exact lookup of its carriers, then the cohorts (for the
# frequency table's group names): one after another.
VARIANT = PageSpec(
    url="/variants/{variant}",
    mirrors="variant-page.js render",
    fetches=(
        replace(DATASETS, mirrors="variant-page.js render -> reference.js datasets"),
        Fetch(
            "/api/g_variants/{variant}",
            (RECORD,),
            "variant-page.js render",
            then=(
                Fetch(
                    "/api/query/variants",
                    (
                        ("chrom", "{chrom}"),
                        ("start", "{start}"),
                        ("end", "{end}"),
                        ("match", "exact"),
                        ("assembly", "{assembly}"),
                        ("variant_type", "{variant_type}"),
                        ("limit", "10"),
                    ),
                    "variant-page.js render (exact lookup)",
                    then=(
                        replace(COHORTS, mirrors="variant-page.js render -> reference.js cohorts"),
                    ),
                ),
            ),
        ),
    ),
)

# analyses-views.js: what each view fires when it is drawn (plot-image.js plotFigure: an
# <img>, fetched as soon as it is made; data-table.js createTable reads its first page).
ANALYSIS_VIEWS: dict[str, tuple[Fetch, ...]] = {
    "summary": (
        Fetch(
            f"{ANALYSES}/summary",
            (),
            "analyses-views.js summaryView",
            then=(
                Fetch(
                    f"{ANALYSES}/plots/sizes.svg",
                    (),
                    "analyses-views.js summaryView -> plot-image.js plotFigure",
                    svg=True,
                ),
            ),
        ),
    ),
    "frequency": (
        Fetch(
            f"{ANALYSES}/plots/frequency.svg",
            (),
            "analyses-views.js frequencyView -> plot-image.js plotFigure",
            svg=True,
        ),
    ),
    "populations": (
        Fetch(
            f"{ANALYSES}/plots/populations.svg",
            (("group", "superpopulation"),),
            "analyses-views.js populationsView -> plot-image.js plotFigure",
            svg=True,
        ),
    ),
    "cnvrs": (
        Fetch(
            f"{ANALYSES}/cnvrs",
            (("offset", "0"), ("limit", "25"), ("sort", "position")),
            "analyses-views.js regionsView -> data-table.js createTable",
        ),
        Fetch(
            f"{ANALYSES}/plots/cnvr-map.svg",
            (),
            "analyses-views.js regionsView -> plot-image.js plotFigure",
            svg=True,
        ),
    ),
    "vst": (
        Fetch(
            f"{ANALYSES}/vst",
            (("by", "superpopulation"), ("limit", "100")),
            "analyses-views.js vstView",
            then=(
                Fetch(
                    f"{ANALYSES}/plots/vst.svg",
                    (("by", "superpopulation"),),
                    "analyses-views.js vstView -> plot-image.js plotFigure",
                    svg=True,
                ),
            ),
        ),
    ),
}


def analyses_page(view: str) -> PageSpec:
    """analyses-page.js draw: the datasets, then the dataset's cohorts, then the analysis's
    state (waitForAnalysis), then the summary (the state line) and the view at once."""
    address = "/analyses?dataset={dataset}" + ("" if view == "summary" else f"&view={view}")
    return PageSpec(
        url=address,
        mirrors=f"analyses-page.js draw, waitForAnalysis; analyses-views.js ({view})",
        fetches=(
            replace(
                DATASETS,
                mirrors="analyses-page.js draw -> reference.js datasets",
                then=(
                    Fetch(
                        "/api/cohorts",
                        (RECORD, ("limit", "1000"), ("datasetIds", "{dataset}")),
                        "analyses-page.js draw -> reference.js cohorts",
                        then=(
                            Fetch(
                                ANALYSES,
                                (),
                                "analyses-page.js waitForAnalysis",
                                bind=analysis_ready,
                                then=(
                                    Fetch(f"{ANALYSES}/summary", (), "analyses-page.js draw"),
                                    *ANALYSIS_VIEWS[view],
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )


# Page -> what its first load fires. The search page is one page for every kind of search.
PAGES: dict[str, PageSpec] = {
    "search": SEARCH,
    "sample": SAMPLE,
    "variant": VARIANT,
    **{f"analyses:{view}": analyses_page(view) for view in ANALYSIS_VIEWS},
}
# API paths in the replayed pages' scripts that a first load does not fire ({} for a
# ${...} part; the analyses views' ${base} is /api/query/analyses/{}).
NOT_REPLAYED: dict[str, str] = {
    "/api/genes/suggest": "gene-suggest.js (typing) and search-page.js notUnderstood",
    "/api/exports/{}": "downloads-panel.js downloadLinks: download links",
    "/api/exports/variant_regions": "variant-regions-panel.js regionDownloads: download links",
    "/api/query/analyses/{}/{}": "analyses-views.js tsvLink: download links",
    "/api/query/analyses/{}/frequencies": "analyses-views.js geneComparison: on submit",
    "/api/individuals/{}": "sample-page.js renderIndividual: the individual page",
    "/api/individuals/{}/biosamples": "sample-page.js renderIndividual: the individual page",
    "/api/biosamples/{}/g_variants": "sample-page.js callsSection: a link (Beacon records)",
    "/api/openapi.json": "links",
    "/api/map": "downloads-panel.js: a link",
    "/api/filtering_terms": "downloads-panel.js: a link",
}
# Page kinds (a figure each) and the page they load.
KIND_PAGES: dict[str, str] = {
    "gene": "search",
    "region": "search",
    "cytoband": "search",
    "chromosome": "search",
    "sample": "sample",
    "variant": "variant",
    "analyses": "analyses:*",
}
KINDS = tuple(KIND_PAGES)
TARGET_P95_MS: dict[str, float] = {
    "gene": 500,
    "region": 500,
    "cytoband": 500,
    "chromosome": 1500,
    "sample": 500,
}


def fetches_of(nodes: Sequence[Node]) -> Iterator[Fetch]:
    """Every request template under these nodes."""
    for node in nodes:
        if isinstance(node, Together):
            yield from fetches_of(node.fetches)
        else:
            yield node
        yield from fetches_of(node.then)


# --------------------------------------------------------------------------- page loads


@dataclass(frozen=True)
class PageLoad:
    kind: str  # the figure it counts for (KINDS)
    page: str  # key of PAGES
    bindings: tuple[tuple[str, str], ...]

    @property
    def url(self) -> str:
        return PAGES[self.page].url.format_map(dict(self.bindings))


@dataclass(frozen=True)
class PageResult:
    kind: str
    url: str
    ms: float  # until the last of its requests answered
    errors: tuple[str, ...]
    requests: tuple[tuple[str, float], ...]  # (path template, ms) of every request

    @property
    def ok(self) -> bool:
        return not self.errors


class _RequestFailedError(Exception):
    """A request that failed (already recorded): the requests after it are not fired."""


def render_path(template: str, bindings: Bindings) -> str:
    return template.format_map({k: quote(v, safe="") for k, v in bindings.items()})


def render_query(params: Sequence[tuple[str, str]], bindings: Bindings) -> str:
    """api.js apiUrl: the non-empty parameters, form-encoded as URLSearchParams does."""
    values = [(name, value.format_map(bindings)) for name, value in params]
    return urlencode([(name, value) for name, value in values if value != ""])


def error_message(data: bytes) -> str:
    """api.js messageOf: the Beacon error's errorMessage, or the service's message, or the
    start of the body."""
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("errorMessage") or error.get("message")
        if message:
            return str(message)[:200]
    return data[:160].decode("utf-8", errors="replace")


class PageLoader:
    """One page load: its requests as the browser fires them, and what went wrong."""

    def __init__(self, session: aiohttp.ClientSession, gateway: str) -> None:
        self._session = session
        self._gateway = gateway.rstrip("/")
        self.errors: list[str] = []
        self.requests: list[tuple[str, float]] = []

    async def run(self, nodes: Sequence[Node], bindings: Bindings) -> None:
        await self._all(self._node(node, bindings) for node in nodes)

    async def _all(self, runs: Iterator[Any]) -> list[Any]:
        # Every branch runs to its end (a failed one does not cut the others short: the
        # page is done when the last request has answered); a bug is raised, not counted.
        results = await asyncio.gather(*runs, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, _RequestFailedError):
                raise result
        return results

    async def _node(self, node: Node, bindings: Bindings) -> None:
        if isinstance(node, Together):
            answers = await self._all(self._fetch(fetch, bindings) for fetch in node.fetches)
            if any(isinstance(answer, _RequestFailedError) for answer in answers):
                return
            merged = dict(bindings)
            for answer in answers:
                merged.update(answer)
            await self.run(node.then, merged)
            return
        try:
            bound = await self._fetch(node, bindings)
        except _RequestFailedError:
            return
        await self.run(node.then, bound)

    async def _fetch(self, fetch: Fetch, bindings: Bindings) -> Bindings:
        """Fire one request template (its pages, its fan-out); the bindings for ``then``."""
        if fetch.only_if is not None and not bindings.get(fetch.only_if):
            return bindings
        if fetch.for_each is not None:
            items = [item for item in bindings[fetch.for_each].split(",") if item]
            single = replace(fetch, for_each=None, then=())
            runs = (self._fetch(single, {**bindings, "item": item}) for item in items)
            if any(isinstance(r, _RequestFailedError) for r in await self._all(runs)):
                raise _RequestFailedError
            return bindings
        answer = await self._read(fetch, bindings)
        if fetch.bind is None:
            return bindings
        try:
            return {**bindings, **fetch.bind(answer, bindings)}
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            self._error(fetch, f"unexpected answer: {type(error).__name__}: {error}")
            raise _RequestFailedError from error

    async def _read(self, fetch: Fetch, bindings: Bindings) -> Answer:
        return Answer(await self._get(fetch, bindings))

    async def _get(
        self, fetch: Fetch, bindings: Bindings, extra: Sequence[tuple[str, str]] = ()
    ) -> Any:
        try:
            path = render_path(fetch.path, bindings)
            query = render_query((*fetch.params, *extra), bindings)
        except KeyError as error:  # a placeholder no earlier answer filled: a table bug
            raise RuntimeError(f"{fetch.path}: no binding {error} for {fetch.mirrors}") from None
        url = URL(f"{self._gateway}{path}" + (f"?{query}" if query else ""), encoded=True)
        accept = "image/svg+xml,image/*,*/*;q=0.8" if fetch.svg else "application/json"
        started = time.perf_counter()
        try:
            async with self._session.get(url, headers={"Accept": accept}) as response:
                data = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            self._error(fetch, f"transport: {type(error).__name__}: {error}")
            raise _RequestFailedError from error
        finally:
            self.requests.append((fetch.path, (time.perf_counter() - started) * 1000))
        if status >= 400:
            self._error(fetch, f"HTTP {status}: {error_message(data)}")
            raise _RequestFailedError
        if fetch.svg:
            if b"<svg" not in data[:2000]:
                self._error(fetch, f"not SVG: {data[:80]!r}")
                raise _RequestFailedError
            return data.decode("utf-8", errors="replace")
        try:
            body = json.loads(data) if data else None
        except ValueError:
            body = None
        if body is None:  # api.js getJson: "The server's answer was not JSON."
            self._error(fetch, f"not JSON: {data[:80]!r}")
            raise _RequestFailedError
        return body

    def _error(self, fetch: Fetch, message: str) -> None:
        self.errors.append(f"GET {fetch.path}: {message}"[:300])


async def load_page(session: aiohttp.ClientSession, gateway: str, page: PageLoad) -> PageResult:
    """One first load of a page: its time until the last request answered, and its errors."""
    loader = PageLoader(session, gateway)
    started = time.perf_counter()
    await loader.run(PAGES[page.page].fetches, dict(page.bindings))
    return PageResult(
        page.kind,
        page.url,
        (time.perf_counter() - started) * 1000,
        tuple(loader.errors),
        tuple(loader.requests),
    )


@dataclass
class Replay:
    concurrency: int
    planned: int
    results: list[PageResult] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str = ""  # why it ended before the last page ("" if it did not)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None


def browser_session() -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=BROWSER_CONNECTIONS, limit_per_host=BROWSER_CONNECTIONS)
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    )


async def replay(
    gateway: str,
    pages: Sequence[PageLoad],
    concurrency: int,
    *,
    budget_s: float,
    stop: asyncio.Event | None = None,
    stop_reason: str = "stopped",
) -> Replay:
    """``concurrency`` page loaders (a browser each) over the same list of pages, until it
    is done, ``budget_s`` seconds have passed, or ``stop`` is set."""
    outcome = Replay(concurrency, len(pages))
    pending = iter(pages)
    started = time.perf_counter()

    def should_stop() -> bool:
        if stop is not None and stop.is_set():
            outcome.stopped = outcome.stopped or stop_reason
        elif time.perf_counter() - started >= budget_s:
            outcome.stopped = outcome.stopped or f"the {budget_s:,.0f} s budget ran out"
        return bool(outcome.stopped)

    async def loader() -> None:
        async with browser_session() as session:
            while not should_stop():
                page = next(pending, None)
                if page is None:
                    return
                outcome.results.append(await load_page(session, gateway, page))

    await asyncio.gather(*(loader() for _ in range(concurrency)))
    outcome.seconds = time.perf_counter() - started
    outcome.finished_at = datetime.now(UTC)
    if len(outcome.results) == len(pages):
        outcome.stopped = ""
    return outcome


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class PageTimes:
    """Page times of one kind in one replay (pages without errors) and its errors."""

    ms: tuple[float, ...]
    pages: int
    errors: int
    first_error: str | None
    slowest_requests: dict[str, float]  # path template -> p95 ms, the slowest few

    @property
    def p50(self) -> float:
        return percentile(self.ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.ms, 95)

    @property
    def max(self) -> float:
        return max(self.ms)


def page_times(results: Sequence[PageResult]) -> dict[str, PageTimes]:
    by_kind: dict[str, list[PageResult]] = {}
    for result in results:
        by_kind.setdefault(result.kind, []).append(result)
    summary = {}
    for kind, loads in by_kind.items():
        requests: dict[str, list[float]] = {}
        for load in loads:
            for path, ms in load.requests:
                requests.setdefault(path, []).append(ms)
        slowest = sorted(((percentile(v, 95), p) for p, v in requests.items()), reverse=True)
        failed = [load for load in loads if not load.ok]
        summary[kind] = PageTimes(
            ms=tuple(load.ms for load in loads if load.ok),
            pages=len(loads),
            errors=sum(len(load.errors) for load in loads),
            first_error=failed[0].errors[0] if failed else None,
            slowest_requests={path: round(ms, 1) for ms, path in slowest[:5]},
        )
    return summary


def when(concurrency: int) -> str:
    return "1 at a time" if concurrency == 1 else f"{concurrency} at once"


def target_note(kind: str, p95: float) -> str:
    target = TARGET_P95_MS.get(kind)
    if target is None:
        return ""
    return f"target p95 <= {target:,.0f} ms: " + ("met" if p95 <= target else "MISSED")


def error_note(errors: int, first: str | None) -> str:
    return "0 errors" if not errors else f"{errors} ERRORS, e.g. {first}"


def replay_figures(
    run: Replay,
    label: str,
    kinds: Sequence[str],
    skipped: Mapping[str, str] | None = None,
    scope: str = "",
) -> list[Figure]:
    """Per kind the p95 page time (p50 and max in the note; min and max as the spread),
    and the replay's errors (target: none)."""
    skipped = skipped or {}
    times = page_times(run.results)
    figures = []
    cut = (
        f"; {run.stopped}: {len(run.results)} of {run.planned} pages"
        if run.stopped
        else f"; {len(run.results)} pages"
    )
    for kind in kinds:
        name = f"{kind} page p95, {label}, {when(run.concurrency)}"
        found = times.get(kind)
        if found is None or not found.ms:
            if kind in skipped:
                reason = skipped[kind]
            elif found is not None:
                reason = f"every page failed: {found.first_error}"
            else:
                reason = f"{run.stopped or 'not in the list'} before a page of it was loaded"
            figures.append(Figure.missing(SECTION, name, Status.UNAVAILABLE, reason))
            continue
        notes = [
            f"p50 {found.p50:,.0f} ms, max {found.max:,.0f} ms",
            error_note(found.errors, found.first_error),
            target_note(kind, found.p95),
        ]
        figures.append(
            Figure(
                SECTION,
                name,
                found.p95,
                "ms",
                better=Better.LOWER,
                runs=len(found.ms),
                spread=(min(found.ms), found.max),
                note="; ".join(n for n in notes if n),
                details={
                    "p50_ms": found.p50,
                    "p95_ms": found.p95,
                    "max_ms": found.max,
                    "pages": found.pages,
                    "errors": found.errors,
                    "first_error": found.first_error,
                    "slowest_requests_p95_ms": found.slowest_requests,
                    "target_p95_ms": TARGET_P95_MS.get(kind),
                },
            )
        )
    errors = sum(t.errors for t in times.values())
    first = next((t.first_error for t in times.values() if t.first_error), None)
    suffix = f" ({scope})" if scope else ""
    figures.append(
        Figure(
            SECTION,
            f"errors, {label}, {when(run.concurrency)}{suffix}",
            errors,
            "errors",
            better=Better.LOWER,
            runs=len(run.results),
            note=f"{error_note(errors, first)}; target 0: {'met' if not errors else 'MISSED'}"
            f"{cut} in {run.seconds:,.0f} s",
        )
    )
    return figures


async def measure_pages(
    gateway: str,
    pages: Sequence[PageLoad],
    label: str,
    *,
    budget_s: float,
    concurrency: int,
    kinds: Sequence[str] = KINDS,
    skipped: Mapping[str, str] | None = None,
    stop: asyncio.Event | None = None,
    stop_reason: str = "stopped",
    scope: str = "",
) -> tuple[list[Figure], Replay]:
    """The pages replayed at one concurrency: their figures (labelled) and the replay."""
    run = await replay(
        gateway, pages, concurrency, budget_s=budget_s, stop=stop, stop_reason=stop_reason
    )
    return replay_figures(run, label, kinds, skipped, scope), run


async def measure_all(
    gateway: str,
    pages: Sequence[PageLoad],
    label: str,
    *,
    budget_s: float,
    kinds: Sequence[str] = KINDS,
    skipped: Mapping[str, str] | None = None,
    scope: str = "",
) -> list[Figure]:
    """The pages replayed one at a time and by 4 loaders at once (CONCURRENCIES)."""
    figures: list[Figure] = []
    for concurrency in CONCURRENCIES:
        found, _ = await measure_pages(
            gateway,
            pages,
            label,
            budget_s=budget_s,
            concurrency=concurrency,
            kinds=kinds,
            skipped=skipped,
            scope=scope,
        )
        figures += found
    return figures


# --------------------------------------------------------------------------- the page list


def interleave(groups: Sequence[Sequence[PageLoad]]) -> list[PageLoad]:
    """One page of each kind in turn, so a replay cut short keeps every kind."""
    pages = []
    for index in range(max((len(group) for group in groups), default=0)):
        pages += [group[index] for group in groups if index < len(group)]
    return pages


def cycled(values: Sequence[str], count: int) -> list[str]:
    return [values[index % len(values)] for index in range(count)] if values else []


def search_pages(kind: str, texts: Sequence[str]) -> list[PageLoad]:
    return [PageLoad(kind, "search", (("q", text),)) for text in texts]


def known_genes() -> list[str]:
    """The genes of the cohort generator's known loci (every sample set has calls there)."""
    return list(dict.fromkeys(gene for locus in KNOWN_LOCI for gene in locus.genes))


def common_locus_genes(loci_table: Path, rng: random.Random, count: int) -> list[str]:
    """Protein-coding genes on the cohort's common shared loci (loci.tsv), chosen at random."""
    if count <= 0 or not loci_table.exists():
        return []
    genes: dict[str, None] = {}
    with loci_table.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            frequency = sum(
                float(row[f"deletion_{s}"]) + float(row[f"duplication_{s}"])
                for s in SUPERPOPULATIONS
            ) / len(SUPERPOPULATIONS)
            if frequency < 0.05:
                continue
            chrom = row["chrom"].removeprefix("chr")
            start, end = int(row["start"]), int(row["end"])
            if start >= end:
                continue
            for gene in genes_overlapping(chrom, start, end, ASSEMBLY, protein_coding_only=True):
                genes.setdefault(gene, None)
    found = sorted(genes)
    return rng.sample(found, min(count, len(found)))


# Well-known CNV bands first, then random bands.
CYTOBANDS = (
    "22q11.21",
    "1p36.33",
    "17q21.31",
    "1q21.1",
    "15q11.2",
    "16p11.2",
    "7q11.23",
    "8p23.1",
    "Xp22.31",
    "5q35.3",
)


def cytoband_names(rng: random.Random, count: int) -> list[str]:
    names = list(CYTOBANDS[:count])
    candidates = [
        band.label
        for chrom in chromosomes(ASSEMBLY)
        if chrom not in ("Y", "M", "MT")
        for band in bands(chrom, ASSEMBLY)
        if band.label not in CYTOBANDS
    ]
    return names + rng.sample(candidates, min(max(count - len(names), 0), len(candidates)))


def region_texts(count: int, seed: int) -> list[str]:
    windows = random_windows(count, seed, largest=LARGEST_REGION)
    return [f"chr{w.chrom}:{w.start}-{w.end}" for w in windows]


VARIANT_ID = re.compile(r"^([^:]+):(.+):(\d+)-(\d+):(DEL|DUP|CNV)$")  # variant-page.js


def variant_bindings(variant_id: str) -> tuple[tuple[str, str], ...]:
    """variant-page.js parseVariantId and TYPE_TERMS: what the page reads from its id."""
    match = VARIANT_ID.match(variant_id)
    if match is None:
        raise ValueError(f"not a variant id: {variant_id!r}")
    assembly, chrom, start, end, variant_type = match.groups()
    return (
        ("variant", variant_id),
        ("assembly", assembly),
        ("chrom", chrom),
        ("start", start),
        ("end", end),
        ("variant_type", TYPE_TERMS[variant_type]),
    )


async def _json(session: aiohttp.ClientSession, url: str, params: dict[str, str]) -> Any:
    async with session.get(url, params=params) as response:
        body = await response.json(content_type=None)
        if response.status >= 400:
            raise RuntimeError(f"GET {url}: HTTP {response.status}: {str(body)[:200]}")
        return body


async def variant_ids_of_searches(
    session: aiohttp.ClientSession, gateway: str, texts: Sequence[str]
) -> list[str]:
    """Variant ids from search answers (resolve, then the variants lookup, as the page)."""
    ids: dict[str, None] = {}
    for text in texts:
        resolved = await _json(session, f"{gateway}/api/resolve", {"q": text})
        params = {
            "chrom": str(resolved["chrom"]),
            "start": str(resolved["start"]),
            "end": str(resolved["end"]),
            "assembly": str(resolved["assembly"]),
            "limit": "1000",
        }
        body = await _json(session, f"{gateway}/api/query/variants", params)
        ids.update(dict.fromkeys(str(variant["id"]) for variant in body["variants"]))
    return list(ids)


async def analysis_state(session: aiohttp.ClientSession, gateway: str, dataset: str) -> str | None:
    """None if the dataset's analysis can be shown, else why not."""
    async with session.get(f"{gateway}/api/query/analyses/{quote(dataset, safe='')}") as response:
        body = await response.json(content_type=None)
        if response.status >= 400:
            return f"GET /api/query/analyses/{dataset}: HTTP {response.status}"
    if body.get("computed_from_version") is None:
        return f"no analysis of {dataset} yet (state {body.get('state')})"
    return None


def analyses_pages(dataset: str, count: int) -> list[PageLoad]:
    views = cycled(list(ANALYSIS_VIEWS), count)
    return [PageLoad("analyses", f"analyses:{view}", (("dataset", dataset),)) for view in views]


@dataclass(frozen=True)
class PagePlan:
    groups: dict[str, list[PageLoad]]  # kind -> its pages
    skipped: dict[str, str]  # kind -> why it has no pages

    def pages(self, kinds: Sequence[str]) -> list[PageLoad]:
        """These kinds' pages, interleaved."""
        return interleave([self.groups.get(kind, []) for kind in kinds])


async def plan_pages(
    session: aiohttp.ClientSession,
    gateway: str,
    *,
    count: int,
    seed: int,
    samples: Sequence[str],
    dataset: str,
    loci_table: Path,
) -> PagePlan:
    """``count`` pages of every kind, the same for a seed (but the variant ids, which come
    from this run's search answers)."""
    rng = random.Random(seed + SEED_OFFSET)
    genes = known_genes()[:count]
    genes = cycled(genes + common_locus_genes(loci_table, rng, count - len(genes)), count)
    skipped: dict[str, str] = {}
    ids = await variant_ids_of_searches(session, gateway, genes[:8])
    if not ids:
        skipped["variant"] = f"no variant in the answers of the searches for {', '.join(genes[:8])}"
    chosen_ids = cycled(rng.sample(ids, min(count, len(ids))), count)
    chosen_samples = cycled(rng.sample(list(samples), min(count, len(samples))), count)
    groups = {
        "gene": search_pages("gene", genes),
        "region": search_pages("region", region_texts(count, seed + SEED_OFFSET)),
        "cytoband": search_pages("cytoband", cycled(cytoband_names(rng, count), count)),
        "chromosome": search_pages("chromosome", cycled(["chr1", "chrX"], count)),
        "sample": [PageLoad("sample", "sample", (("sample", s),)) for s in chosen_samples],
        "variant": [PageLoad("variant", "variant", variant_bindings(i)) for i in chosen_ids],
        "analyses": analyses_pages(dataset, count),
    }
    return PagePlan(groups, skipped)


# --------------------------------------------------------------------------- during ingest

EXTRA_DIRECTORY = "pages-extra"  # under the cohort directory (the ingest inbox)


def extra_samples(cohort_samples_count: int, first: int, count: int) -> list[CohortSample]:
    """``count`` samples no cohort of this size has: SYN ids after the cohort's own (from
    the ``first``-th extra one on)."""
    beyond = len(real_samples()) + max(cohort_samples_count - len(real_samples()), 0)
    return cohort_samples(beyond + first + count)[-count:]


def write_extra_files(
    seed: int, inbox: Path, samples: Sequence[CohortSample]
) -> tuple[list[dict[str, str]], str]:
    """The samples' VCFs under the inbox; their manifest rows and sample table."""
    directory = inbox / EXTRA_DIRECTORY
    (directory / VCF_DIRECTORY).mkdir(parents=True, exist_ok=True)
    write_samples(seed, REFERENCE_VCF.resolve(), directory, samples, False)
    rows = [
        {
            "sample": s.sample_id,
            "file": f"{EXTRA_DIRECTORY}/{VCF_DIRECTORY}/{vcf_name(s.sample_id)}",
            "sex": s.sex,
            "population": s.population,
            "superpopulation": s.superpopulation,
        }
        for s in samples
    ]
    table = ["\t".join(SAMPLE_COLUMNS), *("\t".join(sample_table_row(s)) for s in samples)]
    return rows, "\n".join(table) + "\n"


def finished_between(jobs: Sequence[Mapping[str, Any]], start: datetime, end: datetime) -> int:
    """Jobs whose finished_at lies in [start, end]."""
    count = 0
    for job in jobs:
        stamp = job.get("finished_at")
        if not stamp:
            continue
        moment = datetime.fromisoformat(str(stamp))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        count += start <= moment <= end
    return count


BATCH_POLL_S = 1.0
BATCH_START_TIMEOUT_S = 120.0
BATCH_FINISH_TIMEOUT_S = 1800.0


async def _watch_batch(client: IngestClient, batch_id: str, finished: asyncio.Event) -> None:
    while True:
        if (await client.batch_status(batch_id))["finished"]:
            finished.set()
            return
        await asyncio.sleep(BATCH_POLL_S)


async def _until_running(client: IngestClient, batch_id: str) -> None:
    deadline = time.perf_counter() + BATCH_START_TIMEOUT_S
    while time.perf_counter() < deadline:
        status = await client.batch_status(batch_id)
        if status["finished"] or any(job["state"] != "queued" for job in status["jobs"]):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"no job of batch {batch_id} started in {BATCH_START_TIMEOUT_S:.0f} s")


async def during_ingest(
    context: BenchContext, gateway: str, pages: Sequence[PageLoad], skipped: Mapping[str, str]
) -> list[Figure]:
    """Per concurrency: a fresh batch of extra samples into a second dataset, the pages
    replayed once it is running, until it has finished (or the list or the budget ends)."""
    options = context.options
    files = options.pages_ingest_files
    ingest_url = context.service_url("ingest")
    if files == 0 or ingest_url is None:
        reason = "--pages-ingest-files 0" if files == 0 else "no ingest service"
        return [Figure.missing(SECTION, f"pages, {LABEL_INGEST}", Status.UNAVAILABLE, reason)]
    # The ingest section stores the whole cohort (the queue, then a bulk load of the rest):
    # the batch is of new samples, into a dataset of their own.
    dataset = f"{context.dataset_id}-pages-extra"
    figures: list[Figure] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        client = IngestClient(session, ingest_url, context.stack.admin_token)
        for number, concurrency in enumerate(CONCURRENCIES):
            samples = extra_samples(context.cohort.samples, number * files, files)
            rows, table = await asyncio.to_thread(
                write_extra_files, options.seed, options.cohort_dir, samples
            )
            await client.load_sample_table(dataset, table)
            submitted = time.perf_counter()
            batch_id = await client.submit_batch(dataset, manifest_text(MANIFEST_HEADER, rows))
            await _until_running(client, batch_id)
            finished = asyncio.Event()
            watcher = asyncio.create_task(_watch_batch(client, batch_id, finished))
            try:
                found, run = await measure_pages(
                    gateway,
                    pages,
                    LABEL_INGEST,
                    budget_s=options.pages_budget_s,
                    concurrency=concurrency,
                    skipped=skipped,
                    stop=finished,
                    stop_reason="the batch finished",
                )
                await asyncio.wait_for(asyncio.shield(watcher), BATCH_FINISH_TIMEOUT_S)
            finally:
                watcher.cancel()
            batch_seconds = time.perf_counter() - submitted
            status = await client.batch_status(batch_id)
            assert run.finished_at is not None
            jobs_during = finished_between(status["jobs"], run.started_at, run.finished_at)
            failed = status["jobs_by_state"].get("failed", 0)
            figures += found
            figures.append(
                Figure(
                    SECTION,
                    f"ingest jobs done in the replay, {when(concurrency)}",
                    jobs_during,
                    "jobs",
                    note=f"of the batch's {files} files ({dataset}); replay {run.seconds:,.0f} s, "
                    f"batch {batch_seconds:,.0f} s from its submission"
                    + (f"; {failed} JOBS FAILED" if failed else ""),
                    details={"batch_id": batch_id, "calls_stored": status["calls_stored"]},
                )
            )
    # Leave a quiet system: the query service's read model holds the new data.
    query = context.service_url("query")
    if query is not None:
        await wait_until_visible(query, context.db, dataset)
        await wait_until_visible(query, context.db, context.dataset_id)
    return figures


# --------------------------------------------------------------------------- the section


async def run_section(context: BenchContext) -> list[Figure]:
    gateway = context.service_url("gateway")
    if gateway is None:
        reason = context.facts.get("gateway_unavailable", "the gateway is not running")
        return [Figure.missing(SECTION, "pages", Status.UNAVAILABLE, reason)]
    if not context.facts.get("cohort_loaded"):
        note = "the ingest section did not load the cohort"
        return [Figure.missing(SECTION, "pages", Status.UNAVAILABLE, note)]
    options = context.options
    query = context.service_url("query")
    if query is not None:  # the steady state, as the query section measures it
        await wait_until_visible(query, context.db, context.dataset_id)
    async with browser_session() as session:
        plan = await plan_pages(
            session,
            gateway,
            count=options.pages,
            seed=options.seed,
            samples=[row["sample"] for row in context.cohort.manifest_rows()],
            dataset=context.dataset_id,
            loci_table=context.cohort.directory / LOCI,
        )
        not_ready = await analysis_state(session, gateway, context.dataset_id)
    idle_kinds = list(KINDS)
    skipped = dict(plan.skipped)
    ingest_skipped = dict(plan.skipped)
    if not_ready is not None:
        if "analyses" in options.sections:
            # The analyses section computes the analysis: its pages are replayed after it.
            idle_kinds.remove("analyses")
            ingest_skipped["analyses"] = f"{not_ready}: the analyses section computes it later"
            context.defer(
                "analyses",
                Deferred(
                    SECTION,
                    "analyses pages, idle",
                    partial(
                        measure_all,
                        gateway,
                        plan.groups["analyses"],
                        LABEL_IDLE,
                        budget_s=options.pages_budget_s,
                        kinds=("analyses",),
                        scope="analyses pages",
                    ),
                ),
            )
        else:
            skipped["analyses"] = (
                f"{not_ready}; the analyses section (which computes it) is not run"
            )
            ingest_skipped["analyses"] = skipped["analyses"]
    ready_kinds = [kind for kind in KINDS if kind not in ingest_skipped]
    figures = await measure_all(
        gateway,
        plan.pages([kind for kind in idle_kinds if kind not in skipped]),
        LABEL_IDLE,
        budget_s=options.pages_budget_s,
        kinds=idle_kinds,
        skipped=skipped,
    )
    try:
        figures += await during_ingest(context, gateway, plan.pages(ready_kinds), ingest_skipped)
    except Exception as error:  # keep the idle figures
        traceback.print_exc()
        note = f"failed: {type(error).__name__}: {error}"
        figures.append(Figure.missing(SECTION, f"pages, {LABEL_INGEST}", Status.UNAVAILABLE, note))
    return figures
