"""Uploaded VCFs kept in GridFS, where every worker on any machine can read them."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterable
from pathlib import Path
from typing import IO

from gridfs import AsyncGridFSBucket

from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import UPLOADS_BUCKET

CHUNK_BYTES = 1024 * 1024


class UploadTooLargeError(ValueError):
    pass


class UploadStore:
    def __init__(self, db: Database) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=UPLOADS_BUCKET)

    async def save(
        self, filename: str, chunks: AsyncIterable[bytes], *, max_bytes: int
    ) -> tuple[str, int]:
        """Store a stream; returns (file id, size). A failed or oversized upload leaves nothing."""
        file_id = f"upload-{uuid.uuid4().hex}"
        sink = self._bucket.open_upload_stream_with_id(file_id, filename)
        size = 0
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLargeError(f"upload exceeds the limit of {max_bytes} bytes")
                await sink.write(chunk)
            await sink.close()
        except BaseException:
            await sink.abort()
            raise
        return file_id, size

    async def copy_to(self, file_id: str, target: IO[bytes]) -> str:
        """Write the stored file into an open binary file; returns its sha256 hex digest."""
        digest = hashlib.sha256()
        source = await self._bucket.open_download_stream(file_id)
        while chunk := await source.read(CHUNK_BYTES):
            digest.update(chunk)
            await asyncio.to_thread(target.write, chunk)
        return digest.hexdigest()

    async def delete(self, file_id: str) -> None:
        await self._bucket.delete(file_id)


def sha256_of_file(path: Path) -> str:
    """Blocking; call it in a thread."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
