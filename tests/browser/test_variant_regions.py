"""Frequencies in the browser equal the API's, with a generated cohort of 1kGP samples
loaded beside HG00096: the search page's variant-regions table (carriers, loss and gain
carrier and allele counts), a region's detail per group (individuals with data, carriers,
copy numbers), and the carriers-by-population panel, for the most carried region of
chromosome 1; the synthetic data are flagged; the regions download equals the export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from aiohttp import ClientSession
from playwright.async_api import Locator, expect

from bench.cohort.generate import CohortSpec, generate_cohort
from tests.browser.pages import Screens, api_bytes, api_json, settled
from tests.browser.stack import UiStack, ui_stack
from tests.gateway.stacks import load_cohort
from tests.support.services import sync_read_model

pytestmark = [pytest.mark.integration, pytest.mark.browser]
COHORT = "cohort"
WINDOW = 3_000_000


@pytest_asyncio.fixture(scope="module")
async def stack(
    mongodb_url: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[UiStack]:
    directory = Path(tmp_path_factory.mktemp("ui-cohort"))
    cohort = generate_cohort(CohortSpec(samples=16, seed=37, directory=directory)).cohort
    async with ui_stack(mongodb_url, amqp_url) as running:
        async with ClientSession() as session:
            await load_cohort(session, running.ingest, cohort, COHORT)
            await sync_read_model(session, running.query)
        yield running


async def _most_carried_region(stack: UiStack) -> dict[str, Any]:
    body = await api_json(
        f"{stack.gateway}/api/query/variant_regions?"
        + urlencode({"datasets": COHORT, "chrom": "1", "order": "carriers", "limit": "1"})
    )
    region: dict[str, Any] = body["regions"][0]
    assert region["carriers"] >= 3, region
    return region


async def _frequency_cell(cell: Locator, counts: dict[str, Any]) -> None:
    if counts["carriers"] == 0:
        await expect(cell).to_have_text("0")
        return
    await expect(cell).to_contain_text(f"({counts['carriers']})")
    title = await cell.locator(".region-freq__af").get_attribute("title")
    assert title == f"allele count {counts['allele_count']} of {counts['allele_number']}"


async def test_variant_regions_and_frequencies_show_the_api_numbers(
    screens: Screens, stack: UiStack
) -> None:
    top = await _most_carried_region(stack)
    # A window around it, holding other regions too.
    start, end = max(0, top["span_start"] - WINDOW), top["span_end"] + WINDOW
    page = await screens.goto(
        f"/?{urlencode({'q': f'chr1:{start + 1}-{end}', 'datasets': COHORT})}"
    )
    await settled(page)
    lookup = {
        "datasets": COHORT,
        "chrom": "1",
        "start": str(start),
        "end": str(end),
        "assembly": "GRCh38",
    }
    api = await api_json(
        f"{stack.gateway}/api/query/variant_regions?"
        + urlencode({**lookup, "order": "carriers", "limit": "10"})
    )
    panel = page.locator("#variant-regions")
    await expect(panel).to_contain_text(f"{api['counts']['regions']} variant region")
    await expect(panel.locator(".synthetic")).to_contain_text("Synthetic data")
    rows = panel.locator("table").first.locator("tbody tr")
    await expect(rows).to_have_count(len(api["regions"]))
    assert len(api["regions"]) >= 2
    assert api["regions"][0]["id"] == top["id"]
    assert await rows.evaluate_all("rows => rows.map(r => r.dataset.key)") == [
        r["id"] for r in api["regions"]
    ]
    for index, region in enumerate(api["regions"][:5]):
        cells = rows.nth(index).locator("td")
        everyone = next(g for g in region["groups"] if g["level"] == "all")
        await expect(cells.nth(3)).to_have_text(str(region["carriers"]))
        await _frequency_cell(cells.nth(4), everyone["loss"])
        await _frequency_cell(cells.nth(5), everyone["gain"])

    # The first region's detail is open: every group with data, as the API gives it.
    first = api["regions"][0]
    detail = panel.locator(f".region-detail__table[data-region='{first['id']}']")
    await expect(detail).to_be_visible()
    await panel.locator(".region-detail").get_by_role("button", name="Show the").click()
    for group in first["groups"]:
        row = detail.locator(f"tr[data-group='{group['code']}']")
        cells = row.locator("td")
        await expect(cells.nth(0)).to_have_text(str(group["individuals"]))
        await _frequency_cell(cells.nth(1), group["loss"])
        await _frequency_cell(cells.nth(2), group["gain"])
        await expect(cells.nth(3)).to_contain_text(
            f"no call: {group['individuals'] - group['carriers']}"
        )
        for copies, carriers in group["copy_numbers"].items():
            await expect(cells.nth(3)).to_contain_text(f"CN{copies}: {carriers}")

    # Another region's detail on click.
    if len(api["regions"]) > 1:
        second = api["regions"][1]
        await rows.nth(1).get_by_role("button").click()
        await expect(
            panel.locator(f".region-detail__table[data-region='{second['id']}']")
        ).to_be_visible()

    # The carriers-by-population panel: carriers of a matching loss per group over the
    # individuals with data in the cohort.
    sizes = await api_json(f"{stack.gateway}/api/query/populations?datasets={COHORT}")
    (cohort_sizes,) = sizes["datasets"]
    carried = await api_json(
        f"{stack.gateway}/api/query/carrier_groups?" + urlencode({**lookup, "variant_type": "DEL"})
    )
    losses = {g["code"]: g["carriers"] for g in carried["datasets"][0]["groups"]}
    for group in cohort_sizes["groups"]:
        if group["level"] != "superpopulation" or not group["individuals"]:
            continue
        row = page.locator(f"#frequencies tr[data-group='{group['code']}']")
        await expect(row.locator("td").first).to_have_text(str(group["individuals"]))
        await expect(row.locator("td").nth(1)).to_contain_text(f"({losses.get(group['code'], 0)})")
    await screens.shoot("search-variant-regions")


async def test_the_regions_download_equals_the_export(screens: Screens, stack: UiStack) -> None:
    top = await _most_carried_region(stack)
    search = {"q": f"chr1:{top['span_start'] + 1}-{top['span_end']}", "datasets": COHORT}
    page = await screens.goto(f"/?{urlencode(search)}")
    await settled(page)
    link = page.locator("#variant-regions a[data-grouping=variant_regions][data-format=bed]")
    href = await link.get_attribute("href")
    assert href is not None
    assert href.startswith("/api/exports/variant_regions?")
    async with page.expect_download() as info:
        await link.click()
    path = await (await info.value).path()
    assert path is not None
    downloaded = path.read_bytes()
    assert downloaded == await api_bytes(f"{stack.gateway}{href}")
    track, *lines = downloaded.decode().splitlines()
    assert "SYNTHETIC" in track
    assert any(line.split("\t")[3] == f"{top['class']}:{top['carriers']}" for line in lines)
