"""URL jobs cannot be turned against us: unit checks of the address rules and redaction,
and URL jobs through the real queue that name loopback addresses (directly, by a name, or
by a redirect), another scheme, an over-size file or an endless stream: each fails at once
with a clear message and one attempt; credentials never show in job views or logs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web

from cnvbeacon.ingest.app import create_app
from cnvbeacon.ingest.url_safety import UnsafeUrlError, check_url, is_public_address, redact
from tests.conftest import HG00096_VCF, Backends
from tests.ingest.test_ingest_integration import AUTH, ingest_settings
from tests.support.services import serve, wait_for_job


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("2606:4700::1111", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_urls_of_other_schemes_or_private_addresses_are_refused() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/a", "http://127.0.0.1:5672/"):
        with pytest.raises(UnsafeUrlError):
            check_url(url, ())
    check_url("http://127.0.0.1:8080/a.vcf", ["127.0.0.1"])
    check_url("https://example.org/a.vcf", ())  # a name: checked when connecting


def test_credentials_and_signatures_are_redacted() -> None:
    url = "https://user:pw@bucket.example/a.vcf.gz?X-Amz-Signature=abc&X-Amz-Credential=k&part=1"
    shown = redact(url)
    for secret in ("pw", "user", "abc"):
        assert secret not in shown
    assert shown == (
        "https://REDACTED@bucket.example/a.vcf.gz?X-Amz-Signature=REDACTED"
        "&X-Amz-Credential=REDACTED&part=1"
    )


async def _files() -> web.Application:
    async def the_vcf(request: web.Request) -> web.FileResponse:
        return web.FileResponse(HG00096_VCF)

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        while True:
            await response.write(b"#" * 65536)
            await asyncio.sleep(0.01)

    async def to_loopback(request: web.Request) -> web.Response:
        port = request.url.port
        raise web.HTTPFound(f"http://127.0.0.1:{port}/HG00096.vcf.gz")

    async def to_file(request: web.Request) -> web.Response:
        raise web.HTTPFound("file:///etc/passwd")

    app = web.Application()
    app.router.add_get("/HG00096.vcf.gz", the_vcf)
    app.router.add_get("/endless.vcf", endless)
    app.router.add_get("/to-loopback", to_loopback)
    app.router.add_get("/to-file", to_file)
    return app


async def _job(session: ClientSession, url: str, source: str) -> tuple[int, dict[str, Any]]:
    async with session.post(
        f"{url}/jobs", json={"source": source, "dataset": "u"}, headers=AUTH
    ) as response:
        return response.status, await response.json()


@pytest.fixture
async def files() -> AsyncIterator[str]:
    async with serve(await _files()) as url:
        yield url.replace("127.0.0.1", "localhost")


async def test_url_jobs_to_internal_addresses_fail_at_once(
    backends_env: Backends, files: str
) -> None:
    port = files.rsplit(":", 1)[1]
    settings = ingest_settings(backends_env, url_allowed_hosts=[])
    async with serve(create_app(settings)) as url, ClientSession() as session:
        status, body = await _job(session, url, f"http://127.0.0.1:{port}/HG00096.vcf.gz")
        assert status == 400
        assert "not a public address" in body["error"]["message"]
        assert body["error"]["parameter"] == "source"
        status, body = await _job(session, url, f"{files}/HG00096.vcf.gz")  # localhost
        assert status == 202, body
        job = await wait_for_job(session, url, body["id"])
    assert job["state"] == "failed"
    assert "not a public address" in job["error"]["message"]
    assert job["attempts"] == 1


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/to-loopback", "127.0.0.1 is not a public address"),
        ("/to-file", "only http, https URLs"),
        ("/endless.vcf", "larger than the limit"),
    ],
)
async def test_redirects_and_oversized_streams_fail_at_once(
    backends_env: Backends, files: str, path: str, message: str
) -> None:
    settings = ingest_settings(
        backends_env, url_allowed_hosts=["localhost"], max_upload_bytes=1024**2
    )
    async with serve(create_app(settings)) as url, ClientSession() as session:
        status, body = await _job(session, url, f"{files}{path}")
        assert status == 202, body
        job = await wait_for_job(session, url, body["id"])
    assert job["state"] == "failed", job
    assert message in job["error"]["message"]
    assert job["attempts"] == 1


async def test_an_endless_slow_download_fails_at_its_time_limit(
    backends_env: Backends, files: str
) -> None:
    settings = ingest_settings(
        backends_env, url_allowed_hosts=["localhost"], url_fetch_timeout_s=1.0
    )
    async with serve(create_app(settings)) as url, ClientSession() as session:
        status, body = await _job(session, url, f"{files}/endless.vcf")
        assert status == 202, body
        job = await wait_for_job(session, url, body["id"])
    assert job["state"] == "failed", job
    assert "did not download within 1 s" in job["error"]["message"]
    assert job["attempts"] == 1


async def test_credentials_never_show(
    backends_env: Backends, files: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    secret = files.replace("http://", "http://someone:hunter2@") + "/missing.vcf.gz"
    secret += "?X-Amz-Signature=s3cr3t"
    settings = ingest_settings(backends_env, url_allowed_hosts=["localhost"])
    async with serve(create_app(settings)) as url, ClientSession() as session:
        status, body = await _job(session, url, secret)
        assert status == 202, body
        job = await wait_for_job(session, url, body["id"])
        async with session.get(f"{url}/jobs") as response:
            listed = await response.text()
    assert job["state"] == "failed"
    # Our services' log lines (the file server's own access log sees its URL, of course).
    ours = "\n".join(
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name.startswith("cnvbeacon")
    )
    assert "job failed" in ours
    for text in (str(body), str(job), listed, ours):
        assert "hunter2" not in text
        assert "s3cr3t" not in text
    assert "REDACTED" in job["source"]
