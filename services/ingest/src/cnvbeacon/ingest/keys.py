"""Typed application keys of the ingest service."""

from __future__ import annotations

from aiohttp import web

from cnvbeacon.ingest.batches import BatchCreator
from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.ingest.settings import IngestSettings
from cnvbeacon.ingest.uploads import UploadStore
from cnvbeacon.shared.messaging import Publisher

SETTINGS = web.AppKey("ingest_settings", IngestSettings)
JOBS = web.AppKey("jobs", JobStore)
UPLOADS = web.AppKey("uploads", UploadStore)
PUBLISHER = web.AppKey("publisher", Publisher)
BATCHES = web.AppKey("batches", BatchCreator)
