"""Getting a job's file onto local disk: from GridFS, an http(s) URL or the inbox directory."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import aiohttp
from yarl import URL

from cnvbeacon.ingest.uploads import CHUNK_BYTES, UploadStore, sha256_of_file
from cnvbeacon.ingest.url_safety import CheckedResolver, UnsafeUrlError, check_url, redact
from cnvbeacon.shared.models import Job


class SourceError(ValueError):
    """The job's source cannot be read (a permanent problem with the job, not the system)."""


@dataclass(frozen=True, slots=True)
class StagedFile:
    path: Path
    digest: str
    display_name: str


def resolve_inbox_path(inbox_dir: Path | None, name: str) -> Path:
    """A path inside the inbox; anything that escapes it (.., symlinks, absolute) is refused."""
    if inbox_dir is None:
        raise SourceError("this service has no inbox directory configured (CNVB_INBOX_DIR)")
    root = inbox_dir.resolve()
    candidate = (root / name).resolve()
    if candidate != root and root not in candidate.parents:
        raise SourceError(f"path {name!r} is outside the inbox directory")
    if not candidate.is_file():
        raise SourceError(f"no file {name!r} in the inbox directory")
    return candidate


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


@contextlib.asynccontextmanager
async def staged(
    job: Job,
    uploads: UploadStore,
    *,
    inbox_dir: Path | None,
    scratch_dir: Path | None,
    fetch: FetchLimits,
) -> AsyncIterator[StagedFile]:
    """The job's file as a local path with its sha256, removed afterwards if it was a copy."""
    name = Path(job.source.split("?")[0]).name or job.source
    if job.file_id is None and not is_url(job.source):
        path = await asyncio.to_thread(resolve_inbox_path, inbox_dir, job.source)
        yield StagedFile(path, await asyncio.to_thread(sha256_of_file, path), name)
        return
    handle = await asyncio.to_thread(
        tempfile.NamedTemporaryFile, "wb", suffix=".vcf-upload", dir=scratch_dir, delete=False
    )
    path = Path(handle.name)
    try:
        try:
            if job.file_id is not None:
                digest = await uploads.copy_to(job.file_id, handle)
            else:
                digest = await _download(job.source, handle, fetch)
        finally:
            await asyncio.to_thread(handle.close)
        yield StagedFile(path, digest, name)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """What a URL job may fetch (url_safety.py), and for how long."""

    timeout_s: float
    max_bytes: int
    max_redirects: int
    allowed_hosts: frozenset[str]


_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


async def _download(url: str, handle: IO[bytes], limits: FetchLimits) -> str:
    """Fetch a URL into an open file, each redirect checked; every failure of the URL itself
    (refused, too large, too slow, an error answer) is a SourceError: the job fails at once
    instead of being retried."""
    shown = redact(url)
    timeout = aiohttp.ClientTimeout(total=limits.timeout_s)
    connector = aiohttp.TCPConnector(resolver=CheckedResolver(limits.allowed_hosts))
    try:
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            current = url
            for _ in range(limits.max_redirects + 1):
                check_url(current, limits.allowed_hosts)
                async with session.get(current, allow_redirects=False) as response:
                    if response.status in _REDIRECTS:
                        location = response.headers.get("Location")
                        if not location:
                            raise SourceError(f"{redact(current)} redirected nowhere")
                        current = str(response.url.join(URL(location)))
                        continue
                    if response.status >= 400:
                        raise SourceError(f"{redact(current)} answered HTTP {response.status}")
                    return await _save(response, handle, shown, limits.max_bytes)
            raise SourceError(f"{shown}: more than {limits.max_redirects} redirects")
    except UnsafeUrlError as error:
        raise SourceError(str(error)) from None
    except aiohttp.ClientConnectorError as error:
        if isinstance(error.os_error, UnsafeUrlError):
            raise SourceError(str(error.os_error)) from None
        raise
    except TimeoutError:
        raise SourceError(
            f"{shown} did not download within {limits.timeout_s:g} s (CNVB_URL_FETCH_TIMEOUT_S)"
        ) from None


async def _save(
    response: aiohttp.ClientResponse, handle: IO[bytes], shown: str, max_bytes: int
) -> str:
    digest = hashlib.sha256()
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(
                f"{shown} is larger than the limit of {max_bytes} bytes (CNVB_MAX_UPLOAD_BYTES)"
            )
        digest.update(chunk)
        await asyncio.to_thread(handle.write, chunk)
    return digest.hexdigest()
