"""The ingest service's HTTP API as the benchmark uses it: sample table, batches, status."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

POLL_INTERVAL_S = 2.0  # finish times come from the jobs, so polling only costs the store


class IngestError(RuntimeError):
    pass


@dataclass(frozen=True)
class BatchOutcome:
    batch_id: str
    files: int
    calls_stored: int
    failed: int
    # From submitting the manifest until the last job finished (its finished_at, so the
    # polling interval does not count).
    seconds: float
    first_error: str | None


class IngestClient:
    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self._session = session
        self._url = url
        self._auth = {"Authorization": f"Bearer {token}"}

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        headers = {**self._auth, **kwargs.pop("headers", {})}
        async with self._session.request(
            method, f"{self._url}{path}", headers=headers, **kwargs
        ) as response:
            body: dict[str, Any] = await response.json(content_type=None)
            if response.status >= 400:
                raise IngestError(f"{method} {path}: HTTP {response.status}: {body}")
            return body

    async def load_sample_table(self, dataset: str, table: str) -> int:
        body = await self._json(
            "POST", "/individuals", params={"dataset": dataset}, data=table.encode()
        )
        return int(body["individuals"])

    async def submit_batch(self, dataset: str, manifest: str) -> str:
        body = await self._json(
            "POST",
            "/batches",
            params={"dataset": dataset},
            data=manifest.encode(),
            headers={"Content-Type": "text/tab-separated-values"},
        )
        return str(body["batch_id"])

    async def batch_status(self, batch_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/batches/{batch_id}")

    async def run_batch(self, dataset: str, manifest: str, files: int) -> BatchOutcome:
        """Submit a manifest and wait until every job has succeeded or failed."""
        started = datetime.now(UTC)
        batch_id = await self.submit_batch(dataset, manifest)
        while True:
            status = await self.batch_status(batch_id)
            if status["finished"]:
                break
            await asyncio.sleep(POLL_INTERVAL_S)
        last_finished = max(_utc(job["finished_at"]) for job in status["jobs"])
        seconds = (last_finished - started).total_seconds()
        failed_jobs = [job for job in status["jobs"] if job["state"] == "failed"]
        return BatchOutcome(
            batch_id=batch_id,
            files=files,
            calls_stored=int(status["calls_stored"]),
            failed=len(failed_jobs),
            seconds=seconds,
            first_error=str(failed_jobs[0].get("error")) if failed_jobs else None,
        )


def _utc(timestamp: str) -> datetime:
    moment = datetime.fromisoformat(timestamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def manifest_text(header: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    lines = ["\t".join(header)]
    lines += ["\t".join(row[column] for column in header) for row in rows]
    return "\n".join(lines) + "\n"
