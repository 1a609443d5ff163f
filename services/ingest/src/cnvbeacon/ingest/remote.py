"""`cnvb submit` and `cnvb jobs`: the ingest HTTP API from the command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TextIO

import aiohttp

from cnvbeacon.ingest.manifest import ManifestError, parse_manifest

DEFAULT_URL = "http://127.0.0.1:8082"
TOKEN_FILE = Path("var/admin-token")
POLL_S = 0.5


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
            async with session.get(f"{url}/batches/{batch_id}") as response:
                batch = await _json(response)
            jobs = batch["jobs"]
        else:
            jobs = []
            for job_id in job_ids:
                async with session.get(f"{url}/jobs/{job_id}") as response:
                    jobs.append(await _json(response))
        finished = [j for j in jobs if j["state"] in ("succeeded", "failed")]
        calls = sum(j["counts"]["calls_stored"] for j in jobs)
        text = (
            f"{_bar(len(finished) / max(len(jobs), 1))} {len(finished)}/{len(jobs)} jobs, "
            f"{calls} calls"
        )
        if text != last or not out.isatty():
            _draw(out, text)
            last = text
        if len(finished) == len(jobs):
            if out.isatty():
                out.write("\n")
            failed = [j for j in jobs if j["state"] == "failed"]
            for job in failed:
                error = job["error"] or {}
                where = (
                    f"{error.get('file')} line {error.get('line')}"
                    if error.get("line")
                    else error.get("file")
                )
                out.write(f"FAILED {job['id']}: {where}: {error.get('message')}\n")
            return not failed
        await asyncio.sleep(POLL_S)


async def submit(args: argparse.Namespace, out: TextIO) -> int:
    url = args.url.rstrip("/")
    headers = {"Authorization": f"Bearer {_token(args.token)}"}
    params = {"dataset": args.dataset} if args.dataset else {}
    if args.assembly:
        params["assembly"] = args.assembly
    async with aiohttp.ClientSession(headers=headers) as session:
        job_ids: list[str] = []
        batch_id: str | None = None
        if args.manifest is not None:
            batch_id = await _submit_manifest(session, url, Path(args.manifest), params)
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
    session: aiohttp.ClientSession, url: str, manifest: Path, params: dict[str, str]
) -> str:
    """Upload the manifest with every local file it names (URLs are fetched by the server)."""
    text = await asyncio.to_thread(manifest.read_text)
    rows = parse_manifest(text)
    form = aiohttp.FormData()
    form.add_field("manifest", text, filename=manifest.name)
    handles = []
    try:
        for row in rows:
            if row.file.startswith(("http://", "https://")):
                continue
            path = manifest.parent / row.file
            if not path.is_file():
                raise ManifestError(row.line, f"no file {path}")
            handle = await asyncio.to_thread(path.open, "rb")
            handles.append(handle)
            form.add_field("file", handle, filename=row.file)
        async with session.post(f"{url}/batches", data=form, params=params) as response:
            return str((await _json(response))["batch_id"])
    finally:
        for handle in handles:
            handle.close()


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
    except (RemoteError, ManifestError, OSError, aiohttp.ClientError) as error:
        sys.stderr.write(f"cnvb: {error}\n")
        return 1
