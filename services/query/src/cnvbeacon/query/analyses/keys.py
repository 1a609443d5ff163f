"""Typed application keys of the analyses."""

from __future__ import annotations

from aiohttp import web

from cnvbeacon.query.analyses.broker import BrokerLink
from cnvbeacon.query.analyses.service import AnalysisService
from cnvbeacon.query.analyses.settings import AnalysisSettings

SETTINGS = web.AppKey("analysis_settings", AnalysisSettings)
SERVICE = web.AppKey("analysis_service", AnalysisService)
BROKER = web.AppKey("analysis_broker", BrokerLink)
