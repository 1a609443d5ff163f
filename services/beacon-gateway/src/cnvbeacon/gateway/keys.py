"""Typed application keys of the gateway."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from cnvbeacon.gateway.beacon.configuration import SecurityConfiguration
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.metadata import Metadata
from cnvbeacon.gateway.settings import GatewaySettings
from cnvbeacon.gateway.upstream import ServiceClient

SETTINGS = web.AppKey("gateway_settings", GatewaySettings)
IDENTITY = web.AppKey("identity", BeaconIdentity)
CATALOGUE = web.AppKey("filter_catalogue", FilterCatalogue)
POLICY = web.AppKey("request_policy", RequestPolicy)
SECURITY = web.AppKey("security", SecurityConfiguration)
QUERY = web.AppKey("query_service", ServiceClient)
INGEST = web.AppKey("ingest_service", ServiceClient)
METADATA = web.AppKey("metadata", Metadata)
# Requests to peer Beacons (aggregator mode); each carries its own deadline.
PEER_SESSION = web.AppKey("peer_session", aiohttp.ClientSession)
