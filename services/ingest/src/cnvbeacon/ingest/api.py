"""HTTP API of the ingest service: submit uploads, URLs, inbox paths and batches; read status."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from pymongo.errors import ConnectionFailure

from cnvbeacon.ingest import call_writer, keys
from cnvbeacon.ingest.batches import job_id_of, row_document
from cnvbeacon.ingest.manifest import ManifestError, parse_manifest
from cnvbeacon.ingest.sources import SourceError, is_url, resolve_inbox_path
from cnvbeacon.ingest.submission import QueueUnavailableError, submit_job
from cnvbeacon.ingest.uploads import SHA256, DigestMismatchError, UploadTooLargeError
from cnvbeacon.ingest.url_safety import UnsafeUrlError, check_url, shown_source
from cnvbeacon.shared.models import Job, JobState
from cnvbeacon.shared.reference.samples import (
    SampleRecord,
    load_1kgp_samples,
    parse_sample_table,
)
from cnvbeacon.shared.store.changes import WITHOUT_CHANGES
from cnvbeacon.shared.store.collections import DATASETS
from cnvbeacon.shared.web import DATABASE

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_SEX = {"female", "male", "unknown"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, message: str, **details: Any) -> web.Response:
    return web.json_response(
        {"error": {"status": status, "message": message, **details}}, status=status
    )


class BadRequestError(Exception):
    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error this API returns is JSON with a message a person understands."""
    try:
        return await handler(request)
    except BadRequestError as error:
        return error_response(400, error.message, parameter=error.parameter)
    except (ManifestError, SourceError) as error:
        return error_response(400, str(error))
    except UploadTooLargeError as error:
        return error_response(413, str(error))
    except DigestMismatchError as error:
        return error_response(400, str(error), parameter="sha256")
    except QueueUnavailableError as error:
        return error_response(503, f"the job queue is unavailable: {error}")
    except ConnectionFailure as error:
        return error_response(503, f"the store is unavailable, try again: {error}")
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return error_response(error.status, error.reason)


def require_admin(request: web.Request) -> None:
    token = request.app[keys.SETTINGS].admin_token.get_secret_value()
    if not token:
        raise web.HTTPForbidden(reason="submitting data is disabled: no admin token is configured")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise web.HTTPUnauthorized(reason="a valid admin token is required (Authorization: Bearer)")


def _identifier(value: str | None, parameter: str, default: str | None = None) -> str | None:
    value = value if value not in (None, "") else default
    if value is not None and not _ID.match(value):
        raise BadRequestError(
            f"{parameter} must be 1-64 letters, digits or _.:- (got {value!r})", parameter
        )
    return value


def _sample_metadata(params: dict[str, str], sample: str | None) -> dict[str, Any] | None:
    sex = params.get("sex")
    if sex is not None and sex not in _SEX:
        raise BadRequestError("sex must be female, male or unknown", "sex")
    attributes = {k: params.get(k) for k in ("sex", "population", "superpopulation")}
    if sample is None or not any(attributes.values()):
        return None
    return {sample: attributes}


def upload_name(filename: str) -> str:
    """The base name of a multipart file name (clients may percent-encode '/')."""
    return PurePath(unquote(filename)).name


def job_view(job: Job) -> dict[str, Any]:
    """A job as the API shows it: a URL source without credentials or signatures."""
    view = job.model_dump(mode="json", by_alias=False)
    view["source"] = shown_source(job.source)
    return view


async def _chunks_of(reader: BodyPartReader | web.Request) -> AsyncIterator[bytes]:
    if isinstance(reader, web.Request):
        async for chunk in reader.content.iter_chunked(1024 * 1024):
            yield chunk
        return
    while chunk := await reader.read_chunk(1024 * 1024):
        yield chunk


async def post_job(request: web.Request) -> web.Response:
    """A VCF as the raw body or a multipart 'file' part, or JSON naming a URL/inbox path."""
    require_admin(request)
    settings = request.app[keys.SETTINGS]
    params = dict(request.query)
    dataset = _identifier(params.get("dataset"), "dataset", settings.default_dataset)
    assert dataset is not None
    assembly = params.get("assembly") or None
    sample = _identifier(params.get("sample"), "sample")
    file_id: str | None = None
    if request.content_type == "application/json":
        body = await _json_body(request)
        source = str(body.get("source") or "")
        dataset = _identifier(body.get("dataset"), "dataset", dataset) or dataset
        assembly = body.get("assembly") or assembly
        sample = _identifier(body.get("sample"), "sample", sample)
        params.update(
            {k: v for k, v in body.items() if k in ("sex", "population", "superpopulation")}
        )
        if not source:
            raise BadRequestError("give 'source': an http(s) URL or a path in the inbox", "source")
        if is_url(source):
            try:
                check_url(source, settings.url_allowed_hosts)
            except UnsafeUrlError as error:
                raise BadRequestError(str(error), "source") from None
        else:
            resolve_inbox_path(settings.inbox_dir, source)
    else:
        source, file_id = await _store_upload(request, params.get("filename"))
    job = await submit_job(
        request.app[keys.JOBS],
        request.app[keys.PUBLISHER],
        dataset_id=dataset,
        source=source,
        assembly=assembly,
        file_id=file_id,
        sample_id=sample,
        sample_metadata=_sample_metadata(params, sample),
    )
    return web.json_response(job_view(job), status=202, headers={"Location": f"/jobs/{job.id}"})


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError as error:
        raise BadRequestError(f"the body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise BadRequestError("the JSON body must be an object")
    return body


async def _store_upload(request: web.Request, filename: str | None) -> tuple[str, str]:
    settings = request.app[keys.SETTINGS]
    uploads = request.app[keys.UPLOADS]
    if request.content_type.startswith("multipart/"):
        multipart = await request.multipart()
        async for part in multipart:
            if isinstance(part, BodyPartReader) and part.name == "file":
                name = upload_name(part.filename) if part.filename else filename or "upload.vcf"
                file_id, _ = await uploads.save(
                    name, _chunks_of(part), max_bytes=settings.max_upload_bytes
                )
                return name, file_id
        raise BadRequestError("the multipart body has no 'file' part", "file")
    if not request.body_exists:
        raise BadRequestError(
            "send the VCF as the request body, as a multipart 'file' part, or "
            "JSON naming a 'source'"
        )
    name = filename or "upload.vcf"
    file_id, size = await uploads.save(
        name, _chunks_of(request), max_bytes=settings.max_upload_bytes
    )
    if size == 0:
        await uploads.delete(file_id)
        raise BadRequestError("the uploaded file is empty", "file")
    return name, file_id


async def put_upload(request: web.Request) -> web.Response:
    """PUT /uploads/{sha256}: a file stored by its content digest (verified), once; 201
    when stored, 200 when that content was stored before. Batches name it by digest."""
    require_admin(request)
    sha256 = _digest(request.match_info["sha256"])
    settings = request.app[keys.SETTINGS]
    name = upload_name(request.query.get("filename") or f"{sha256}.vcf")
    if not request.body_exists:
        raise BadRequestError("send the file as the request body", "body")
    _, size, created = await request.app[keys.UPLOADS].save_verified(
        sha256, name, _chunks_of(request), max_bytes=settings.max_upload_bytes
    )
    if size == 0:
        raise BadRequestError("the uploaded file is empty", "body")
    return web.json_response(
        {"sha256": sha256, "size": size, "stored": created}, status=201 if created else 200
    )


async def get_upload(request: web.Request) -> web.Response:
    """GET /uploads/{sha256}: whether that content is stored (200 with its size, or 404)."""
    sha256 = _digest(request.match_info["sha256"])
    found = await request.app[keys.UPLOADS].by_digest(sha256)
    if found is None:
        return error_response(404, f"no upload with sha256 {sha256}")
    return web.json_response({"sha256": sha256, "size": found[1]})


def _digest(text: str) -> str:
    if not SHA256.match(text):
        raise BadRequestError(
            "the upload is named by its sha256: 64 lowercase hex digits", "sha256"
        )
    return text


async def post_batch(request: web.Request) -> web.Response:
    """A manifest naming URLs, inbox paths or uploads; returns at once (202) while the jobs
    are created in the background (batches.py). Bodies: the manifest as text (TSV/CSV);
    multipart 'manifest' + files; or JSON {"manifest": text, "uploads": {file: sha256},
    "key": text}, where each row's file is an upload stored by PUT /uploads/{sha256}. A
    JSON `key` (e.g. the digest of manifest and uploads) makes resubmitting the same batch
    return it instead of a second one (200)."""
    require_admin(request)
    settings = request.app[keys.SETTINGS]
    dataset = _identifier(request.query.get("dataset"), "dataset", settings.default_dataset)
    assert dataset is not None
    default_assembly = request.query.get("assembly") or None
    uploaded: dict[str, str] = {}  # manifest file name -> stored file id
    manifest_text: str | None = None
    key: str | None = None
    if request.content_type.startswith("multipart/"):
        multipart = await request.multipart()
        async for part in multipart:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "manifest":
                manifest_text = (await part.read()).decode("utf-8", errors="replace")
            elif part.filename:
                file_id, _ = await request.app[keys.UPLOADS].save(
                    part.filename, _chunks_of(part), max_bytes=settings.max_upload_bytes
                )
                # Matched to manifest rows by file name: clients may send base names only.
                uploaded[upload_name(part.filename)] = file_id
    elif request.content_type == "application/json":
        body = await _json_body(request)
        manifest_text = body.get("manifest") if isinstance(body.get("manifest"), str) else None
        key = _identifier(body.get("key"), "key")
        uploads = body.get("uploads") or {}
        if not isinstance(uploads, dict):
            raise BadRequestError("'uploads' maps manifest file names to sha256 digests", "uploads")
        for name, sha256 in uploads.items():
            found = await request.app[keys.UPLOADS].by_digest(_digest(str(sha256)))
            if found is None:
                raise BadRequestError(
                    f"{name}: no upload with sha256 {sha256}; PUT /uploads/{sha256} first",
                    "uploads",
                )
            uploaded[PurePath(str(name)).name] = found[0]
    else:
        manifest_text = (await request.read()).decode("utf-8", errors="replace")
    if not manifest_text:
        raise BadRequestError("no manifest given", "manifest")
    rows = parse_manifest(manifest_text)
    documents = []
    for row in rows:
        stored = None if is_url(row.file) else uploaded.get(PurePath(row.file).name)
        if stored is None and not is_url(row.file):
            try:
                resolve_inbox_path(settings.inbox_dir, row.file)
            except SourceError as error:
                raise ManifestError(row.line, str(error)) from error
        documents.append(row_document(row, stored, default_assembly))
    batch_id, created = await request.app[keys.JOBS].create_batch(
        dataset_id=dataset,
        source="manifest",
        size=len(rows),
        rows=documents,
        batch_id=f"batch-{key}" if key else None,
    )
    request.app[keys.BATCHES].start(batch_id)
    # The jobs as they will be (they are made in the background): ids follow from the rows.
    planned = [
        Job(
            id=job_id_of(batch_id, index),
            batch_id=batch_id,
            dataset_id=dataset,
            assembly=document["assembly"],
            source=document["file"],
            file_id=document["file_id"],
            sample_id=document["sample"],
            created_at=datetime.now(UTC),
        )
        for index, document in enumerate(documents)
    ]
    return web.json_response(
        {
            "batch_id": batch_id,
            "size": len(rows),
            "existing": not created,
            "job_ids": [job.id for job in planned],
            "jobs": [job_view(job) for job in planned],
        },
        status=202 if created else 200,
        headers={"Location": f"/batches/{batch_id}"},
    )


async def get_job(request: web.Request) -> web.Response:
    job = await request.app[keys.JOBS].get(request.match_info["job_id"])
    if job is None:
        return error_response(404, f"no job {request.match_info['job_id']!r}")
    return web.json_response(job_view(job))


async def list_jobs(request: web.Request) -> web.Response:
    state_text = request.query.get("state")
    try:
        state = JobState(state_text) if state_text else None
    except ValueError as error:
        raise BadRequestError(
            f"state must be one of {[s.value for s in JobState]}", "state"
        ) from error
    try:
        limit = int(request.query.get("limit", "100"))
    except ValueError as error:
        raise BadRequestError("limit must be an integer", "limit") from error
    if not 1 <= limit <= 1000:
        raise BadRequestError("limit must be between 1 and 1000", "limit")
    jobs = await request.app[keys.JOBS].list(
        batch_id=request.query.get("batch"), state=state, limit=limit
    )
    return web.json_response({"jobs": [job_view(j) for j in jobs]})


async def get_batch(request: web.Request) -> web.Response:
    batch_id = request.match_info["batch_id"]
    store = request.app[keys.JOBS]
    batch = await store.get_batch(batch_id)
    if batch is None:
        return error_response(404, f"no batch {batch_id!r}")
    listed = request.query.get("jobs", "all")
    if listed not in ("all", "failed", "none"):
        raise BadRequestError("jobs must be all, failed or none", "jobs")
    jobs = await store.list(batch_id=batch_id, limit=100_000)
    by_state = {state.value: sum(1 for j in jobs if j.state is state) for state in JobState}
    finished = by_state["succeeded"] + by_state["failed"]
    shown = [
        j for j in jobs if listed == "all" or (listed == "failed" and j.state is JobState.FAILED)
    ]
    return web.json_response(
        {
            "batch_id": batch_id,
            "dataset_id": batch["dataset_id"],
            "size": batch["size"],
            "jobs_created": batch.get("jobs_created", len(jobs)),
            "creation_error": batch.get("creation_error"),
            "jobs_by_state": by_state,
            "finished": finished == batch["size"],
            "fraction_done": finished / batch["size"] if batch["size"] else 1.0,
            "calls_stored": sum(j.counts.calls_stored for j in jobs),
            "jobs": [job_view(j) for j in shown],
        }
    )


async def list_datasets(request: web.Request) -> web.Response:
    db = request.app[DATABASE]
    datasets = [
        {**{k: v for k, v in d.items() if k != "_id"}, "id": d["_id"]}
        async for d in db[DATASETS].find({}, WITHOUT_CHANGES).sort("_id", 1)
    ]
    return web.json_response({"datasets": datasets}, dumps=lambda o: json.dumps(o, default=str))


PRESETS = {"1kgp-30x": "1000 Genomes 30x on GRCh38"}


def individual_row(record: SampleRecord) -> dict[str, Any]:
    return {
        "individual_id": record.sample_id,
        "biosample_ids": [record.sample_id],
        "sex": record.sex,
        "population": record.population_code,
        "population_name": record.population_name,
        "superpopulation": record.superpopulation_code,
        "superpopulation_name": record.superpopulation_name,
    }


async def post_individuals(request: web.Request) -> web.Response:
    """Load sample/individual metadata: a table as the body (the IGSR export format or a
    TSV/CSV with sample, sex, population, superpopulation), or preset=1kgp-30x for the
    bundled table of the 3,202 1000 Genomes 30x samples."""
    require_admin(request)
    settings = request.app[keys.SETTINGS]
    dataset = _identifier(request.query.get("dataset"), "dataset", settings.default_dataset)
    assert dataset is not None
    preset = request.query.get("preset")
    if preset is not None:
        if preset not in PRESETS:
            raise BadRequestError(f"preset must be one of {sorted(PRESETS)}", "preset")
        records = load_1kgp_samples(PRESETS[preset])
    else:
        text = (await request.read()).decode("utf-8", errors="replace")
        if not text.strip():
            raise BadRequestError("send the sample table as the request body", "body")
        try:
            records = parse_sample_table(text, source="the uploaded sample table")
        except ValueError as error:
            raise BadRequestError(str(error), "body") from error
    await call_writer.upsert_individuals(
        request.app[DATABASE], dataset, [individual_row(r) for r in records]
    )
    return web.json_response({"dataset_id": dataset, "individuals": len(records)})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/individuals", post_individuals)
    app.router.add_post("/jobs", post_job)
    app.router.add_get("/jobs", list_jobs)
    app.router.add_get("/jobs/{job_id}", get_job)
    app.router.add_post("/batches", post_batch)
    app.router.add_put("/uploads/{sha256}", put_upload)
    app.router.add_get("/uploads/{sha256}", get_upload)
    app.router.add_get("/batches/{batch_id}", get_batch)
    app.router.add_get("/datasets", list_datasets)
