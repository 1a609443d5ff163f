"""The analyses and datasets pages in a real browser against the real stack: the plots
render and download as SVG, the CNV region table pages through what the API has, and the
dataset counts are the Beacon's."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import Screens, api_json, settled
from tests.browser.stack import UiStack

pytestmark = [pytest.mark.integration, pytest.mark.browser]


async def test_analysis_plots_render_and_download(screens: Screens, stack: UiStack) -> None:
    page = await screens.goto("/analyses")
    summary = await api_json(f"{stack.gateway}/api/query/analyses/{stack.dataset}/summary")
    await expect(page.locator(".analysis-state")).to_contain_text(
        f"{summary['summary']['calls']:,} calls"
    )
    await expect(page.get_by_role("tab", name="Genome summary")).to_have_attribute(
        "aria-selected", "true"
    )
    sizes = page.locator("img[data-plot=sizes]")
    await expect(sizes).to_be_visible()
    assert await sizes.evaluate("image => image.naturalWidth") > 100
    await screens.shoot("analyses-summary")

    await page.get_by_role("tab", name="Frequency maps").click()
    await expect(page).to_have_url(re.compile(r"view=frequency"))
    await settled(page)
    plot = page.locator("img[data-plot=frequency]")
    await expect(plot).to_be_visible()
    assert await plot.evaluate("image => image.complete && image.naturalWidth > 100")
    async with page.expect_download() as info:
        await page.locator("a[data-download=frequency]").click()
    path = await (await info.value).path()
    assert path is not None
    assert b"</svg>" in path.read_bytes()

    await page.get_by_label("Show").select_option("5")
    await expect(page).to_have_url(re.compile(r"chrom=5"))
    await expect(page.locator("img[data-plot=frequency-chr5]")).to_be_visible()
    await screens.shoot("analyses-frequency-chr5")


async def test_cnv_regions_page_through_the_api_table(screens: Screens, stack: UiStack) -> None:
    page = await screens.goto("/analyses?view=cnvrs")
    base = f"{stack.gateway}/api/query/analyses/{stack.dataset}"
    everything = await api_json(f"{base}/cnvrs?limit=1")
    await expect(page.locator(".pager__position")).to_have_text(
        f"1\N{EN DASH}25 of {everything['total']:,}"
    )
    await page.get_by_label("Class").select_option("duplication")
    await page.get_by_label("Chromosome").select_option("1")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"class=duplication"))
    await settled(page)
    filtered = await api_json(f"{base}/cnvrs?class=duplication&chrom=1&limit=100")
    rows = page.locator(".data-table tbody tr")
    await expect(rows).to_have_count(min(filtered["total"], 25))
    await expect(rows.first).to_contain_text("duplication")
    first = filtered["rows"][0]
    await expect(rows.first).to_contain_text(f"chr1:{first['start']:,}-{first['end']:,}")
    # HG00096 alone: every CNVR is a singleton, its V_ST not applicable.
    await expect(rows.first.locator("td").nth(5)).to_have_text("NA")
    # Sorted by size: the longest first, as the API sorts them.
    await page.get_by_role("button", name="Size").click()
    longest = await api_json(f"{base}/cnvrs?class=duplication&chrom=1&sort=length&limit=1")
    top = longest["rows"][0]
    await expect(rows.first).to_contain_text(f"chr1:{top['start']:,}-{top['end']:,}")
    lengths = [r["end"] - r["start"] for r in filtered["rows"]]
    assert top["end"] - top["start"] == max(lengths)
    tsv = page.locator("a[data-tsv=cnvrs]")
    assert "class=duplication" in str(await tsv.get_attribute("href"))
    await expect(page.locator("img[data-plot=cnvr-map]")).to_be_visible()
    await screens.shoot("analyses-cnvrs")

    await page.get_by_role("tab", name="V_ST outliers").click()
    await settled(page)
    vst = await api_json(f"{base}/vst")
    await expect(page.locator(".panel__note").first).to_contain_text(f"{vst['tested']} CNV")
    await expect(page.locator("img[data-plot=vst]")).to_be_visible()
    await page.get_by_role("tab", name="Population comparison").click()
    await settled(page)
    await page.get_by_label("Compare a gene across groups").fill("BTNL8")
    await page.get_by_role("button", name="Compare").click()
    await expect(page.locator(".compare-out table")).to_contain_text("GBR")
    await screens.shoot("analyses-populations")


async def test_datasets_show_the_beacon_counts(screens: Screens, stack: UiStack) -> None:
    page = await screens.goto("/datasets")
    body = await api_json(f"{stack.gateway}/api/datasets?requestedGranularity=record")
    (dataset,) = body["response"]["collections"]
    card = page.locator(f"[data-dataset='{dataset['id']}']")
    await expect(card.locator("[data-count=registered]")).to_contain_text("3,202")
    await expect(card).to_contain_text("ready")
    counts = dataset["info"]["counts"]
    assert counts is not None  # the read model counts every dataset of a known assembly
    for key in ("calls", "variants", "biosamples"):
        value = card.locator(f"[data-count={key}] .count__value")
        await expect(value).to_have_text(f"{counts[key]:,}")
    await screens.shoot("datasets")


async def test_the_analyses_open_on_the_largest_dataset_and_say_when_it_is_small(
    screens: Screens, stack: UiStack
) -> None:
    body = await api_json(f"{stack.gateway}/api/datasets?requestedGranularity=record")
    records = body["response"]["collections"]
    largest = max(records, key=lambda d: (d["info"]["counts"] or {}).get("biosamples", 0))
    samples = largest["info"]["counts"]["biosamples"]
    page = await screens.goto("/analyses")
    await expect(page.locator("#analysis-dataset")).to_have_value(largest["id"])
    warning = page.locator(".few-samples")
    if samples < 20:
        noun = "1 sample" if samples == 1 else f"{samples} samples"
        await expect(warning).to_contain_text(f"This dataset has {noun} with calls")
    else:
        await expect(warning).to_have_count(0)
