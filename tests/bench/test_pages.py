"""The pages section: its request table against the web UI's scripts, the replay of a page's
requests (against a small in-process server), and the figures' arithmetic."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bench.cohort.samples import cohort_samples
from bench.figures import Status
from bench.sections import pages
from bench.sections.pages import (
    PAGES,
    Answer,
    Fetch,
    PageLoad,
    PageResult,
    PageSpec,
    Replay,
    Together,
    UnexpectedAnswerError,
    fetches_of,
)
from cnvbeacon.shared.reference import cytoband_region, gene_loci
from tests.conftest import ROOT

JS = ROOT / "services/beacon-gateway/src/cnvbeacon/gateway/web/static/js"
# The modules of the replayed pages (app.js ROUTES); everything they import is scanned.
PAGE_MODULES = ("search-page.js", "sample-page.js", "variant-page.js", "analyses-page.js")
IMPORT = re.compile(r'from\s+"\./([\w.-]+\.js)"')
API_LITERAL = re.compile(r"[`'\"]((?:/api/|\$\{base\}/)[^`'\"?]*)")
PLACEHOLDER_JS = re.compile(r"\$\{[^}]*\}")
PLACEHOLDER_PY = re.compile(r"\{[^}]*\}")

# --------------------------------------------------------------------------- the table vs the JS


def module_closure() -> dict[str, str]:
    """name -> source of the replayed pages' modules and everything they import."""
    found: dict[str, str] = {}
    todo = list(PAGE_MODULES)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found[name] = (JS / name).read_text()
        todo += IMPORT.findall(found[name])
    return found


def js_api_paths(sources: dict[str, str]) -> set[str]:
    paths = set()
    for text in sources.values():
        for literal in API_LITERAL.findall(text):
            literal = literal.replace("${base}", "/api/query/analyses/{}")
            paths.add(PLACEHOLDER_JS.sub("{}", literal))
    return paths


def table_path(template: str) -> str:
    return PLACEHOLDER_PY.sub("{}", template)


def all_fetches() -> list[tuple[str, Fetch]]:
    return [(name, fetch) for name, spec in PAGES.items() for fetch in fetches_of(spec.fetches)]


def mirrored(mirrors: str) -> list[tuple[str, list[str]]]:
    """ "a.js f, g (note) -> b.js h; c.js" as [(a.js, [f, g]), (b.js, [h]), (c.js, [])]."""
    parts = []
    for part in re.split(r"->|;", mirrors):
        words = part.split("(")[0].replace(",", " ").split()
        assert words, mirrors
        assert words[0].endswith(".js"), f"{mirrors!r}: name the file first"
        parts.append((words[0], [w for word in words[1:] for w in word.split(".")]))
    return parts


def test_the_replayed_pages_are_the_ui_routes() -> None:
    app = (JS / "app.js").read_text()
    for module in PAGE_MODULES:
        assert f'from "./{module}"' in app
    for spec in PAGES.values():
        first = spec.url.split("?")[0].split("{")[0]
        assert first == "/" or re.escape(first.rstrip("/")).replace("/", r"\/") in app, spec.url


def test_every_path_the_table_names_is_fired_by_the_scripts() -> None:
    fired = js_api_paths(module_closure())
    for name, fetch in all_fetches():
        assert table_path(fetch.path) in fired, (name, fetch.path, fetch.mirrors)


def test_every_path_the_scripts_name_is_in_the_table_or_said_not_to_be_fired() -> None:
    """A request added to a page's scripts must be added to the table (or to NOT_REPLAYED,
    with the reason a first load does not fire it)."""
    replayed = {table_path(fetch.path) for _, fetch in all_fetches()}
    for path in js_api_paths(module_closure()):
        assert path in replayed or path in pages.NOT_REPLAYED, path
    assert not replayed & set(pages.NOT_REPLAYED)


def test_every_mirrored_function_is_in_its_file() -> None:
    sources = {path.name: path.read_text() for path in JS.glob("*.js")}
    mirrors = [spec.mirrors for spec in PAGES.values()]
    mirrors += [fetch.mirrors for _, fetch in all_fetches()]
    for text in mirrors:
        assert text, "every request names the JS it mirrors"
        for file, names in mirrored(text):
            assert file in sources, text
            for name in names:
                assert re.search(rf"\b{re.escape(name)}\b", sources[file]), (name, file)


def test_parameter_names_and_fixed_values_are_the_scripts() -> None:
    text = "\n".join(module_closure().values())
    for name, fetch in all_fetches():
        for parameter, value in fetch.params:
            assert re.search(rf"\b{parameter}\b", text), (name, fetch.path, parameter)
            if "{" not in value:
                assert value in text, (name, fetch.path, parameter, value)


def js_number(value: int) -> str:
    return rf"\b{f'{value:,}'.replace(',', '_?')}\b"


def test_together_takes_no_follow_up_of_its_own() -> None:
    with pytest.raises(ValueError, match=r"Together\.then"):
        Together((Fetch("/a", then=(Fetch("/b"),)),))


# --------------------------------------------------------------------------- pure helpers


def test_plot_window_pads_genes_and_bands_only() -> None:
    assert pages.plot_window("gene", 10_000, 14_000) == (8_000, 16_000)  # at least 2 kb
    assert pages.plot_window("cytoband", 1_000_000, 2_000_000) == (750_000, 2_250_000)
    assert pages.plot_window("cytoband", 0, 2_300_000) == (0, 2_875_000)
    assert pages.plot_window("region", 5, 10) == (5, 10)
    assert pages.plot_window("chromosome", 0, 100) == (0, 100)
    assert pages.js_round(2.5) == 3
    assert pages.js_round(-2.5) == -2


def test_a_resolved_search_binds_the_lookup_and_the_plot_window() -> None:
    body = {"kind": "gene", "chrom": "4", "start": 100_000, "end": 140_000, "assembly": "GRCh38"}
    bound = pages.resolved_search(Answer(body), {"q": "UGT2B17"})
    assert bound == {
        "chrom": "4",
        "start": "100000",
        "end": "140000",
        "assembly": "GRCh38",
        "view_start": "90000",
        "view_end": "150000",
    }
    clamped = pages.clamped_plot_window(Answer({"end": 145_000}), bound)
    assert clamped == {"view_end": "145000", "gene_track": "yes"}
    wide = pages.clamped_plot_window(
        Answer({"end": 10**9}), {"view_start": "0", "view_end": "30000000"}
    )
    assert wide["gene_track"] == ""
    with pytest.raises(UnexpectedAnswerError):
        pages.resolved_search(Answer({**body, "kind": "variant"}), {})


def test_the_binders_of_dependent_requests() -> None:
    assert pages.more_variants(Answer({"counts": {"variants": 5}, "variants": [1] * 5}), {}) == {
        "more_variants": ""
    }
    assert pages.more_variants(Answer({"counts": {"variants": 1001}, "variants": [1] * 1000}), {})[
        "more_variants"
    ]
    calls = [
        {"assembly": "GRCh37", "chrom": "1"},
        {"assembly": "GRCh37", "chrom": "X"},
        {"assembly": "GRCh37", "chrom": "1"},
    ]
    assert pages.sample_chromosomes(Answer({"calls": calls}), {}) == {
        "chromosomes": "1,X",
        "assembly": "GRCh37",
    }
    assert pages.sample_chromosomes(Answer({"calls": []}), {}) == {
        "chromosomes": "",
        "assembly": "GRCh38",
    }
    assert pages.analysis_ready(Answer({"computed_from_version": 3}), {}) == {}
    with pytest.raises(UnexpectedAnswerError, match="no analysis"):
        pages.analysis_ready(Answer({"computed_from_version": None, "state": "none"}), {})


def test_a_variant_page_reads_its_id() -> None:
    assert dict(pages.variant_bindings("GRCh38:X:100-250:DEL")) == {
        "variant": "GRCh38:X:100-250:DEL",
        "assembly": "GRCh38",
        "chrom": "X",
        "start": "100",
        "end": "250",
        "variant_type": "EFO:0030067",
    }
    with pytest.raises(ValueError, match="not a variant id"):
        pages.variant_bindings("chr1:1-2")


def test_urls_are_built_as_the_browser_builds_them() -> None:
    assert pages.render_path("/api/g_variants/{variant}", {"variant": "GRCh38:1:5-9:DEL"}) == (
        "/api/g_variants/GRCh38%3A1%3A5-9%3ADEL"
    )
    query = pages.render_query(
        (("q", "{q}"), ("assembly", "{assembly}"), ("limit", "10")), {"q": "a b,c", "assembly": ""}
    )
    assert query == "q=a+b%2Cc&limit=10"  # empty values left out (api.js apiUrl)


def test_pages_of_every_kind_are_interleaved_and_cycled() -> None:
    a = [PageLoad("a", "search", (("q", str(i)),)) for i in range(3)]
    b = [PageLoad("b", "search", (("q", "x"),))]
    assert [p.kind for p in pages.interleave([a, b])] == ["a", "b", "a", "a"]
    assert pages.cycled(["x", "y"], 5) == ["x", "y", "x", "y", "x"]
    assert pages.cycled([], 3) == []
    assert a[0].url == "/?q=0"
    assert pages.analyses_pages("ds", 6)[5].url == "/analyses?dataset=ds"
    assert pages.analyses_pages("ds", 2)[1].url == "/analyses?dataset=ds&view=frequency"


def test_the_chosen_searches_resolve() -> None:
    rng = random.Random(1)
    for gene in pages.known_genes():
        assert gene_loci(gene, "GRCh38"), gene
    assert {"UGT2B17", "LCE3C", "RHD", "GSTM1"} <= set(pages.known_genes())
    for band in pages.cytoband_names(rng, 15):
        cytoband_region(band, "GRCh38")
    regions = pages.region_texts(50, 3)
    for text in regions:
        start, end = map(int, text.split(":")[1].split("-"))
        assert 10_000 <= end - start <= pages.LARGEST_REGION
    assert regions == pages.region_texts(50, 3)


def test_extra_samples_are_new_and_distinct(tmp_path: Path) -> None:
    first = pages.extra_samples(10, 0, 5)
    second = pages.extra_samples(10, 5, 5)
    ids = [s.sample_id for s in first + second]
    assert len(set(ids)) == 10
    assert not set(ids) & {s.sample_id for s in cohort_samples(10)}
    assert all(i.startswith("SYN") for i in ids)
    beyond = pages.extra_samples(3210, 0, 2)  # a cohort with SYN000001-8 of its own
    assert [s.sample_id for s in beyond] == ["SYN000009", "SYN000010"]
    rows, table = pages.write_extra_files(1, tmp_path, first[:2])
    assert all((tmp_path / row["file"]).is_file() for row in rows)
    assert table.splitlines()[1].startswith(f"{first[0].sample_id}\t")


def test_jobs_finished_in_a_window_are_counted() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    jobs = [
        {"finished_at": (start + timedelta(seconds=s)).isoformat()} for s in (-1, 0, 5, 10, 11)
    ] + [{"finished_at": None}, {"finished_at": "2026-01-01T00:00:03"}]
    assert pages.finished_between(jobs, start, start + timedelta(seconds=10)) == 4


def result(kind: str, ms: float, errors: tuple[str, ...] = ()) -> PageResult:
    return PageResult(kind, "/", ms, errors, (("/api/x", ms / 2),))


def test_page_times_and_their_figures() -> None:
    results = [result("gene", float(ms)) for ms in range(1, 101)]
    results += [result("chromosome", 2000.0), result("chromosome", 100.0, ("GET /a: HTTP 503",))]
    run = Replay(concurrency=4, planned=110, results=results, seconds=3.0, stopped="budget")
    times = pages.page_times(run.results)
    assert (times["gene"].p50, times["gene"].p95, times["gene"].max) == (50, 95, 100)
    assert times["chromosome"].ms == (2000.0,)  # a page with errors is not a page time
    assert times["chromosome"].errors == 1
    figures = {
        f.name: f
        for f in pages.replay_figures(
            run, "idle", ["gene", "chromosome", "sample"], {"sample": "none chosen"}
        )
    }
    gene = figures["gene page p95, idle, 4 at once"]
    assert (gene.value, gene.runs, gene.spread) == (95, 100, (1, 100))
    assert "p50 50 ms" in gene.note
    assert "target p95 <= 500 ms: met" in gene.note
    chromosome = figures["chromosome page p95, idle, 4 at once"]
    assert "MISSED" in chromosome.note
    assert "1 ERRORS" in chromosome.note
    sample = figures["sample page p95, idle, 4 at once"]
    assert (sample.status, sample.note) == (Status.UNAVAILABLE, "none chosen")
    errors = figures["errors, idle, 4 at once"]
    assert errors.value == 1
    assert "budget: 102 of 110 pages" in errors.note


# --------------------------------------------------------------------------- the replay


@dataclass
class Served:
    url: str
    hits: list[tuple[str, float]]  # (path?query, seconds since the server started)


DELAYS = {"/slow": 0.08, "/first": 0.05, "/second": 0.05}


@pytest_asyncio.fixture
async def fake_gateway() -> AsyncIterator[Served]:
    hits: list[tuple[str, float]] = []
    started = asyncio.get_running_loop().time()

    async def handle(request: web.Request) -> web.StreamResponse:
        hits.append((request.path_qs, asyncio.get_running_loop().time() - started))
        await asyncio.sleep(DELAYS.get(request.path, 0.0))
        if request.path == "/missing":
            return web.json_response({"error": {"errorMessage": "no such thing"}}, status=404)
        if request.path == "/text":
            return web.Response(text="<html>")
        if request.path == "/plot.svg":
            return web.Response(text="<svg xmlns='http://www.w3.org/2000/svg'/>")
        return web.json_response({"path": request.path, "list": "a,b,c"})

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield Served(f"http://127.0.0.1:{port}", hits)
    await runner.cleanup()


def listed(answer: Answer, bindings: Any) -> dict[str, str]:
    return {"names": answer.body["list"]}


async def load(served: Served, monkeypatch: pytest.MonkeyPatch, *nodes: Any) -> PageResult:
    monkeypatch.setitem(PAGES, "test", PageSpec("/test", tuple(nodes), "test"))
    async with pages.browser_session() as session:
        return await pages.load_page(session, served.url, PageLoad("test", "test", ()))


async def test_a_page_takes_until_its_slowest_chain_has_answered(
    fake_gateway: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = await load(
        fake_gateway,
        monkeypatch,
        Fetch("/first", then=(Fetch("/second"),)),  # 50 + 50 ms, one after the other
        Fetch("/slow"),  # 80 ms, at the same time
    )
    assert page.ok, page.errors
    assert 100 <= page.ms < 160
    times = dict(fake_gateway.hits)
    assert times["/second"] - times["/first"] >= 0.05  # fired once /first answered
    assert abs(times["/slow"] - times["/first"]) < 0.03  # fired with it
    assert sorted(path for path, _ in page.requests) == ["/first", "/second", "/slow"]


async def test_requests_fired_together_are_awaited_together(
    fake_gateway: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = await load(
        fake_gateway,
        monkeypatch,
        Together((Fetch("/slow"), Fetch("/list", bind=listed)), then=(Fetch("/after/{names}"),)),
    )
    assert page.ok, page.errors
    times = dict(fake_gateway.hits)
    assert times["/after/a%2Cb%2Cc"] - times["/slow"] >= 0.08


async def test_fan_outs_and_conditions(
    fake_gateway: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = await load(
        fake_gateway,
        monkeypatch,
        Fetch("/list", bind=listed, then=(Fetch("/each/{item}", for_each="names"),)),
        Fetch("/never", only_if="unset"),
    )
    assert page.ok, page.errors
    paths = [path for path, _ in fake_gateway.hits]
    assert sorted(p for p in paths if p.startswith("/each")) == ["/each/a", "/each/b", "/each/c"]
    assert "/never" not in paths


async def test_errors_are_counted_and_stop_what_depends_on_them(
    fake_gateway: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = await load(
        fake_gateway,
        monkeypatch,
        Fetch("/missing", then=(Fetch("/after-missing"),)),
        Fetch("/text"),
        Fetch("/list", svg=True),
        Fetch("/plot.svg", svg=True),
        Fetch("/list", bind=pages.sample_chromosomes),
    )
    assert len(page.errors) == 4, page.errors
    assert "GET /missing: HTTP 404: no such thing" in page.errors
    assert any(e.startswith("GET /text: not JSON") for e in page.errors)
    assert any(e.startswith("GET /list: not SVG") for e in page.errors)
    assert any("unexpected answer: KeyError" in e for e in page.errors)
    assert "/after-missing" not in [path for path, _ in fake_gateway.hits]


async def test_a_replay_shares_its_list_among_its_loaders(
    fake_gateway: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(PAGES, "test", PageSpec("/test", (Fetch("/slow"),), "test"))
    listed_pages = [PageLoad("gene", "test", ())] * 8
    run = await pages.replay(fake_gateway.url, listed_pages, 4, budget_s=60)
    assert (len(run.results), run.stopped) == (8, "")
    assert run.seconds < 0.08 * 8 / 2  # four at a time, not one after another
    stop = asyncio.Event()
    stop.set()
    stopped = await pages.replay(fake_gateway.url, listed_pages, 1, budget_s=60, stop=stop)
    assert (len(stopped.results), stopped.stopped) == (0, "stopped")
    cut = await pages.replay(fake_gateway.url, listed_pages, 1, budget_s=0.1)
    assert 1 <= len(cut.results) < 8
    assert "budget" in cut.stopped
