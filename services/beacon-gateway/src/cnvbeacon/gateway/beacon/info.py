"""``/`` and ``/info`` (beaconInfoResponse) and ``/service-info`` (GA4GH service-info 1.0)."""

from __future__ import annotations

from cnvbeacon.gateway.beacon.identity import BeaconIdentity, BeaconOrganisation
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.response_meta import build_informational_meta
from cnvbeacon.gateway.beacon.timestamps import format_timestamp

SERVICE_TYPE_GROUP = "org.ga4gh"
SERVICE_TYPE_ARTIFACT = "beacon"


def _without_none(document: dict[str, object]) -> JsonObject:
    return {key: value for key, value in document.items() if value is not None}


def build_organisation(organisation: BeaconOrganisation) -> JsonObject:
    """``BeaconOrganization`` of the info response."""
    return _without_none(
        {
            "id": organisation.id,
            "name": organisation.name,
            "description": organisation.description,
            "address": organisation.address,
            "welcomeUrl": organisation.welcome_url,
            "contactUrl": organisation.contact_url,
            "logoUrl": organisation.logo_url,
        }
    )


def build_beacon_info(identity: BeaconIdentity) -> JsonObject:
    """The ``response`` of ``/info`` (beaconInfoResults)."""
    return _without_none(
        {
            "id": identity.id,
            "name": identity.name,
            "apiVersion": identity.api_version,
            "environment": identity.environment,
            "organization": build_organisation(identity.organisation),
            "description": identity.description,
            "version": identity.version,
            "welcomeUrl": identity.welcome_url,
            "alternativeUrl": identity.alternative_url,
            "createDateTime": format_timestamp(identity.create_date_time),
            "updateDateTime": format_timestamp(identity.update_date_time),
        }
    )


def build_info_response(identity: BeaconIdentity) -> JsonObject:
    """``/`` and ``/info``."""
    return {"meta": build_informational_meta(identity), "response": build_beacon_info(identity)}


def build_service_info(identity: BeaconIdentity) -> JsonObject:
    """``/service-info``: GA4GH service-info 1.0 with type ``org.ga4gh:beacon:<spec version>``.

    The type's version is the implemented Beacon API version without its ``v`` prefix.
    """
    organisation = identity.organisation
    return _without_none(
        {
            "id": identity.id,
            "name": identity.name,
            "type": {
                "group": SERVICE_TYPE_GROUP,
                "artifact": SERVICE_TYPE_ARTIFACT,
                "version": identity.api_version.removeprefix("v"),
            },
            "description": identity.description,
            "organization": {"name": organisation.name, "url": organisation.welcome_url},
            "contactUrl": organisation.contact_url,
            "documentationUrl": identity.documentation_url,
            "createdAt": format_timestamp(identity.create_date_time),
            "updatedAt": format_timestamp(identity.update_date_time),
            "environment": identity.environment,
            "version": identity.version,
        }
    )
