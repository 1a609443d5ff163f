"""Uploaded VCFs kept in GridFS, where every worker on any machine can read them.

A file uploaded by its content digest (save_verified) is stored once: the digest names
the stored file (UPLOAD_DIGESTS), so uploading it again stores nothing new.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO

from gridfs import AsyncGridFSBucket
from pymongo.errors import DuplicateKeyError

from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import UPLOAD_DIGESTS, UPLOADS_BUCKET

CHUNK_BYTES = 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class UploadTooLargeError(ValueError):
    pass


class DigestMismatchError(ValueError):
    pass


class UploadStore:
    def __init__(self, db: Database) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=UPLOADS_BUCKET)
        self._digests = db[UPLOAD_DIGESTS]

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

    async def by_digest(self, sha256: str) -> tuple[str, int] | None:
        """(file id, size) of the stored upload with this content, if there is one."""
        found = await self._digests.find_one({"_id": sha256})
        return (str(found["file_id"]), int(found["size"])) if found else None

    async def save_verified(
        self, sha256: str, filename: str, chunks: AsyncIterable[bytes], *, max_bytes: int
    ) -> tuple[str, int, bool]:
        """Store a stream whose sha256 digest must be `sha256`; returns (file id, size,
        created). Content already stored is not stored again; content of another digest
        (DigestMismatchError), too large, or cut short leaves nothing."""
        existing = await self.by_digest(sha256)
        if existing is not None:
            async for _ in chunks:  # sent anyway: read to the end, keep nothing
                pass
            return existing[0], existing[1], False
        digest = hashlib.sha256()

        async def verified() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                digest.update(chunk)
                yield chunk

        file_id, size = await self.save(filename, verified(), max_bytes=max_bytes)
        if digest.hexdigest() != sha256:
            await self.delete(file_id)
            raise DigestMismatchError(
                f"the content's sha256 is {digest.hexdigest()}, not {sha256}: the file "
                "changed or was cut short; upload it again"
            )
        try:
            await self._digests.insert_one({"_id": sha256, "file_id": file_id, "size": size})
        except DuplicateKeyError:
            # The same content was stored meanwhile by another upload: keep that one.
            await self.delete(file_id)
            kept = await self.by_digest(sha256)
            assert kept is not None
            return kept[0], kept[1], False
        return file_id, size, True

    async def stored_before(self, moment: datetime) -> list[str]:
        """Ids of the uploads stored before this moment."""
        cursor = self._bucket.find({"uploadDate": {"$lt": moment}})
        return [str(found._id) async for found in cursor]

    async def forget(self, file_id: str) -> None:
        """Delete an upload and its digest entry."""
        await self._digests.delete_many({"file_id": file_id})
        await self.delete(file_id)

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
