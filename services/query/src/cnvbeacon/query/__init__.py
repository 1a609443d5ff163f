"""cnvbeacon query service: range and overlap lookups and the analyses built on them."""
