"""Our own public (non-Beacon) endpoints, for the web UI and scripts; documented with the
Beacon ones in ``data/openapi.json`` (served at ``/api/openapi.json``).

* ``/api/resolve?q=``: a search-box text (region, chromosome, cytoband, gene, variant id)
  as chrom/start/end/label, or a 400 saying what would be understood;
* ``/api/genes/suggest?prefix=``: gene symbols for type-ahead, with their loci;
* ``/api/query/{calls,variants,variant_regions,counts,carriers,carrier_groups,datasets,
  populations}``: the query service's JSON lookups, passed through (its parameters, its
  paging);
* ``/api/query/analyses/{path}``: the query service's analyses (JSON or SVG plots);
* ``/api/exports/{calls,variants}?...&format=vcf|bed|pgxseg|tsv|jsonl``: streamed files;
  ``/api/exports/variant_regions?...&format=vcf|bed|tsv|jsonl`` likewise.

Pass-through responses are streamed chunk by chunk, never held whole. Datasets a client
may only see counts of (``CNVB_DATASET_GRANULARITY``) are left out of record lookups and
exports (naming one is a 403), and boolean-only ones out of counts too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from aiohttp import web

from cnvbeacon.gateway import keys
from cnvbeacon.gateway.beacon.errors import BeaconRequestError, bad_request
from cnvbeacon.gateway.beacon.spec import Granularity
from cnvbeacon.gateway.upstream import BrokenStreamError
from cnvbeacon.shared.reference import (
    chromosome_length,
    cytoband_region,
    gene_loci,
    genes_overlapping,
    normalise_assembly,
    normalise_chromosome,
    suggest_genes,
)
from cnvbeacon.shared.reference.paralogous_genes import paralogous_genes_overlapping
from cnvbeacon.shared.web import STREAM_CUT

EXPORT_FORMATS = ("vcf", "bed", "pgxseg", "tsv", "jsonl")
REGION_EXPORT_FORMATS = ("vcf", "bed", "tsv", "jsonl")
_PASSED_HEADERS = ("Content-Type", "Content-Disposition")
_REGION = re.compile(
    r"^(?P<chrom>[A-Za-z0-9_.:]+?)\s*[:\s]\s*(?P<start>[\d,.]+)\s*(?:-|\u2013|\.\.)\s*(?P<end>[\d,.]+)$"
)
_VARIANT_ID = re.compile(
    r"^(?P<assembly>[A-Za-z0-9.]+):(?P<chrom>[A-Za-z0-9_.]+):(?P<start>\d+)-(?P<end>\d+):"
    r"(?P<type>DEL|DUP|CNV)$"
)
_GENE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
# Several genes searched together ("LCE3B/LCE3C", "SMN1, SMN2"): the span covering them.
_GENE_SEPARATOR = re.compile(r"\s*[/,+]\s*|\s+")
MAX_GENES = 20
CAVEAT_WINDOW = 5_000_000
MAX_SUGGESTIONS = 50
log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("cnvbeacon.gateway").joinpath("data/openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


async def get_openapi(request: web.Request) -> web.Response:
    public_url = request.app[keys.SETTINGS].public_url.rstrip("/")
    return web.json_response({**openapi_document(), "servers": [{"url": public_url}]})


# --------------------------------------------------------------------------- resolve


@dataclass(frozen=True, slots=True)
class Resolved:
    kind: str  # region, chromosome, cytoband, gene, genes (their span), variant
    assembly: str
    chrom: str
    start: int
    end: int
    label: str

    def to_json(self, text: str) -> dict[str, Any]:
        return {
            "query": text,
            "kind": self.kind,
            "assembly": self.assembly,
            "chrom": self.chrom,
            "start": self.start,
            "end": self.end,
            "length": self.end - self.start,
            "label": self.label,
            "caveats": self.caveats(),
        }

    def caveats(self) -> list[str]:
        """Why calls here may be missing: genes of the window that genome-wide CNV calling
        cannot resolve (windows up to CAVEAT_WINDOW; a whole chromosome would list many)."""
        if self.kind == "chromosome" or self.end - self.start > CAVEAT_WINDOW:
            return []
        overlapping = paralogous_genes_overlapping(self.chrom, self.start, self.end, self.assembly)
        return [gene.caveat for gene in overlapping]


def _position(text: str, name: str) -> int:
    digits = text.replace(",", "").replace(".", "")
    if not digits.isdigit():
        raise bad_request(f"{name} {text!r} is not a number", "q")
    return int(digits)


def _checked(kind: str, assembly: str, chrom_text: str, start: int, end: int) -> Resolved:
    try:
        chrom = normalise_chromosome(chrom_text, assembly)
    except ValueError as error:
        raise bad_request(str(error), "q") from None
    length = chromosome_length(chrom, assembly)
    if start >= end:
        raise bad_request(f"the region's start ({start}) must be before its end ({end})", "q")
    if start >= length:
        raise bad_request(
            f"start {start} is past the end of chromosome {chrom} ({length} bases in {assembly})",
            "q",
        )
    end = min(end, length)
    return Resolved(kind, assembly, chrom, start, end, f"{chrom}:{start}-{end}")


def _genes_span(symbols: list[str], assembly: str) -> Resolved:
    """The region from the first to the last of several genes of one chromosome."""
    if len(symbols) > MAX_GENES:
        raise bad_request(f"at most {MAX_GENES} genes at once, got {len(symbols)}", "q")
    loci = []
    for symbol in symbols:
        found = gene_loci(symbol, assembly)
        if not found:
            hints = suggest_genes(symbol, assembly, limit=5)
            hint = f"; genes starting so: {', '.join(hints)}" if hints else ""
            raise bad_request(f"no gene {symbol!r} in {assembly}{hint}", "q")
        loci.append(found[0])
    chroms = sorted({locus.chrom for locus in loci})
    if len(chroms) > 1:
        where = ", ".join(f"{locus.symbol} on chr{locus.chrom}" for locus in loci)
        raise bad_request(
            f"genes searched together must share a chromosome ({where}): search each alone", "q"
        )
    label = "/".join(dict.fromkeys(locus.symbol for locus in loci))
    start = min(locus.start for locus in loci)
    end = max(locus.end for locus in loci)
    return Resolved("genes", assembly, chroms[0], start, end, label)


def resolve_text(text: str, assembly: str) -> Resolved:
    """What a search box's text names; coordinates as typed are 0-based half-open, as
    everywhere in our API (``chr1:1,000,000-2,000,000``)."""
    text = text.strip()
    if not text:
        raise bad_request(
            "type a region (chr1:1,000,000-2,000,000), gene, cytoband or variant id", "q"
        )
    variant = _VARIANT_ID.match(text)
    if variant is not None:
        try:
            assembly = normalise_assembly(variant["assembly"])
        except ValueError as error:
            raise bad_request(str(error), "q") from None
        found = _checked(
            "variant", assembly, variant["chrom"], int(variant["start"]), int(variant["end"])
        )
        return Resolved("variant", assembly, found.chrom, found.start, found.end, text)
    region = _REGION.match(text)
    if region is not None:
        start = _position(region["start"], "start")
        end = _position(region["end"], "end")
        return _checked("region", assembly, region["chrom"], start, end)
    symbols = [s for s in _GENE_SEPARATOR.split(text) if s]
    if len(symbols) > 1 and all(_GENE.match(s) for s in symbols):
        # Words apart only by spaces are genes when each is one ("LCE3B LCE3C"); with
        # a separator ("LCE3B/LCE3C") the text means genes, and an unknown one is named.
        separated = any(mark in text for mark in "/,+")
        if separated or all(gene_loci(s, assembly) for s in symbols):
            return _genes_span(symbols, assembly)
    with contextlib.suppress(ValueError):
        chrom = normalise_chromosome(text, assembly)
        return Resolved("chromosome", assembly, chrom, 0, chromosome_length(chrom, assembly), chrom)
    cytoband_problem: str | None = None
    try:
        band = cytoband_region(text, assembly)
        return Resolved("cytoband", assembly, band.chrom, band.start, band.end, text)
    except ValueError as error:
        cytoband_problem = str(error)
    if _GENE.match(text):
        loci = gene_loci(text, assembly)
        if loci:
            locus = loci[0]
            return Resolved("gene", assembly, locus.chrom, locus.start, locus.end, locus.symbol)
    hints = suggest_genes(text, assembly, limit=5) if _GENE.match(text) else []
    message = f"cannot read {text!r} as a region (chr1:1,000,000-2,000,000), chromosome, gene, "
    message += "genes (LCE3B/LCE3C), cytoband or variant id (GRCh38:1:1000-2000:DEL)"
    if hints:
        message += f"; genes starting so: {', '.join(hints)}"
    elif cytoband_problem and re.match(r"^(chr)?[0-9XY]{1,2}[pq]", text, re.IGNORECASE):
        message += f" ({cytoband_problem})"
    raise bad_request(message, "q")


def _assembly(request: web.Request) -> str:
    text = request.query.get("assembly") or request.app[keys.SETTINGS].default_assembly
    try:
        return normalise_assembly(text)
    except ValueError as error:
        raise bad_request(str(error), "assembly") from None


def _check_parameters(request: web.Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query) - allowed)
    if unknown:
        raise bad_request(f"unknown parameter {unknown[0]!r}", unknown[0])


async def resolve(request: web.Request) -> web.Response:
    _check_parameters(request, {"q", "assembly"})
    text = request.query.get("q", "")
    return web.json_response(resolve_text(text, _assembly(request)).to_json(text))


async def suggest(request: web.Request) -> web.Response:
    _check_parameters(request, {"prefix", "assembly", "limit"})
    assembly = _assembly(request)
    limit_text = request.query.get("limit", "10")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_SUGGESTIONS:
        raise bad_request(f"limit must be between 1 and {MAX_SUGGESTIONS}", "limit")
    prefix = request.query.get("prefix", "").strip()
    genes = []
    for symbol in suggest_genes(prefix, assembly, limit=int(limit_text)) if prefix else []:
        locus = gene_loci(symbol, assembly)[0]
        genes.append(
            {"symbol": symbol, "chrom": locus.chrom, "start": locus.start, "end": locus.end}
        )
    return web.json_response({"prefix": prefix, "assembly": assembly, "genes": genes})


MAX_REGION_FOR_GENES = 20_000_000


async def genes_in_region(request: web.Request) -> web.Response:
    """Genes overlapping a region (a region plot's gene track), at most 20 Mb wide."""
    _check_parameters(request, {"chrom", "start", "end", "assembly", "protein_coding"})
    assembly = _assembly(request)
    try:
        chrom = normalise_chromosome(request.query.get("chrom", ""), assembly)
    except ValueError as error:
        raise bad_request(str(error), "chrom") from None
    start = _position(request.query.get("start", "0"), "start")
    end = _position(request.query.get("end", str(chromosome_length(chrom, assembly))), "end")
    if start >= end:
        raise bad_request(f"start ({start}) must be before end ({end})", "start")
    if end - start > MAX_REGION_FOR_GENES:
        raise bad_request(f"ask for at most {MAX_REGION_FOR_GENES} bases at a time", "end")
    protein_coding = request.query.get("protein_coding", "false").lower() in ("true", "1")
    genes = []
    for symbol in genes_overlapping(
        chrom, start, end, assembly, protein_coding_only=protein_coding
    ):
        for locus in gene_loci(symbol, assembly):
            if locus.chrom == chrom and locus.start < end and locus.end > start:
                genes.append(
                    {
                        "symbol": locus.symbol,
                        "chrom": chrom,
                        "start": locus.start,
                        "end": locus.end,
                        "strand": locus.strand,
                        "gene_type": locus.gene_type,
                    }
                )
    genes.sort(key=lambda g: (g["start"], g["end"], g["symbol"]))
    return web.json_response(
        {"assembly": assembly, "chrom": chrom, "start": start, "end": end, "genes": genes}
    )


# --------------------------------------------------------------------------- pass-through


async def _visible_datasets(request: web.Request, needed: Granularity) -> dict[str, str]:
    """The ``datasets`` parameter that keeps out datasets answering coarser than ``needed``:
    the request's own when all it names may be seen (403 otherwise), every visible one when
    it names none and some are hidden, nothing when nothing is hidden."""
    security = request.app[keys.SECURITY]
    order = (Granularity.BOOLEAN, Granularity.COUNT, Granularity.RECORD)

    def visible(dataset_id: str) -> bool:
        return order.index(security.granularity_for(dataset_id)) >= order.index(needed)

    named = [d.strip() for d in request.query.get("datasets", "").split(",") if d.strip()]
    for dataset_id in named:
        if not visible(dataset_id):
            raise BeaconRequestError(
                403,
                f"dataset {dataset_id!r} answers at {security.granularity_for(dataset_id)} "
                f"granularity only: ask the Beacon API (/api/g_variants) for its counts",
                "datasets",
            )
    if named:
        return {}
    known = await request.app[keys.METADATA].datasets()
    shown = [d for d in known if visible(d)]
    if len(shown) == len(known):
        return {}
    if not shown:
        raise BeaconRequestError(403, "no dataset answers at this granularity", "datasets")
    assembly = _assembly(request)
    of_assembly = [d for d in shown if known[d].assembly == assembly]
    if not of_assembly:
        raise BeaconRequestError(
            403, f"no {assembly} dataset answers at this granularity", "datasets"
        )
    return {"datasets": ",".join(of_assembly)}


async def _pass_through(
    request: web.Request, path: str, params: Mapping[str, str], *, export: bool = False
) -> web.StreamResponse:
    """The query service's answer to ``path``, streamed to the client as it comes, each part
    written (and drained) before the next is read.

    A JSON (or plot) answer must begin within ``CNVB_UPSTREAM_TIMEOUT_S`` (a 504 otherwise),
    an export within the idle limit; after that only the idle limit applies. A stream that
    breaks after the client got its headers is cut: the connection is aborted without the
    final chunk, so the client sees the body is incomplete (never a complete-looking file).
    """
    answer_within = None if export else request.app[keys.SETTINGS].upstream_timeout_s
    query = request.app[keys.QUERY]
    async with query.stream(path, params, answer_within=answer_within) as upstream:
        response = web.StreamResponse(status=upstream.status)
        for header in _PASSED_HEADERS:
            if header in upstream.headers:
                response.headers[header] = upstream.headers[header]
        await response.prepare(request)
        sent = 0
        try:
            while chunk := await upstream.read():
                await response.write(chunk)
                sent += len(chunk)
            await response.write_eof()
        except BrokenStreamError as error:
            log.error(
                "%s: stream cut after %d bytes: %s",
                request.path,
                sent,
                error,
                extra={"path": request.path, "bytes_sent": sent, "error": str(error)},
            )
            request[STREAM_CUT] = f"upstream broke after {sent} bytes"
            _abort(request)
        except ConnectionError as error:
            log.warning(
                "%s: the client went away after %d bytes",
                request.path,
                sent,
                extra={"path": request.path, "bytes_sent": sent, "error": str(error)},
            )
            _abort(request)
        return response


def _abort(request: web.Request) -> None:
    """Drop the client's connection at once: aiohttp then cannot end the body normally
    (its final write to the closed transport fails), so the client gets no final chunk."""
    if request.transport is not None:
        request.transport.abort()


def lookup_handler(path: str, needed: Granularity) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        if request.query.get("format", "json") != "json":
            raise bad_request("JSON lookups take no format: see /api/exports for files", "format")
        params = {**request.query, **await _visible_datasets(request, needed)}
        return await _pass_through(request, path, params)

    return handle


def export_handler(
    grouping: str,
    needed: Granularity = Granularity.RECORD,
    formats: tuple[str, ...] = EXPORT_FORMATS,
) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        output = request.query.get("format", "")
        if output not in formats:
            raise bad_request(f"format must be one of {', '.join(formats)}", "format")
        params = {**request.query, **await _visible_datasets(request, needed)}
        return await _pass_through(request, f"/{grouping}", params, export=True)

    return handle


async def biosample_calls(request: web.Request) -> web.StreamResponse:
    """All calls of one biosample (paged), e.g. for a sample page."""
    biosample_id = request.match_info["id"]
    params = {**request.query, **await _visible_datasets(request, Granularity.RECORD)}
    return await _pass_through(request, f"/biosamples/{quote(biosample_id, safe='')}/calls", params)


async def datasets(request: web.Request) -> web.StreamResponse:
    return await _pass_through(request, "/datasets", request.query)


def _aggregates_allowed(request: web.Request, dataset_id: str) -> None:
    """A dataset's aggregates (analyses, group sizes) are shown for datasets answering at
    least counts."""
    if request.app[keys.SECURITY].granularity_for(dataset_id) is Granularity.BOOLEAN:
        raise BeaconRequestError(
            403, f"dataset {dataset_id!r} answers whether variants exist only", "dataset"
        )


async def populations(request: web.Request) -> web.StreamResponse:
    """The group sizes of the datasets answering at least counts: individuals with data
    (every frequency's denominator) and registered, in all, per superpopulation and per
    population."""
    params = {**request.query, **await _visible_datasets(request, Granularity.COUNT)}
    return await _pass_through(request, "/populations", params)


async def analyses(request: web.Request) -> web.StreamResponse:
    """``/analyses`` and ``/analyses/{dataset}/...``: a dataset's analyses are aggregates,
    shown for datasets answering at least counts."""
    path = request.match_info.get("path", "")
    dataset_id = path.split("/", 1)[0]
    if dataset_id:
        _aggregates_allowed(request, dataset_id)
    return await _pass_through(request, f"/analyses/{path}".rstrip("/"), request.query)


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/api/openapi.json", get_openapi)
    router.add_get("/api/resolve", resolve)
    router.add_get("/api/genes/suggest", suggest)
    router.add_get("/api/query/calls", lookup_handler("/calls", Granularity.RECORD))
    router.add_get("/api/query/variants", lookup_handler("/variants", Granularity.RECORD))
    router.add_get("/api/query/carriers", lookup_handler("/biosamples", Granularity.RECORD))
    router.add_get("/api/query/counts", lookup_handler("/counts", Granularity.COUNT))
    router.add_get(
        "/api/query/carrier_groups", lookup_handler("/carrier_groups", Granularity.COUNT)
    )
    router.add_get("/api/query/datasets", datasets)
    router.add_get("/api/query/populations", populations)
    router.add_get("/api/query/biosamples/{id}/calls", biosample_calls)
    router.add_get("/api/genes", genes_in_region)
    router.add_get("/api/query/analyses", analyses)
    router.add_get("/api/query/analyses/{path:.+}", analyses)
    router.add_get("/api/exports/calls", export_handler("calls"))
    router.add_get("/api/exports/variants", export_handler("variants"))
    # Variant regions are aggregates (no biosample named): shown from count granularity.
    router.add_get(
        "/api/query/variant_regions", lookup_handler("/variant_regions", Granularity.COUNT)
    )
    router.add_get(
        "/api/exports/variant_regions",
        export_handler("variant_regions", Granularity.COUNT, REGION_EXPORT_FORMATS),
    )
