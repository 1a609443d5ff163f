"""The search page in a real browser against the real stack (HG00096 and the 1kGP
individuals): a gene typed with suggestions gives the API's counts, its region plot, its
variants and their pages; zoom and pan re-query; downloads equal the export API; the
Beacon request shown reproduces the result; bad input explains itself."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.async_api import expect

from tests.browser.pages import Screens, api_bytes, api_json, settled
from tests.browser.stack import UiStack

pytestmark = [pytest.mark.integration, pytest.mark.browser]

GENE = "BTNL8"  # HG00096 carries a 56 kb deletion of BTNL8-BTNL3 (a common CNV)


def shown_count(text: str) -> int:
    return int(text.replace(",", ""))


def window_of(text: str) -> tuple[str, str, str]:
    """(chrom, start, end) of a chrN:start-end search text."""
    found = re.fullmatch(r"chr(\w+):(\d+)-(\d+)", text)
    assert found is not None, text
    return found[1], found[2], found[3]


async def test_a_gene_typed_with_suggestions_shows_the_api_counts_and_plot(
    screens: Screens, stack: UiStack
) -> None:
    page = await screens.goto("/")
    box = page.get_by_role("combobox", name="Search germline copy-number variants")
    await box.press_sequentially(GENE[:4], delay=40)
    suggestion = page.get_by_role("option").filter(has_text=GENE)
    await expect(suggestion).to_be_visible()
    await box.press_sequentially(GENE[4:], delay=40)
    await expect(page.get_by_role("option").first).to_contain_text(GENE)
    await box.press("ArrowDown")
    await box.press("Enter")
    await expect(page).to_have_url(re.compile(rf"/\?q={GENE}$"))
    await settled(page)

    counts = await api_json(f"{stack.gateway}/api/query/counts?gene={GENE}")
    for key in ("calls", "variants", "biosamples", "individuals"):
        value = page.locator(f"[data-count={key}] .count__value")
        assert shown_count(await value.inner_text()) == counts["counts"][key], key
    assert counts["counts"]["calls"] >= 1

    plot = page.locator("svg.region-plot")
    await expect(plot).to_be_visible()
    assert await plot.locator("rect.seg--loss").count() >= 1
    await expect(plot.locator(".gene__label", has_text=GENE)).to_have_count(1)
    await expect(plot.locator(".sample-label")).to_have_text(["HG00096"])

    variants = await api_json(f"{stack.gateway}/api/query/variants?gene={GENE}&limit=1000")
    rows = page.locator("#variants tbody tr")
    await expect(rows).to_have_count(len(variants["variants"]))
    ids = await rows.evaluate_all("rows => rows.map(row => row.dataset.key)")
    assert ids == [v["id"] for v in variants["variants"]]

    frequencies = page.locator("#frequencies tr[data-group=EUR]")
    # HG00096 alone has data (of 3,202 registered): it is the EUR denominator, and carries
    # the loss; the panel says how few have data.
    await expect(frequencies.locator("td").first).to_have_text("1")
    await expect(frequencies).to_contain_text("100% (1)")
    await expect(page.locator("#frequencies")).to_contain_text("1 of the 3,202 registered")
    await screens.shoot("search-gene")


async def test_zoom_and_pan_re_query_and_keep_the_query_in_the_url(
    screens: Screens, stack: UiStack
) -> None:
    page = await screens.goto(f"/?q={GENE}&variant_type=EFO%3A0030067")
    before = page.url
    await page.get_by_role("button", name="Zoom out").click()
    await expect(page).not_to_have_url(before)
    await settled(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query["variant_type"] == ["EFO:0030067"], "the options stay in the URL"
    zoomed = query["q"][0]
    chrom, start, end = window_of(zoomed)
    resolved = await api_json(f"{stack.gateway}/api/resolve?q={GENE}")
    assert chrom == resolved["chrom"]
    assert int(end) - int(start) > 2 * resolved["length"]  # the gene, its context, doubled

    counts = await api_json(
        f"{stack.gateway}/api/query/counts?"
        + urlencode({"chrom": chrom, "start": start, "end": end, "variant_type": "EFO:0030067"})
    )
    calls = page.locator("[data-count=calls] .count__value")
    assert shown_count(await calls.inner_text()) == counts["counts"]["calls"]
    await expect(page.locator("#result-title")).to_contain_text(f"chr{chrom}:")

    zoomed_url = page.url
    await page.get_by_role("button", name="Pan right").click()
    await expect(page).not_to_have_url(zoomed_url)
    await settled(page)
    panned = parse_qs(urlsplit(page.url).query)["q"][0]
    new_start = int(window_of(panned)[1])
    assert new_start > int(start)
    await page.go_back()
    await settled(page)
    assert parse_qs(urlsplit(page.url).query)["q"] == [zoomed], "back returns to the zoom"
    await screens.shoot("search-zoomed")


async def test_downloads_equal_the_export_api_and_the_beacon_request_reproduces_it(
    screens: Screens, stack: UiStack
) -> None:
    page = await screens.goto(f"/?q={GENE}")
    link = page.locator("a[data-grouping=variants][data-format=tsv]")
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    path = await download.path()
    assert path is not None
    downloaded = path.read_bytes()
    href = await link.get_attribute("href")
    assert href is not None
    assert href.startswith("/api/exports/variants?")
    assert downloaded == await api_bytes(f"{stack.gateway}{href}")
    table = list(csv.reader(io.StringIO(downloaded.decode()), delimiter="\t"))
    variants = await api_json(f"{stack.gateway}/api/query/variants?gene={GENE}&limit=1000")
    ids = {v["id"] for v in variants["variants"]}
    assert len([row for row in table[1:] if row and not row[0].startswith("#")]) == len(ids)
    assert any(cell in ids for row in table[1:] for cell in row)

    await page.get_by_text("Reproduce this search with the API").click()
    beacon_get = await page.locator("#beacon-get").inner_text()
    assert beacon_get.startswith(f"{stack.gateway}/api/g_variants?")
    answer = await api_json(beacon_get)
    assert answer["responseSummary"]["numTotalResults"] == len(ids)
    body = await page.locator("#beacon-post").inner_text()
    posted = await api_json(
        f"{stack.gateway}/api/g_variants",
        "POST",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert posted["responseSummary"]["numTotalResults"] == len(ids)
    lookup = await api_json(await page.locator("#lookup-get").inner_text())
    assert lookup["counts"] == variants["counts"]
    await screens.shoot("search-reproduce", phone=False)


async def test_click_through_to_the_variant_sample_and_individual(
    screens: Screens, stack: UiStack
) -> None:
    page = await screens.goto(f"/?q={GENE}")
    variant = page.locator("#variants tbody tr").first
    variant_id = await variant.get_attribute("data-key")
    await variant.get_by_role("link").first.click()
    await expect(page).to_have_url(re.compile(r"/variants/"))
    await settled(page)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Deletion")
    await expect(page.locator(".facts")).to_contain_text(str(variant_id))
    british = page.locator("#variant-frequencies tr[data-group=GBR]")
    await expect(british.locator("td").nth(1)).to_have_text("1")  # individuals with data
    await expect(british.locator("[data-value=carrier-frequency]")).to_have_text("100%")
    await screens.shoot("variant")

    await page.locator("#carriers").get_by_role("link", name="HG00096").first.click()
    await expect(page).to_have_url(re.compile(r"/samples/HG00096$"))
    await settled(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sample HG00096")
    records = await api_json(
        f"{stack.gateway}/api/biosamples/HG00096/g_variants?requestedGranularity=count"
    )
    total = records["responseSummary"]["numTotalResults"]
    await expect(page.locator("#sample-calls .facts")).to_contain_text(f"{total:,}")
    await expect(page.locator("svg.genome-plot")).to_be_visible()
    await expect(page.locator("#sample-calls tbody")).to_contain_text("heterozygous")
    bed = page.locator("#sample-calls a[data-format=bed]")
    href = await bed.get_attribute("href")
    assert href is not None
    assert "biosample_id=HG00096" in href
    track, *lines = (await api_bytes(f"{stack.gateway}{href}")).decode().splitlines()
    assert track.startswith("track ")
    assert len(lines) == total
    assert all(line.split("\t")[3].endswith(":HG00096") for line in lines)
    await screens.shoot("sample")

    await page.locator(".facts").get_by_role("link", name="HG00096").click()
    await expect(page).to_have_url(re.compile(r"/individuals/HG00096$"))
    await settled(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Individual HG00096")
    await expect(page.locator(".facts")).to_contain_text("male")
    await expect(page.locator(".facts")).to_contain_text("GBR")
    await screens.shoot("individual")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("nonsense words here", "cannot read 'nonsense words here'"),
        ("chr1:999,999,999-1,000,000,000", "past the end of chromosome 1"),
        ("FOOBAR12", "No gene, cytoband or chromosome is called “FOOBAR12”"),
        ("BRCA", "Genes with similar names: BRCA1"),
    ],
)
async def test_bad_input_gives_a_helpful_message(
    screens: Screens, stack: UiStack, text: str, says: str
) -> None:
    page = await screens.goto("/")
    box = page.get_by_role("combobox", name="Search germline copy-number variants")
    await box.fill(text)
    await page.get_by_role("button", name="Search", exact=True).click()
    await settled(page)
    alert = page.locator(".search-problem [role=alert]")
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text(says, ignore_case=True)
    await expect(page.get_by_role("heading", level=2)).to_contain_text("Cannot search for")
    content = await page.locator("main").inner_text()
    assert "Traceback" not in content
    assert "undefined" not in content
    assert await box.input_value() == text, "what was typed stays, to be corrected"
    slug = re.sub(r"\W+", "-", text.lower()).strip("-")[:20]
    await screens.shoot(f"bad-input-{slug}")


async def test_genes_searched_together_show_their_span_and_why_calls_may_be_missing(
    screens: Screens, stack: UiStack
) -> None:
    page = await screens.goto("/?q=SMN1/SMN2")
    await settled(page)
    resolved = await api_json(f"{stack.gateway}/api/resolve?q=SMN1/SMN2")
    assert (resolved["kind"], resolved["label"]) == ("genes", "SMN1/SMN2")
    await expect(page.get_by_role("heading", level=2).first).to_have_text("SMN1/SMN2")
    await expect(page.locator(".result-head__where")).to_contain_text("genes · chr5:")
    caveats = page.locator(".result-head .caveat")
    await expect(caveats).to_have_count(2)  # SMN1 and SMN2
    await expect(caveats.first).to_contain_text("segmental duplication")
    await expect(caveats.first).to_contain_text("no call does not mean no copy-number change")
    counts = await api_json(
        f"{stack.gateway}/api/query/counts?chrom=5&start={resolved['start']}&end={resolved['end']}"
    )
    calls = page.locator("[data-count=calls] .count__value")
    assert shown_count(await calls.inner_text()) == counts["counts"]["calls"]
    await screens.shoot("search-genes-smn")


async def test_a_bad_option_is_explained_next_to_it(screens: Screens, stack: UiStack) -> None:
    page = await screens.goto(f"/?q={GENE}")
    await page.locator("summary", has_text="Options").click()
    size = page.get_by_label("Min. size")
    await size.fill("big")
    await page.get_by_role("button", name="Search", exact=True).click()
    await expect(page.get_by_role("alert").filter(has_text="is not a size")).to_be_visible()
    await expect(size).to_have_attribute("aria-invalid", "true")
    await size.fill("10 kb")
    await page.get_by_role("button", name="Search", exact=True).click()
    await expect(page).to_have_url(re.compile(r"min_length=10000"))
    await settled(page)
    counts = await api_json(f"{stack.gateway}/api/query/counts?gene={GENE}&min_length=10000")
    calls = page.locator("[data-count=calls] .count__value")
    assert shown_count(await calls.inner_text()) == counts["counts"]["calls"]


@pytest.mark.parametrize(
    "beacon_path",
    [
        # A bracket query: start in [180.0, 180.95) Mb, end in [180.95, 181.1) Mb.
        "/api/g_variants?referenceName=5&start=180000000,180950000&end=180950000,181100000",
        # A sample's variants in a region: the link keeps the sample.
        "/api/biosamples/HG00096/g_variants?referenceName=5&start=180000000&end=181500000",
    ],
)
async def test_a_beacon_handover_opens_the_same_query(
    screens: Screens, stack: UiStack, beacon_path: str
) -> None:
    answer = await api_json(f"{stack.gateway}{beacon_path}&requestedGranularity=record")
    handovers = answer["beaconHandovers"]
    (link,) = [h["url"] for h in handovers if "web UI" in h["handoverType"]["label"]]
    assert answer["responseSummary"]["numTotalResults"] >= 1
    page = await screens.goto(f"/?{urlsplit(link).query}")
    await expect(page.locator("#result-title")).to_be_visible()
    calls = page.locator("[data-count=variants] .count__value")
    assert shown_count(await calls.inner_text()) == answer["responseSummary"]["numTotalResults"]
    await expect(page.locator("#variants tbody tr")).to_have_count(
        answer["responseSummary"]["numTotalResults"]
    )
