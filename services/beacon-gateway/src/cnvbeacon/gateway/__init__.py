"""cnvbeacon gateway: the Beacon v2 API and the web UI, aggregating the other services."""
