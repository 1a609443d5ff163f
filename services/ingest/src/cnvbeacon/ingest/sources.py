"""Getting a job's file onto local disk: from GridFS, an http(s) URL or the inbox directory."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aiohttp

from cnvbeacon.ingest.uploads import CHUNK_BYTES, UploadStore, sha256_of_file
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
    fetch_timeout_s: float,
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
                digest = await _download(job.source, handle, fetch_timeout_s)
        finally:
            await asyncio.to_thread(handle.close)
        yield StagedFile(path, digest, name)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


async def _download(url: str, handle: IO[bytes], timeout_s: float) -> str:
    digest = hashlib.sha256()
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
        if response.status >= 400:
            raise SourceError(f"{url} answered HTTP {response.status}")
        async for chunk in response.content.iter_chunked(CHUNK_BYTES):
            digest.update(chunk)
            await asyncio.to_thread(handle.write, chunk)
    return digest.hexdigest()
