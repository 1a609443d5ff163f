"""The Beacon v2 framework layer of the gateway: pure functions, no I/O.

Request side: :mod:`get_request` and :mod:`post_request` turn GET parameters or a POST body
into a :class:`~cnvbeacon.gateway.beacon.query.BeaconQuery` (raising
:class:`~cnvbeacon.gateway.beacon.errors.BeaconRequestError`), with filters checked
against :mod:`filter_catalogue`.

Response side: :mod:`info`, :mod:`configuration`, :mod:`beacon_map` and
:mod:`filtering_terms` build the informational endpoints; :mod:`responses` and
:mod:`result_sets` wrap results computed elsewhere; :mod:`individuals`, :mod:`biosamples`,
:mod:`datasets` and :mod:`cohorts` build records. Every output is a JSON-ready dict valid
against the Beacon v2.1.1 schemas.
"""
