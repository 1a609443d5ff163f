"""The upload page in a real browser against the real stack: an admin's VCF upload and a
manifest batch show live progress up to 100% (relayed ingest events), a broken file shows
its error (file, line, message) as the API records it, and a wrong token is refused."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import Screens, api_json
from tests.browser.stack import UiStack
from tests.conftest import HG00096_VCF

pytestmark = [pytest.mark.integration, pytest.mark.browser]

UPLOADS = "uploads"  # a dataset of its own: the loaded one keeps its counts


async def set_token(page: Page, token: str) -> None:
    await page.get_by_role("textbox", name="Admin token").fill(token)
    await page.get_by_role("button", name="Use this token").click()
    await expect(page.locator("#token-state")).to_contain_text("A token is set")


def broken_vcf(directory: Path) -> tuple[Path, int]:
    """HG00096's header and first records, then a record whose POS is not a number."""
    lines = gzip.decompress(HG00096_VCF.read_bytes()).decode().splitlines()
    header = [line for line in lines if line.startswith("#")]
    records = [line for line in lines if not line.startswith("#")][:3]
    fields = records[-1].split("\t")
    fields[1] = "not-a-position"
    path = directory / "broken.vcf"
    path.write_text("\n".join([*header, *records, "\t".join(fields)]) + "\n")
    return path, len(header) + len(records) + 1


async def test_an_uploaded_vcf_shows_live_progress_to_100_percent(
    screens: Screens, stack: UiStack
) -> None:
    page = await screens.goto("/upload")
    await expect(page.locator(".connection")).to_have_text("● Live")
    await set_token(page, stack.admin_token)
    await page.get_by_label("Dataset id").fill(UPLOADS)
    await page.get_by_label("DRAGEN CNV VCF files").set_input_files(HG00096_VCF)
    await page.get_by_role("button", name="Upload and ingest").click()

    job = page.locator(".submission .job").first
    await expect(job).to_have_attribute("data-state", "succeeded", timeout=90_000)
    bar = job.get_by_role("progressbar")
    await expect(bar).to_have_attribute("aria-valuenow", "100")
    await expect(job).to_contain_text("591 calls stored")
    card = page.locator(".submission").first
    await expect(card).to_have_attribute("data-finished", "true")
    await expect(card.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "100")
    await expect(card).to_contain_text("1 of 1 file finished")

    job_id = await job.get_attribute("data-job")
    stored = await api_json(f"{stack.gateway}/api/ingest/jobs/{job_id}")
    assert stored["state"] == "succeeded"
    assert stored["dataset_id"] == UPLOADS
    await expect(page.locator(f"tr[data-job='{job_id}']")).to_contain_text("succeeded")
    await screens.shoot("upload-succeeded")


async def test_a_manifest_batch_shows_progress_per_job_and_for_the_batch(
    screens: Screens, stack: UiStack, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text(f"sample\tfile\tsex\nHG00096\t{HG00096_VCF.name}\tmale\n")
    page = await screens.goto("/upload")
    await set_token(page, stack.admin_token)
    await page.get_by_label("A manifest and its files, as one batch").check()
    await page.get_by_label("Dataset id").fill(f"{UPLOADS}-batch")
    await page.get_by_label("Manifest (TSV or CSV").set_input_files(manifest)
    await page.get_by_label("The files it names").set_input_files(HG00096_VCF)
    await page.get_by_role("button", name="Upload and ingest").click()
    card = page.locator(".submission").first
    await expect(card.locator("h3")).to_have_text("Batch: manifest.tsv")
    await expect(card).to_have_attribute("data-finished", "true", timeout=90_000)
    await expect(card.locator(".job")).to_have_count(1)
    await expect(card.locator(".job").first).to_have_attribute("data-state", "succeeded")
    await expect(card.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "100")


async def test_a_broken_file_shows_its_error_and_a_wrong_token_is_refused(
    screens: Screens, stack: UiStack, tmp_path: Path
) -> None:
    path, bad_line = broken_vcf(tmp_path)
    page = await screens.goto("/upload")
    await set_token(page, "not-the-token")
    await page.get_by_label("Dataset id").fill(UPLOADS)
    await page.get_by_label("DRAGEN CNV VCF files").set_input_files(path)
    await page.get_by_role("button", name="Upload and ingest").click()
    refused = page.locator(".submission").first
    await expect(refused.get_by_role("alert")).to_contain_text("admin token")

    await set_token(page, stack.admin_token)
    await page.get_by_label("DRAGEN CNV VCF files").set_input_files(path)
    await page.get_by_role("button", name="Upload and ingest").click()
    job = page.locator(".submission .job").first
    await expect(job).to_have_attribute("data-state", "failed", timeout=90_000)
    job_id = await job.get_attribute("data-job")
    stored = await api_json(f"{stack.gateway}/api/ingest/jobs/{job_id}")
    assert stored["state"] == "failed"
    error = stored["error"]
    assert error["line"] == bad_line, error
    shown = job.locator(".job__error")
    await expect(shown).to_be_visible()
    await expect(shown).to_contain_text(error["file"])
    await expect(shown).to_contain_text(f"line {bad_line}")
    await expect(shown).to_contain_text(error["message"])
    await expect(job.get_by_role("progressbar")).to_have_class(re.compile("progress--failed"))
    await screens.shoot("upload-failed")
