"""Typed application keys of the query service."""

from __future__ import annotations

from aiohttp import web

from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.query.summaries import Summaries

SETTINGS = web.AppKey("query_settings", QuerySettings)
SUMMARIES = web.AppKey("summaries", Summaries)
