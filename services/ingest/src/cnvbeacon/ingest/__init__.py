"""cnvbeacon ingest: VCF upload jobs through RabbitMQ into MongoDB."""
