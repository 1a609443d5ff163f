"""Typed application keys of the query service."""

from __future__ import annotations

from aiohttp import web

from cnvbeacon.query.read_model import ReadModel
from cnvbeacon.query.settings import QuerySettings

SETTINGS = web.AppKey("query_settings", QuerySettings)
READ_MODEL = web.AppKey("read_model", ReadModel)
