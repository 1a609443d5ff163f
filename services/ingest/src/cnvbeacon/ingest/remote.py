"""`cnvb submit` and `cnvb jobs`: the ingest HTTP API from the command line."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TextIO

import aiohttp

from cnvbeacon.ingest.manifest import ManifestError, ManifestRow, parse_manifest
from cnvbeacon.ingest.uploads import sha256_of_file

DEFAULT_URL = "http://127.0.0.1:8082"
TOKEN_FILE = Path("var/admin-token")
POLL_S = 0.5
BATCH_POLL_S = 1.0
UPLOAD_PARALLEL = 4
TIMEOUT_S = 300.0


class RemoteError(RuntimeError):
    pass


def _token(given: str | None) -> str:
    """--token, else CNVB_ADMIN_TOKEN, else the token `make up` wrote in ./var."""
    if given:
        return given
    if token := os.environ.get("CNVB_ADMIN_TOKEN"):
        return token
    if TOKEN_FILE.is_file():
        return TOKEN_FILE.read_text().strip()
    raise RemoteError("no admin token: pass --token or set CNVB_ADMIN_TOKEN")


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    body: dict[str, Any] = await response.json(content_type=None)
    if response.status >= 400:
        raise RemoteError(body.get("error", {}).get("message", f"HTTP {response.status}"))
    return body


def _bar(done: float, width: int = 30) -> str:
    filled = round(done * width)
    return "[" + "#" * filled + "." * (width - filled) + f"] {done * 100:5.1f}%"


def _draw(out: TextIO, text: str) -> None:
    if out.isatty():
        out.write("\r" + text.ljust(100))
    else:
        out.write(text + "\n")
    out.flush()


async def _wait(
    session: aiohttp.ClientSession, url: str, job_ids: list[str], batch_id: str | None, out: TextIO
) -> bool:
    """Show progress until every job finished; True when all succeeded."""
    last = ""
    while True:
        if batch_id is not None:
            # Counts only, and the failed jobs: a batch of thousands is not listed each time.
            async with session.get(
                f"{url}/batches/{batch_id}", params={"jobs": "failed"}
            ) as response:
                batch = await _json(response)
            by_state = batch["jobs_by_state"]
            total = int(batch["size"])
            done = by_state["succeeded"] + by_state["failed"]
            calls = int(batch["calls_stored"])
            failed = batch["jobs"]
            created = f", {batch['jobs_created']} created" if batch["jobs_created"] < total else ""
        else:
            jobs = []
            for job_id in job_ids:
                async with session.get(f"{url}/jobs/{job_id}") as response:
                    jobs.append(await _json(response))
            total = len(jobs)
            done = sum(j["state"] in ("succeeded", "failed") for j in jobs)
            calls = sum(j["counts"]["calls_stored"] for j in jobs)
            failed = [j for j in jobs if j["state"] == "failed"]
            created = ""
        text = f"ingest {_bar(done / max(total, 1))} {done}/{total} jobs{created}, {calls} calls"
        if text != last or not out.isatty():
            _draw(out, text)
            last = text
        if done == total:
            if out.isatty():
                out.write("\n")
            for job in failed:
                error = job["error"] or {}
                where = (
                    f"{error.get('file')} line {error.get('line')}"
                    if error.get("line")
                    else error.get("file")
                )
                out.write(f"FAILED {job['id']}: {where}: {error.get('message')}\n")
            return not failed
        await asyncio.sleep(POLL_S if batch_id is None else BATCH_POLL_S)


async def submit(args: argparse.Namespace, out: TextIO) -> int:
    url = args.url.rstrip("/")
    headers = {"Authorization": f"Bearer {_token(args.token)}"}
    params = {"dataset": args.dataset} if args.dataset else {}
    if args.assembly:
        params["assembly"] = args.assembly
    timeout = aiohttp.ClientTimeout(total=None, connect=30, sock_read=args.timeout)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:
        job_ids: list[str] = []
        batch_id: str | None = None
        if args.manifest is not None:
            batch_id = await _submit_manifest(
                session, url, Path(args.manifest), params, out, args.parallel
            )
            out.write(f"batch {batch_id}\n")
        for name in args.files:
            path = Path(name)
            # aiohttp reads file objects off the event loop; only opening is ours to move.
            handle = await asyncio.to_thread(path.open, "rb")
            try:
                async with session.post(
                    f"{url}/jobs", data=handle, params={**params, "filename": path.name}
                ) as response:
                    job = await _json(response)
            finally:
                handle.close()
            job_ids.append(job["id"])
            out.write(f"{job['id']}  {path}\n")
        if not args.wait:
            return 0
        ok = True
        if batch_id is not None:
            ok = await _wait(session, url, [], batch_id, out)
        if job_ids:
            ok = await _wait(session, url, job_ids, None, out) and ok
        return 0 if ok else 1


async def _submit_manifest(
    session: aiohttp.ClientSession,
    url: str,
    manifest: Path,
    params: dict[str, str],
    out: TextIO,
    parallel: int,
) -> str:
    """Upload every local file the manifest names (by content digest, `parallel` at a
    time, skipping those the service has), then submit the manifest naming them. Running it
    again resumes: stored files are not sent again, and the same batch is returned."""
    text = await asyncio.to_thread(manifest.read_text)
    local = await asyncio.to_thread(_local_files, manifest, parse_manifest(text))
    uploads = await _upload_all(session, url, local, out, parallel)
    key = hashlib.sha256(
        json.dumps([params, text, sorted(uploads.items())], sort_keys=True).encode()
    ).hexdigest()[:32]
    body = {"manifest": text, "uploads": uploads, "key": key}
    async with session.post(f"{url}/batches", json=body, params=params) as response:
        answer = await _json(response)
    if answer.get("existing"):
        out.write("this manifest was submitted before: following that batch\n")
    return str(answer["batch_id"])


def _local_files(manifest: Path, rows: list[ManifestRow]) -> dict[str, Path]:
    """The files the manifest names on this machine (not URLs), which must exist."""
    local: dict[str, Path] = {}
    for row in rows:
        if row.file.startswith(("http://", "https://")):
            continue
        path = manifest.parent / row.file
        if not path.is_file():
            raise ManifestError(row.line, f"no file {path}")
        local[row.file] = path
    return local


async def _upload_all(
    session: aiohttp.ClientSession, url: str, files: dict[str, Path], out: TextIO, parallel: int
) -> dict[str, str]:
    """manifest file name -> sha256 of its content, each stored by the service."""
    digests: dict[str, str] = {}
    progress = {"done": 0, "sent": 0, "skipped": 0, "bytes": 0}
    started = time.monotonic()
    slots = asyncio.Semaphore(parallel)

    def show() -> None:
        rate = progress["bytes"] / max(time.monotonic() - started, 1e-3) / 1e6
        _draw(
            out,
            f"upload {_bar(progress['done'] / max(len(files), 1))} "
            f"{progress['done']}/{len(files)} files, {progress['sent']} sent "
            f"({progress['bytes'] / 1e6:.1f} MB, {rate:.1f} MB/s), "
            f"{progress['skipped']} already stored",
        )

    async def one(name: str, path: Path) -> None:
        async with slots:
            sha256 = await asyncio.to_thread(sha256_of_file, path)
            async with session.get(f"{url}/uploads/{sha256}") as response:
                stored = response.status == 200
                if response.status not in (200, 404):
                    await _json(response)
            if stored:
                progress["skipped"] += 1
            else:
                handle = await asyncio.to_thread(path.open, "rb")
                try:
                    async with session.put(
                        f"{url}/uploads/{sha256}", data=handle, params={"filename": path.name}
                    ) as response:
                        await _json(response)
                finally:
                    handle.close()
                progress["sent"] += 1
                progress["bytes"] += (await asyncio.to_thread(path.stat)).st_size
            digests[name] = sha256
            progress["done"] += 1
            if out.isatty() or progress["done"] % 100 == 0 or progress["done"] == len(files):
                show()

    await asyncio.gather(*(one(name, path) for name, path in files.items()))
    if files and out.isatty():
        out.write("\n")
    return digests


async def jobs(args: argparse.Namespace, out: TextIO) -> int:
    url = args.url.rstrip("/")
    async with aiohttp.ClientSession() as session:
        if args.job_id:
            async with session.get(f"{url}/jobs/{args.job_id}") as response:
                listed = [await _json(response)]
        else:
            async with session.get(f"{url}/jobs", params={"limit": str(args.limit)}) as response:
                listed = (await _json(response))["jobs"]
    for job in listed:
        counts = job["counts"]
        line = (
            f"{job['id']}  {job['state']:9s}  {job['dataset_id']:12s}  "
            f"read {counts['records_read']:>7}  stored {counts['calls_stored']:>7}  "
            f"skipped {counts['records_skipped']:>5}  {job['source']}"
        )
        out.write(line + "\n")
        if job.get("error"):
            error = job["error"]
            out.write(f"    error: {error['file']} line {error['line']}: {error['message']}\n")
    return 0


def add_parsers(subparsers: Any) -> None:
    """Register `submit` and `jobs` on the `cnvb` command."""
    submit_parser = subparsers.add_parser("submit", help="submit VCFs or a manifest for ingest")
    submit_parser.add_argument("files", nargs="*", help="VCF files (plain or bgzipped)")
    submit_parser.add_argument("--manifest", help="TSV/CSV manifest: sample, file, sex, ...")
    submit_parser.add_argument("--dataset", help="dataset id (default: the service's)")
    submit_parser.add_argument("--assembly", help="GRCh38 or GRCh37 (default: from the file)")
    submit_parser.add_argument("--wait", action="store_true", help="show progress until done")
    submit_parser.add_argument("--token", help="admin token (default: CNVB_ADMIN_TOKEN)")
    submit_parser.add_argument("--url", default=os.environ.get("CNVB_INGEST_URL", DEFAULT_URL))
    submit_parser.add_argument(
        "--parallel", type=int, default=UPLOAD_PARALLEL, help="files uploaded at once (default 4)"
    )
    submit_parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT_S,
        help=f"seconds to wait for an answer from the service (default {TIMEOUT_S:g})",
    )
    submit_parser.set_defaults(handler=_run_submit)
    jobs_parser = subparsers.add_parser("jobs", help="list jobs, or show one")
    jobs_parser.add_argument("job_id", nargs="?")
    jobs_parser.add_argument("--limit", type=int, default=20)
    jobs_parser.add_argument("--url", default=os.environ.get("CNVB_INGEST_URL", DEFAULT_URL))
    jobs_parser.set_defaults(handler=_run_jobs)


def _run_submit(args: argparse.Namespace) -> int:
    if not args.files and args.manifest is None:
        sys.stderr.write("cnvb submit: give VCF files or --manifest\n")
        return 2
    return _run(submit(args, sys.stdout))


def _run_jobs(args: argparse.Namespace) -> int:
    return _run(jobs(args, sys.stdout))


def _run(command: Coroutine[Any, Any, int]) -> int:
    try:
        return asyncio.run(command)
    except (RemoteError, ManifestError, OSError, aiohttp.ClientError, TimeoutError) as error:
        sys.stderr.write(f"cnvb: {describe(error)}\n")
        return 1


def describe(error: BaseException) -> str:
    """What failed and what to do, for any error a command meets (never empty)."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return (
            f"cannot reach the ingest service at {error.host}:{error.port} ({error.os_error}); "
            "is it running? Give its address with --url or CNVB_INGEST_URL"
        )
    if isinstance(error, TimeoutError | aiohttp.ServerTimeoutError):
        return "the ingest service did not answer in time; raise --timeout, or try again"
    if isinstance(
        error, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | ConnectionError
    ):
        return (
            f"the connection to the ingest service broke ({type(error).__name__}"
            f"{': ' + str(error) if str(error) else ''}); run the same command again to "
            "resume: files already stored are not sent again"
        )
    text = str(error)
    return f"{type(error).__name__}: {text}" if not text or text == type(error).__name__ else text
